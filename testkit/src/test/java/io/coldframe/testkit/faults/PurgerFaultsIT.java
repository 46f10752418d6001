package io.coldframe.testkit.faults;

import static io.coldframe.testkit.faults.FaultRig.NO_FAULT;
import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import io.coldframe.archive.InvariantAudit;
import io.coldframe.local.LocalStack;
import io.coldframe.schemas.PurgeResult;
import io.coldframe.schemas.SegmentCommitted;
import io.coldframe.schemas.SkipReason;
import io.coldframe.schemas.SkippedMemory;
import io.coldframe.testkit.ProcessPipeline;
import io.coldframe.testkit.ServiceProcess;

/**
 * kill -9 of the purger (a separate JVM) in the middle of a poll's deletes, and replays of commit events: a
 * duplicate event and a full replay of the purger's offsets. A replay deletes nothing more and says ALREADY_ABSENT.
 */
class PurgerFaultsIT {

    private static final Duration DRAIN = Duration.ofMinutes(3);
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
    void killedMidDeleteThenReplayedFindsItsDeletesDone() throws Exception {
        try (ProcessPipeline pipeline = FaultRig.pipeline(stack, "purger-kill", s -> s.withBatches(Duration.ofSeconds(1), 60))) {
            FaultRig.loadAndTier(pipeline, FaultRig.documents(400, 21));
            // Archive everything first, so that the purger's first poll holds several commit events.
            pipeline.startArchiver(0, NO_FAULT);
            assertThat(awaitArchived(pipeline)).isTrue();
            List<SegmentCommitted> commits = FaultRig.commitEvents(pipeline);
            assertThat(commits).hasSizeGreaterThan(2);

            // Frozen after MongoDB acknowledged the second segment's delete: two segments deleted, the rest not,
            // no purge result and no offset committed.
            ServiceProcess purger = pipeline.startPurger(FaultRig.freezeAt("deleteAcknowledged#2"));
            ServiceProcess.Marker frozen = FaultRig.await(purger, 0, "frozen", Duration.ofMinutes(1));
            // The segments of the open transaction: those deleted since the last committed one (normally both).
            List<ServiceProcess.Marker> markers = purger.markers();
            int lastCommit = -1;
            for (int i = 0; i < markers.size(); i++) {
                if (markers.get(i).point().equals("purgeCommitted")) {
                    lastCommit = i;
                }
            }
            List<String> deletedSegments = markers.subList(lastCommit + 1, markers.size()).stream()
                    .filter(m -> m.point().equals("beforeDelete")).map(m -> m.detail(0)).toList();
            assertThat(deletedSegments).isNotEmpty().contains(frozen.detail(1));
            System.out.println("  purger frozen with the deletes of " + deletedSegments + " acknowledged, not committed");
            Set<String> deletedMemories = new HashSet<>();
            for (String segment : deletedSegments) {
                Set<String> memories = FaultRig.memoriesOf(pipeline, segment);
                assertThat(FaultRig.presentInMongo(pipeline, memories)).as("deleted by the frozen purger").isZero();
                assertThat(pipeline.store().contains(segment)).isTrue();
                deletedMemories.addAll(memories);
            }
            assertThat(FaultRig.purgeResults(pipeline)).extracting(PurgeResult::getSegmentId).as("no result of the open transaction")
                    .doesNotContainAnyElementsOf(deletedSegments);
            assertThat(purger.kill()).isEqualTo(137);

            pipeline.startPurger(NO_FAULT);
            FaultRig.drain(pipeline, DRAIN);
            pipeline.stopServices();

            FaultRig.auditAndAssert(pipeline);
            for (String segment : deletedSegments) {
                List<PurgeResult> results = FaultRig.purgeResults(pipeline).stream()
                        .filter(r -> r.getSegmentId().equals(segment)).toList();
                assertThat(results).as("one committed result for %s: the replay's", segment).hasSize(1);
                assertThat(results.get(0).getDeleted()).as("the replay deleted nothing more").isEmpty();
                assertThat(results.get(0).getSkipped()).extracting(SkippedMemory::getReason).containsOnly(SkipReason.ALREADY_ABSENT);
            }
            assertThat(deletedMemories).isNotEmpty();
        }
    }

