package io.coldframe.cli;

import io.coldframe.common.Progress;

import me.tongfei.progressbar.ConsoleProgressBarConsumer;
import me.tongfei.progressbar.ProgressBar;
import me.tongfei.progressbar.ProgressBarBuilder;

/**
 * A progress bar on stderr for long work. It draws only when there is a lot to do ({@code total} at least the
 * threshold) and a person is watching (a console is attached), so piped output, logs and tests never see it.
 */
public final class TerminalProgress implements Progress {

    private final ProgressBar bar;

    private TerminalProgress(ProgressBar bar) {
        this.bar = bar;
    }

    /** A bar that draws only if {@code total >= threshold} and a console is attached; otherwise {@link Progress#NONE}. */
    public static Progress start(String label, long total, long threshold) {
        if (total < threshold || System.console() == null) {
            return Progress.NONE;
        }
        return new TerminalProgress(new ProgressBarBuilder()
                .setTaskName(label)
                .setInitialMax(total)
                .setUpdateIntervalMillis(200)
                .setConsumer(new ConsoleProgressBarConsumer(System.err))
                .clearDisplayOnFinish()
                .build());
    }

    /** Bars for work of at least {@code threshold} steps. */
    public static Progress.Factory factory(long threshold) {
        return (label, total) -> start(label, total, threshold);
    }

    @Override
    public void advance(long n) {
        bar.stepBy(n);
    }

    @Override
    public void close() {
        bar.close();
    }
}
