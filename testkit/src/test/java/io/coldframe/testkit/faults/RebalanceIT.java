package io.coldframe.testkit.faults;

import static io.coldframe.testkit.faults.FaultRig.NO_FAULT;
import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ExecutionException;

import org.apache.kafka.clients.admin.ConsumerGroupDescription;
import org.apache.kafka.clients.admin.MemberDescription;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import io.coldframe.local.LocalStack;
import io.coldframe.schemas.SegmentCommitted;
import io.coldframe.testkit.InvariantMonitor;
import io.coldframe.testkit.ProcessPipeline;
import io.coldframe.testkit.ServiceProcess;

/**
 * A second archiver worker (a separate JVM) joins while the first has open batches, then leaves while it has open
 * batches itself. Each rebalance drops the open batches of moved partitions; none is committed half: every cold
 * record ends up in exactly one committed segment whose memories are exactly the records of its offset range.
 */
class RebalanceIT {

    private static LocalStack stack;

    @BeforeAll
    static void startStack() {
        stack = LocalStack.start();
    }

    @AfterAll
    static void stopStack() {
        if (stack != null) {
            stack.close();
        }
    }

    @Test
    void aWorkerJoiningAndLeavingWhileBatchesAreOpenCommitsNoHalfBatch() throws Exception {
        // A long linger keeps batches open across both rebalances.
        try (ProcessPipeline pipeline = FaultRig.pipeline(stack, "rebalance", s -> s.withBatches(Duration.ofSeconds(10), 100_000))) {
            FaultRig.loadAndTier(pipeline, FaultRig.documents(400, 31));
            try (InvariantMonitor monitor = pipeline.monitor(Duration.ofSeconds(1)).start()) {
                pipeline.startPurger(NO_FAULT);
                ServiceProcess first = pipeline.startArchiver(0, NO_FAULT);
                awaitMembers(pipeline, 1);
                Thread.sleep(1_000);

                ServiceProcess second = pipeline.startArchiver(1, NO_FAULT);
                ServiceProcess.Marker dropped = FaultRig.await(first, 0, "batchesDropped", Duration.ofMinutes(1));
                System.out.println("  join: worker 0 dropped its open batches of " + dropped.detail(0));
                awaitMembers(pipeline, 2);
                Thread.sleep(2_000);
                assertThat(FaultRig.commitEvents(pipeline)).as("nothing committed while every batch lingers").isEmpty();

                assertThat(second.stop(Duration.ofSeconds(30))).as("worker 1 left cleanly").isNotEqualTo(137);
                assertThat(second.markers()).extracting(ServiceProcess.Marker::point).as("worker 1 dropped its open batches, committed nothing")
                        .contains("batchesDropped").doesNotContain("committed");
                System.out.println("  leave: worker 1 markers " + second.markers());

                FaultRig.drain(pipeline, Duration.ofMinutes(3));
                pipeline.stopServices();
                assertThat(monitor.sample()).isEmpty();
                assertThat(monitor.violationCount()).isZero();
            }
            FaultRig.assertEachSegmentCommittedOnce(FaultRig.auditAndAssert(pipeline));
            assertNoHalfBatch(pipeline);
        }
    }

    private static void awaitMembers(ProcessPipeline pipeline, int members) throws Exception {
        long deadline = System.nanoTime() + Duration.ofMinutes(1).toNanos();
        while (System.nanoTime() < deadline) {
            try {
                ConsumerGroupDescription group = pipeline.admin().describeConsumerGroups(List.of(pipeline.archiverGroup()))
                        .all().get().get(pipeline.archiverGroup());
                List<MemberDescription> assigned = group.members().stream()
                        .filter(m -> !m.assignment().topicPartitions().isEmpty()).toList();
                if (group.members().size() == members && assigned.size() == members) {
                    return;
                }
            } catch (ExecutionException e) {
                // the group does not exist until its first member joined
            }
            Thread.sleep(200);
        }
        throw new AssertionError("the archiver group never had " + members + " members with partitions");
    }

    /** Every cold record in exactly one committed segment, and each segment holds exactly the records of its range. */
    private static void assertNoHalfBatch(ProcessPipeline pipeline) {
        Map<Integer, TreeMap<Long, String>> recordsByPartition = new HashMap<>();
        for (ConsumerRecord<byte[], byte[]> record : FaultRig.coldRecords(pipeline)) {
            recordsByPartition.computeIfAbsent(record.partition(), p -> new TreeMap<>()).put(record.offset(), "");
        }
        Map<Integer, List<SegmentCommitted>> commitsByPartition = new HashMap<>();
        for (SegmentCommitted commit : FaultRig.commitEvents(pipeline)) {
            commitsByPartition.computeIfAbsent(commit.getSourcePartition(), p -> new ArrayList<>()).add(commit);
        }
        recordsByPartition.forEach((partition, records) -> {
            Map<Long, String> owner = new HashMap<>();
            for (SegmentCommitted commit : commitsByPartition.getOrDefault(partition, List.of())) {
                var range = records.subMap(commit.getFirstOffset(), true, commit.getLastOffset(), true);
                assertThat(commit.getMemories()).as("segment %s holds all of its range", commit.getSegmentId()).hasSize(range.size());
                for (Long offset : range.keySet()) {
                    String previous = owner.put(offset, commit.getSegmentId());
                    assertThat(previous).as("record %d-%d committed twice", partition, offset).isNull();
                }
            }
            assertThat(owner.keySet()).as("every record of partition %d committed", partition).containsExactlyInAnyOrderElementsOf(records.keySet());
        });
    }
}