    @Test
    void duplicateCommitEventsAndAReplayOfAllOffsetsDeleteNothingMore() throws Exception {
        try (ProcessPipeline pipeline = FaultRig.pipeline(stack, "purger-replay", s -> s)) {
            FaultRig.loadAndTier(pipeline, FaultRig.documents(300, 22));
            pipeline.startArchiver(0, NO_FAULT);
            pipeline.startPurger(NO_FAULT);
            FaultRig.drain(pipeline, DRAIN);
            long remaining = pipeline.memories().countDocuments();
            int resultsBefore = FaultRig.purgeResults(pipeline).size();

            // 1. The same commit event published again (as a producer retry or a replayed archiver would).
            List<ConsumerRecord<byte[], byte[]>> events = InvariantAudit.readCommitted(stack.kafkaConnection(), pipeline.topics().segmentsCommitted());
            ConsumerRecord<byte[], byte[]> first = events.get(0);
            try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(Map.of("bootstrap.servers", stack.bootstrapServers()),
                    new ByteArraySerializer(), new ByteArraySerializer())) {
                producer.send(new ProducerRecord<>(pipeline.topics().segmentsCommitted(), first.key(), first.value())).get();
                producer.send(new ProducerRecord<>(pipeline.topics().segmentsCommitted(), first.key(), first.value())).get();
            }
            FaultRig.drain(pipeline, DRAIN);
            String duplicated = FaultRig.commitEvents(pipeline).get(0).getSegmentId();
            List<PurgeResult> afterDuplicates = FaultRig.purgeResults(pipeline);
            assertThat(afterDuplicates).hasSize(resultsBefore + 2);
            for (PurgeResult replay : afterDuplicates.subList(resultsBefore, afterDuplicates.size())) {
                assertThat(replay.getSegmentId()).isEqualTo(duplicated);
                assertThat(replay.getDeleted()).isEmpty();
                assertThat(replay.getSkipped()).isNotEmpty().extracting(SkippedMemory::getReason).containsOnly(SkipReason.ALREADY_ABSENT);
            }
            assertThat(pipeline.memories().countDocuments()).as("nothing more deleted").isEqualTo(remaining);

            // 2. The purger's offsets reset to the beginning: every commit event is purged again.
            pipeline.child("purger").stop(Duration.ofSeconds(20));
            TopicPartition partition = new TopicPartition(pipeline.topics().segmentsCommitted(), 0);
            pipeline.admin().alterConsumerGroupOffsets(pipeline.purgerGroup(), Map.of(partition, new OffsetAndMetadata(0))).all().get();
            pipeline.startPurger(NO_FAULT);
            FaultRig.drain(pipeline, DRAIN);
            pipeline.stopServices();
            List<PurgeResult> afterReplay = FaultRig.purgeResults(pipeline);
            int events2 = events.size() + 2;
            assertThat(afterReplay).hasSize(afterDuplicates.size() + events2);
            for (PurgeResult replay : afterReplay.subList(afterDuplicates.size(), afterReplay.size())) {
                assertThat(replay.getDeleted()).as("replay of %s", replay.getSegmentId()).isEmpty();
                assertThat(replay.getSkipped()).extracting(SkippedMemory::getReason).containsOnly(SkipReason.ALREADY_ABSENT);
            }
            assertThat(pipeline.memories().countDocuments()).as("nothing more deleted").isEqualTo(remaining);
            FaultRig.auditAndAssert(pipeline);
        }
    }

    /** Waits until the archiver group has committed the whole cold topic. */
    private static boolean awaitArchived(ProcessPipeline pipeline) throws InterruptedException {
        long deadline = System.nanoTime() + DRAIN.toNanos();
        while (System.nanoTime() < deadline) {
            if (pipeline.snapshot().lagByGroup().get(pipeline.archiverGroup()) == 0) {
                return true;
            }
            Thread.sleep(500);
        }
        return false;
    }
}
