package io.coldframe.testkit.faults;

import static io.coldframe.testkit.faults.FaultRig.NO_FAULT;
import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.List;

import org.junit.jupiter.api.Test;

import io.coldframe.local.LocalStack;
import io.coldframe.testkit.InvariantMonitor;
import io.coldframe.testkit.ProcessPipeline;
import io.coldframe.testkit.ServiceProcess;

/**
 * The broker stops and restarts (same node, ports and data) while tiering, two archiver workers (separate JVMs) and the
 * purger are busy. Every service rides it out; afterwards everything cold is archived and purged, nothing lost.
 */
class BrokerRestartIT {

    @Test
    void brokerRestartMidPipeline() throws Exception {
        try (LocalStack stack = LocalStack.start();
             ProcessPipeline pipeline = FaultRig.pipeline(stack, "broker-restart", s -> s.withBatches(Duration.ofSeconds(1), 40))) {
            pipeline.load(FaultRig.documents(600, 41));
            try (InvariantMonitor monitor = pipeline.monitor(Duration.ofSeconds(1)).start()) {
                pipeline.startTiering();
                pipeline.startConnector();
                ServiceProcess purger = pipeline.startPurger(NO_FAULT);
                List<ServiceProcess> archivers = List.of(pipeline.startArchiver(0, NO_FAULT), pipeline.startArchiver(1, NO_FAULT));
                awaitFirstCommit(archivers);

                long restartAt = System.nanoTime();
                stack.kafka().stop();
                System.out.println("  broker stopped; committed so far " + committedMarkers(archivers));
                Thread.sleep(5_000);
                stack.kafka().start();
                System.out.printf("  broker back after %d ms%n", (System.nanoTime() - restartAt) / 1_000_000);

                FaultRig.drain(pipeline, Duration.ofMinutes(4));
                assertThat(purger.isAlive()).as("purger survived").isTrue();
                assertThat(archivers).allMatch(ServiceProcess::isAlive, "archivers survived");
                System.out.println("  committed after the restart " + committedMarkers(archivers));
                pipeline.stopServices();
                assertThat(monitor.sample()).isEmpty();
                assertThat(monitor.violationCount()).isZero();
            }
            FaultRig.assertEachSegmentCommittedOnce(FaultRig.auditAndAssert(pipeline));
        }
    }

    private static void awaitFirstCommit(List<ServiceProcess> archivers) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofMinutes(2).toNanos();
        while (committedMarkers(archivers) == 0) {
            assertThat(System.nanoTime()).as("an archiver committed a segment").isLessThan(deadline);
            Thread.sleep(50);
        }
    }

    private static long committedMarkers(List<ServiceProcess> archivers) {
        return archivers.stream().flatMap(a -> a.markers().stream()).filter(m -> m.point().equals("committed")).count();
    }
}
