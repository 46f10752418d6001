package io.coldframe.bench;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadInfo;
import java.lang.management.ThreadMXBean;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.stream.Stream;

/**
 * The CPU time a phase of a benchmark spent, by thread and for the whole process.
 *
 * <p>A thread that ends before the phase does (a segment writer's pool lives for one segment) is counted as far as
 * the last {@link #sample()} saw it; a delta of two snapshots would miss it entirely. The JVM's own garbage-collector
 * and JIT-compiler threads are not Java threads: on Linux their CPU time is read from {@code /proc/self/task}. What
 * none of these accounts for (a thread's last moments after its last sample, other JVM threads) is the difference
 * between the process's CPU time and their sum.
 */
final class PhaseCpu {

    /**
     * CPU nanoseconds per Java thread ({@code name#id}), of the JVM's own threads by kind ({@code jvm_gc}, {@code jvm_jit};
     * empty where {@code /proc} is not there) and of the whole process.
     */
    record Result(Map<String, Long> byThread, Map<String, Long> jvmThreads, long processNanos) {
    }

    /** Linux reports a thread's CPU time in clock ticks of USER_HZ, which is 100 per second on every architecture. */
    private static final long NANOS_PER_TICK = 10_000_000L;

    private final ThreadMXBean threads = ManagementFactory.getThreadMXBean();
    private final com.sun.management.OperatingSystemMXBean os =
            (com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
    private final Map<Long, Long> atStart = new HashMap<>();
    private final Map<Long, Long> lastSeen = new HashMap<>();
    private final Map<Long, String> names = new HashMap<>();
    private final long processAtStart;
    private final Map<String, Long> jvmThreadsAtStart;

    private PhaseCpu() {
        read(atStart);
        jvmThreadsAtStart = jvmThreads();
        processAtStart = os.getProcessCpuTime();
    }

    static PhaseCpu start() {
        return new PhaseCpu();
    }

    /** Reads every live thread's CPU time; call it often enough to see short-lived threads. */
    void sample() {
        read(lastSeen);
    }

    Result finish() {
        sample();
        long process = os.getProcessCpuTime() - processAtStart;
        Map<String, Long> byThread = new HashMap<>();
        lastSeen.forEach((id, nanos) -> {
            long spent = nanos - atStart.getOrDefault(id, 0L);
            if (spent > 0) {
                byThread.put(names.get(id) + "#" + id, spent);
            }
        });
        Map<String, Long> jvm = new HashMap<>();
        jvmThreads().forEach((kind, nanos) -> jvm.put(kind, nanos - jvmThreadsAtStart.getOrDefault(kind, 0L)));
        return new Result(byThread, jvm, process);
    }

    /** CPU nanoseconds of the JVM's garbage-collector and compiler threads, by kind; empty without {@code /proc}. */
    private static Map<String, Long> jvmThreads() {
        Map<String, Long> byKind = new HashMap<>();
        try (Stream<Path> tasks = Files.list(Path.of("/proc/self/task"))) {
            tasks.forEach(task -> {
                try {
                    String stat = Files.readString(task.resolve("stat"));
                    String comm = stat.substring(stat.indexOf('(') + 1, stat.lastIndexOf(')'));
                    String kind = comm.startsWith("GC Thread") || comm.startsWith("G1 ") ? "jvm_gc"
                            : comm.startsWith("C1 Compiler") || comm.startsWith("C2 Compiler") ? "jvm_jit" : null;
                    if (kind != null) {
                        // Fields after the command: state is the 1st, utime the 12th, stime the 13th.
                        String[] fields = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
                        long ticks = Long.parseLong(fields[11]) + Long.parseLong(fields[12]);
                        byKind.merge(kind, ticks * NANOS_PER_TICK, Long::sum);
                    }
                } catch (IOException | RuntimeException e) {
                    // The thread ended while we looked.
                }
            });
        } catch (IOException e) {
            return Map.of();
        }
        return byKind;
    }

    private void read(Map<Long, Long> into) {
        for (ThreadInfo info : threads.getThreadInfo(threads.getAllThreadIds())) {
            if (info == null) {
                continue;
            }
            long nanos = threads.getThreadCpuTime(info.getThreadId());
            if (nanos > 0) {
                into.put(info.getThreadId(), nanos);
                names.put(info.getThreadId(), info.getThreadName());
            }
        }
    }
}
