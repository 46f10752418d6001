package io.coldframe.testkit.faults;

import static io.coldframe.testkit.faults.FaultRig.NO_FAULT;
import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Set;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import io.coldframe.archive.InvariantAudit;
import io.coldframe.local.LocalStack;
import io.coldframe.segment.SegmentReader;
import io.coldframe.store.LocalDirectorySegmentStore;
import io.coldframe.testkit.InvariantMonitor;
import io.coldframe.testkit.ProcessPipeline;
import io.coldframe.testkit.ServiceProcess;

/**
 * kill -9 of an archiver worker (a separate JVM) at each point of its commit protocol: while it writes a segment,
 * after the segment verified, after it was stored and before its transaction committed. The purger runs throughout.
 * At the kill nothing of that segment may be committed or deleted; after a restart everything is archived, each
 * memory read once however many segments hold it, and nothing is lost.
 */
class ArchiverKillIT {

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
    void killedWhileWritingASegment() throws Exception {
        // The writer encodes frames into <id>.mkv.tmp and renames it to <id>.mkv only when the video is complete, the
        // manifest after that. Freezing the JVM (SIGSTOP also stops its in-process FFmpeg) while the .tmp exists catches
        // it mid-write: that phase is most of a segment's writing time, with one encoding thread and ~540 memories.
        try (ProcessPipeline pipeline = FaultRig.pipeline(stack, "kill-writing", s -> s.withChildJvmOptions(List.of("-XX:ActiveProcessorCount=1")));
             FaultRig.Signals signals = new FaultRig.Signals()) {
            FaultRig.loadAndTier(pipeline, FaultRig.documents(2400, 11));
            pipeline.startPurger(NO_FAULT);
            ServiceProcess archiver = pipeline.startArchiver(0, NO_FAULT);
            Path staging = pipeline.settings().workDir().resolve("staging").resolve("w0");
            LocalDirectorySegmentStore store = pipeline.store();

            String caught = null;
            int from = 0;
            for (int attempt = 0; attempt < 12 && caught == null; attempt++) {
                ServiceProcess.Marker writing = FaultRig.await(archiver, from, "segmentWriting", Duration.ofMinutes(2));
                from = FaultRig.markerIndexAfter(archiver, writing);
                String segmentId = writing.detail(0);
                Path dir = staging.resolve(segmentId);
                Path partial = dir.resolve(segmentId + LocalDirectorySegmentStore.VIDEO_SUFFIX + ".tmp");
                Path video = dir.resolve(segmentId + LocalDirectorySegmentStore.VIDEO_SUFFIX);
                Path manifest = dir.resolve(segmentId + LocalDirectorySegmentStore.MANIFEST_SUFFIX);
                long deadline = System.nanoTime() + Duration.ofMinutes(1).toNanos();
                while (!hasBytes(partial) && !Files.exists(video) && System.nanoTime() < deadline) {
                    Thread.sleep(0, 200_000);
                }
                signals.freeze(archiver);
                boolean midWrite = hasBytes(partial) && !Files.exists(video) && !Files.exists(manifest) && !store.contains(segmentId)
                        && archiver.markers().stream().noneMatch(m -> m.point().equals("segmentVerified") && m.detail(0).equals(segmentId));
                System.out.printf("  attempt %d on %s: partial video %s, video %s, manifest %s -> %s%n", attempt, segmentId,
                        hasBytes(partial) ? Files.size(partial) + " B" : "absent", Files.exists(video) ? "present" : "absent",
                        Files.exists(manifest) ? "present" : "absent", midWrite ? "frozen mid-write" : "missed, resuming");
                if (midWrite) {
                    caught = segmentId;
                    assertThat(archiver.kill()).as("exit code of kill -9").isEqualTo(137);
                } else {
                    signals.thaw(archiver);
                }
            }
            assertThat(caught).as("an archiver frozen and killed while writing a segment").isNotNull();
            System.out.println("  staging left by the kill: " + FaultRig.filesUnder(staging));
            assertThat(store.contains(caught)).isFalse();
            assertThat(FaultRig.committedSegmentIds(pipeline)).doesNotContain(caught);
            Set<String> memories = FaultRig.memoriesOf(pipeline, caught);
            assertThat(FaultRig.presentInMongo(pipeline, memories)).isEqualTo(memories.size());

            pipeline.startArchiver(0, NO_FAULT);
            FaultRig.drain(pipeline, DRAIN);
            pipeline.stopServices();

            FaultRig.assertEachSegmentCommittedOnce(FaultRig.auditAndAssert(pipeline));
            assertThat(FaultRig.committedSegmentIds(pipeline)).as("the replay rewrote the same segment id").contains(caught);
            assertThat(FaultRig.filesUnder(staging)).as("the restarted worker cleared the half-written staging").isEmpty();
        }
    }

    private static boolean hasBytes(Path file) throws IOException {
        try {
            return Files.size(file) > 0;
        } catch (NoSuchFileException e) {
            return false;
        }
    }

