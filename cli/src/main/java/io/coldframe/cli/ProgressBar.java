package io.coldframe.cli;

import java.io.PrintWriter;

/**
 * A one-line progress bar on stderr for long work. It draws only when there is a lot to do ({@code total} at least
 * the threshold) and a person is watching (a console is attached), so piped output, logs and tests never see it.
 * Redraws at most every 200 ms; {@link #close()} erases the line.
 */
final class ProgressBar implements AutoCloseable {

    private static final long REDRAW_NANOS = 200_000_000L;
    private static final int WIDTH = 30;

    private final PrintWriter err;
    private final String label;
    private final long total;
    private final boolean enabled;
    private final long started = System.nanoTime();
    private long done;
    private long lastDraw;
    private int drawnLength;

    private ProgressBar(PrintWriter err, String label, long total, boolean enabled) {
        this.err = err;
        this.label = label;
        this.total = Math.max(1, total);
        this.enabled = enabled;
    }

    /** A bar that draws only if {@code total >= threshold} and stdin/stdout are a terminal. */
    static ProgressBar create(PrintWriter err, String label, long total, long threshold) {
        return new ProgressBar(err, label, total, total >= threshold && System.console() != null);
    }

    /** A bar that never draws. */
    static ProgressBar none() {
        return new ProgressBar(null, "", 1, false);
    }

    boolean enabled() {
        return enabled;
    }

    void step() {
        advance(1);
    }

    void advance(long n) {
        set(done + n);
    }

    void set(long value) {
        done = Math.min(value, total);
        if (!enabled) {
            return;
        }
        long now = System.nanoTime();
        if (now - lastDraw >= REDRAW_NANOS || done == total) {
            lastDraw = now;
            draw(now);
        }
    }

    private void draw(long now) {
        int filled = (int) (WIDTH * done / total);
        long seconds = (now - started) / 1_000_000_000L;
        String line = String.format("%s [%s%s] %3d%% %,d/%,d %ds", label, "#".repeat(filled), ".".repeat(WIDTH - filled),
                100 * done / total, done, total, seconds);
        err.print('\r' + line + " ".repeat(Math.max(0, drawnLength - line.length())));
        err.flush();
        drawnLength = line.length();
    }

    @Override
    public void close() {
        if (enabled && drawnLength > 0) {
            err.print('\r' + " ".repeat(drawnLength) + '\r');
            err.flush();
            drawnLength = 0;
        }
    }
}
