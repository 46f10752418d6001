package io.coldframe.testkit.faults;

import static io.coldframe.testkit.faults.FaultRig.NO_FAULT;
import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;

import org.junit.jupiter.api.Test;

import io.coldframe.local.LocalStack;
import io.coldframe.testkit.InvariantMonitor;
import io.coldframe.testkit.ProcessPipeline;
import io.coldframe.testkit.ServiceProcess;

/**
 * The MongoDB stand-in goes away (every connection closed, nothing listening) for {@code coldframe.it.mongoOutage}
 * (ISO-8601, default PT30S) while the purger (a separate JVM) has segments to purge, then comes back on the same port
 * with its data. The purger retries with backoff and never skips a segment; afterwards every cold memory is purged,
 * each against a verified segment.
 */
class MongoOutageIT {

    private static final Duration OUTAGE = Duration.parse(System.getProperty("coldframe.it.mongoOutage", "PT30S"));

    @Test
    void purgerRetriesThroughAMongoOutageAndSkipsNothing() throws Exception {
        try (LocalStack stack = LocalStack.start();
             ProcessPipeline pipeline = FaultRig.pipeline(stack, "mongo-outage", s -> s.withBatches(Duration.ofSeconds(1), 60));
             FaultRig.Signals signals = new FaultRig.Signals()) {
            FaultRig.loadAndTier(pipeline, FaultRig.documents(400, 51));
            try (InvariantMonitor monitor = pipeline.monitor(Duration.ofSeconds(1)).start()) {
                pipeline.startArchiver(0, NO_FAULT);
                ServiceProcess purger = pipeline.startPurger(NO_FAULT);

                // Hold the purger as it starts its first delete, take MongoDB away, let the purger go on.
                FaultRig.await(purger, 0, "beforeDelete", Duration.ofMinutes(2));
                signals.freeze(purger);
                stack.mongo().stop();
                int resultsAtStop = FaultRig.purgeResults(pipeline).size();
                long stoppedAt = System.nanoTime();
                signals.thaw(purger);
                System.out.printf("  MongoDB stopped for %s with %d purge results committed%n", OUTAGE, resultsAtStop);

                FaultRig.await(purger, 0, "deleteRetrying", Duration.ofSeconds(20));
                Thread.sleep(Math.max(0, OUTAGE.toMillis() - (System.nanoTime() - stoppedAt) / 1_000_000));
                assertThat(FaultRig.purgeResults(pipeline)).as("no result committed without MongoDB's acknowledgement").hasSize(resultsAtStop);
                long retries = purger.markers().stream().filter(m -> m.point().equals("deleteRetrying")).count();
                System.out.printf("  %d delete retries during the outage, last backoff %s ms%n", retries,
                        purger.markers().stream().filter(m -> m.point().equals("deleteRetrying")).reduce((a, b) -> b).orElseThrow().detail(2));
                assertThat(purger.isAlive()).isTrue();

                stack.mongo().restart();
                FaultRig.drain(pipeline, Duration.ofMinutes(3));
                pipeline.stopServices();
                assertThat(monitor.sample()).isEmpty();
                assertThat(monitor.violationCount()).isZero();
            }
            FaultRig.auditAndAssert(pipeline);
            assertThat(FaultRig.purgeResults(pipeline)).as("every committed segment purged").extracting(r -> r.getSegmentId())
                    .containsAll(FaultRig.committedSegmentIds(pipeline));
        }
    }
}
