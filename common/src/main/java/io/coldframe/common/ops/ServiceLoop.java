package io.coldframe.common.ops;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A service whose work is one loop (archiver, purger, hot-cache): it runs until asked to stop ({@link #close}) or until
 * it ends by itself (a fenced producer, an error), and its process then exits non-zero so an orchestrator restarts it.
 */
public interface ServiceLoop extends Runnable, AutoCloseable {

    /** Whether the loop was asked to stop, as opposed to ending by itself. */
    boolean stopRequested();

    /** Asks the loop to stop and waits for it to end. */
    @Override
    void close();

    /**
     * Runs the loop on the calling thread until it ends, its ops endpoint (already started) beside it; a shutdown hook
     * stops both. Returns the exit code: 0 after a requested stop, 1 when the loop ended by itself.
     *
     * @param name names the loop in the log ("the purge loop failed") and the hook's thread
     */
    static int serve(String name, ServiceLoop loop, AutoCloseable ops) {
        Logger log = LoggerFactory.getLogger(loop.getClass());
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            loop.close();
            try {
                ops.close();
            } catch (Exception e) {
                log.warn("closing the ops endpoint failed", e);
            }
        }, name + "-shutdown"));
        try {
            loop.run();
        } catch (RuntimeException e) {
            log.error("the {} loop failed", name, e);
        }
        return loop.stopRequested() ? 0 : 1;
    }
}
