package io.coldframe.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;

class PhaseCpuTest {

    /** A segment writer's pool lives for one segment: its threads end long before the phase does. */
    @Test
    void aThreadThatEndsDuringThePhaseIsCounted() throws Exception {
        PhaseCpu cpu = PhaseCpu.start();
        Thread worker = new Thread(PhaseCpuTest::spinFor200Ms, "short-lived-worker");
        worker.start();
        while (worker.isAlive()) {
            cpu.sample();
            worker.join(20);
        }
        PhaseCpu.Result spent = cpu.finish();

        long workerNanos = spent.byThread().entrySet().stream().filter(e -> e.getKey().startsWith("short-lived-worker#"))
                .mapToLong(Map.Entry::getValue).sum();
        assertThat(workerNanos).isGreaterThan(TimeUnit.MILLISECONDS.toNanos(100));
        assertThat(spent.processNanos()).isGreaterThanOrEqualTo(workerNanos);
    }

    @Test
    void theCollectorAndCompilerThreadsAreCountedWhereProcIsThere() {
        assumeTrue(Files.isDirectory(Path.of("/proc/self/task")));
        PhaseCpu cpu = PhaseCpu.start();
        System.gc();
        assertThat(cpu.finish().jvmThreads()).containsKeys("jvm_gc", "jvm_jit");
    }

    private static void spinFor200Ms() {
        long until = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(200);
        long x = 0;
        while (System.nanoTime() < until) {
            x += x * 31 + 7;
        }
        if (x == 42) {
            System.out.println(x);
        }
    }
}
