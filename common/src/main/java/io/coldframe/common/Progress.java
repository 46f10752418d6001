package io.coldframe.common;

/**
 * Progress of one long piece of work, for whoever watches it (a terminal progress bar in the CLI, nothing in a
 * service). Libraries take a {@link Factory} so they never decide how progress is shown.
 */
public interface Progress extends AutoCloseable {

    /** Progress that shows nothing. */
    Progress NONE = new Progress() {
        @Override
        public void advance(long n) {
        }
    };

    /** Shows nothing, for work no one watches. */
    Factory SILENT = (label, total) -> NONE;

    /** Creates the progress of a piece of work named {@code label} with {@code total} steps. */
    @FunctionalInterface
    interface Factory {
        Progress start(String label, long total);
    }

    void advance(long n);

    default void step() {
        advance(1);
    }

    @Override
    default void close() {
    }
}