    @Test
    void killedAfterVerifyBeforeStore() throws Exception {
        try (ProcessPipeline pipeline = FaultRig.pipeline(stack, "kill-verified", s -> s)) {
            FaultRig.loadAndTier(pipeline, FaultRig.documents(400, 12));
            String frozen;
            try (InvariantMonitor monitor = pipeline.monitor(Duration.ofSeconds(1)).start()) {
                pipeline.startPurger(NO_FAULT);
                ServiceProcess archiver = pipeline.startArchiver(0, FaultRig.freezeAt("segmentVerified"));
                frozen = FaultRig.await(archiver, 0, "frozen", Duration.ofMinutes(1)).detail(1);

                assertThat(pipeline.store().contains(frozen)).as("verified, not stored").isFalse();
                assertThat(FaultRig.committedSegmentIds(pipeline)).doesNotContain(frozen);
                Set<String> memories = FaultRig.memoriesOf(pipeline, frozen);
                FaultRig.assertNoneDeletedFor(pipeline, memories, Duration.ofSeconds(2));
                assertThat(archiver.kill()).isEqualTo(137);

                pipeline.startArchiver(0, NO_FAULT);
                FaultRig.drain(pipeline, DRAIN);
                pipeline.stopServices();
                assertThat(monitor.sample()).isEmpty();
                assertThat(monitor.violationCount()).as("invariant violations seen while running").isZero();
                System.out.printf("  monitor: %d samples, 0 violations%n", monitor.samples());
            }
            FaultRig.assertEachSegmentCommittedOnce(FaultRig.auditAndAssert(pipeline));
            assertThat(FaultRig.committedSegmentIds(pipeline)).as("the replay committed the same segment id").contains(frozen);
        }
    }

    @Test
    void killedBetweenStoreAndCommitTwiceLeavesATolerableDuplicate() throws Exception {
        try (ProcessPipeline pipeline = FaultRig.pipeline(stack, "kill-stored", s -> s)) {
            FaultRig.loadAndTier(pipeline, FaultRig.documents(400, 13));
            String stored;
            try (InvariantMonitor monitor = pipeline.monitor(Duration.ofSeconds(1)).start()) {
                pipeline.startPurger(NO_FAULT);

                // 1. Stored durably, no commit event yet: the purger must not touch its memories.
                ServiceProcess archiver = pipeline.startArchiver(0, FaultRig.freezeAt("segmentStored"));
                stored = FaultRig.await(archiver, 0, "frozen", Duration.ofMinutes(1)).detail(1);
                assertThat(pipeline.store().contains(stored)).isTrue();
                try (SegmentReader reader = SegmentReader.open(pipeline.store().fetch(stored))) {
                    assertThat(reader.verify().ok()).as("the stored segment reads back").isTrue();
                }
                assertThat(FaultRig.committedSegmentIds(pipeline)).doesNotContain(stored);
                Set<String> storedMemories = FaultRig.memoriesOf(pipeline, stored);
                FaultRig.assertNoneDeletedFor(pipeline, storedMemories, Duration.ofSeconds(2));
                assertThat(archiver.kill()).isEqualTo(137);

                // More cold memories extend every partition, so the replay batches get other bounds (other segment ids).
                pipeline.load(FaultRig.documents(200, 14));
                assertThat(pipeline.awaitTiered(Duration.ofMinutes(2))).isTrue();

                // 2. Commit event and offsets sent inside the open transaction, not committed: still invisible to the purger.
                archiver = pipeline.startArchiver(0, FaultRig.freezeAt("beforeCommit"));
                String inTransaction = FaultRig.await(archiver, 0, "frozen", Duration.ofMinutes(1)).detail(1);
                assertThat(inTransaction).isNotEqualTo(stored);
                assertThat(FaultRig.committedSegmentIds(pipeline)).doesNotContain(inTransaction);
                Set<String> transactionMemories = FaultRig.memoriesOf(pipeline, inTransaction);
                FaultRig.assertNoneDeletedFor(pipeline, transactionMemories, Duration.ofSeconds(2));
                assertThat(archiver.kill()).isEqualTo(137);

                // 3. A clean restart: its transactional id aborts the open transaction, then it archives everything.
                pipeline.startArchiver(0, NO_FAULT);
                FaultRig.drain(pipeline, DRAIN);
                pipeline.stopServices();
                assertThat(monitor.sample()).isEmpty();
                assertThat(monitor.violationCount()).isZero();
            }
            InvariantAudit.Result result = FaultRig.auditAndAssert(pipeline);
            FaultRig.assertEachSegmentCommittedOnce(result);
            List<String> committed = FaultRig.committedSegmentIds(pipeline);
            assertThat(committed).as("the killed store never committed").doesNotContain(stored);
            assertThat(pipeline.store().contains(stored)).as("its orphan segment stays, verified").isTrue();
            assertThat(result.duplicateRecordCopies()).as("orphan and replay hold the same versions")
                    .isGreaterThanOrEqualTo(FaultRig.memoriesOf(pipeline, stored).size());
            System.out.printf("  duplicates: %d record copies, %d distinct versions, %d memories read%n",
                    result.archivedRecordCopies(), result.distinctArchivedVersions(), result.archived());
        }
    }
}
