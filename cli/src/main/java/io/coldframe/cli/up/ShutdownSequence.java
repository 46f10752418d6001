package io.coldframe.cli.up;

import java.io.PrintStream;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadInfo;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * Closes named steps in order, printing each as it ends with the time it took. Should the whole sequence outlast its
 * deadline, it names the step still running, prints every thread's stack and halts the JVM: Ctrl-C never hangs
 * silently. Halting is safe because every invariant holds under a kill; it only skips what the steps left undone.
 */
final class ShutdownSequence {

    /** What ends the JVM when the deadline passes; {@code Runtime.getRuntime()::halt} outside tests. */
    interface Halt {
        void halt(int status);
    }

    /** The exit status after a halt at the deadline. */
    static final int HALTED = 3;

    private record Step(String name, AutoCloseable resource) {
    }

    private final PrintStream out;
    private final Duration deadline;
    private final Halt halt;
    private final List<Step> steps = new ArrayList<>();
    private volatile String running = "";

    ShutdownSequence(PrintStream out, Duration deadline, Halt halt) {
        this.out = out;
        this.deadline = deadline;
        this.halt = halt;
    }

    ShutdownSequence then(String name, AutoCloseable resource) {
        steps.add(new Step(name, resource));
        return this;
    }

    /** Closes every step in order; a step that fails is reported and the next one still runs. */
    void run() {
        CountDownLatch done = new CountDownLatch(1);
        Thread watchdog = new Thread(() -> haltAfterDeadline(done), "coldframe-shutdown-watchdog");
        watchdog.setDaemon(true);
        watchdog.start();
        try {
            for (Step step : steps) {
                running = step.name();
                long start = System.nanoTime();
                try {
                    step.resource().close();
                    out.printf(Locale.ROOT, "stopped %s in %.1f s%n", step.name(), seconds(System.nanoTime() - start));
                } catch (Exception e) {
                    out.printf(Locale.ROOT, "stopping %s failed after %.1f s: %s%n", step.name(), seconds(System.nanoTime() - start), e);
                }
                out.flush();
            }
        } finally {
            done.countDown();
        }
    }

    private void haltAfterDeadline(CountDownLatch done) {
        try {
            if (done.await(deadline.toMillis(), TimeUnit.MILLISECONDS)) {
                return;
            }
        } catch (InterruptedException e) {
            return;
        }
        out.printf(Locale.ROOT, "still stopping %s after %.1f s; halting. Every thread's stack:%n", running, seconds(deadline.toNanos()));
        for (ThreadInfo thread : ManagementFactory.getThreadMXBean().dumpAllThreads(false, false, Integer.MAX_VALUE)) {
            out.print(stack(thread));
        }
        out.flush();
        halt.halt(HALTED);
    }

    /** Every frame, unlike {@link ThreadInfo#toString()}, which stops after eight. */
    private static String stack(ThreadInfo thread) {
        StringBuilder text = new StringBuilder("\"").append(thread.getThreadName()).append("\" ").append(thread.getThreadState()).append('\n');
        for (StackTraceElement frame : thread.getStackTrace()) {
            text.append("    at ").append(frame).append('\n');
        }
        return text.toString();
    }

    private static double seconds(long nanos) {
        return nanos / 1e9;
    }
}
