package io.coldframe.common.ops;

import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicBoolean;

import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.common.errors.WakeupException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The life of a {@link ServiceLoop}'s poll loop, the same for the archiver, purger and hot-cache: it runs until
 * {@link #stop} is asked for or until it ends by itself (an error); from then on {@link #alive()} is false, so the
 * service's {@code /health/live} answers 503 and its orchestrator restarts it.
 */
public final class LoopControl {

    /** One pass of a loop's work; {@link #running()} tells it whether to go on. */
    @FunctionalInterface
    public interface Body {
        void run() throws InterruptedException;
    }

    private final String name;
    private final Logger log;
    private final AtomicBoolean running = new AtomicBoolean(true);
    private final CountDownLatch ended = new CountDownLatch(1);
    private volatile boolean loopEnded;

    /** @param name names the loop in the log: "the {name} loop ended without being asked to stop" */
    public LoopControl(String name, Class<?> owner) {
        this.name = name;
        this.log = LoggerFactory.getLogger(owner);
    }

    /** True until a stop was asked for: the loop and any retry inside it go on while this holds. */
    public boolean running() {
        return running.get();
    }

    /** True while the loop runs (or has yet to start); false once it ended, for whatever reason. */
    public boolean alive() {
        return !loopEnded;
    }

    /** True once {@link #stop} was asked for: the loop's end is then expected, not a failure. */
    public boolean stopRequested() {
        return !running.get();
    }

    /**
     * Runs {@code body} on the calling thread. The consumer's wake-up after a stop and an interrupt end it quietly;
     * any other exception is rethrown after {@code release} ran. {@code release} closes the loop's clients, once. A
     * loop that ends without a stop is logged with what ended it, so the 503 of /health/live has a reason in the log.
     */
    public void run(Body body, Runnable release) {
        Throwable cause = null;
        try {
            body.run();
        } catch (WakeupException e) {
            if (running.get()) {
                cause = e;
                throw e;
            }
        } catch (InterruptedException e) {
            cause = e;
            Thread.currentThread().interrupt();
        } catch (RuntimeException | Error e) {
            cause = e;
            throw e;
        } finally {
            loopEnded = true;
            if (running.get()) {
                log.error("the {} loop ended without being asked to stop; /health/live now answers 503", name, cause);
            }
            try {
                release.run();
            } finally {
                ended.countDown();
            }
        }
    }

    /** Asks the loop to stop, wakes its consumer out of {@code poll}, and waits until the loop released its clients. */
    public void stop(Consumer<?, ?> consumer) {
        running.set(false);
        consumer.wakeup();
        try {
            ended.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** Closes {@code resource}, logging rather than throwing: one failed close must not keep the others open. */
    public void closeQuietly(AutoCloseable resource) {
        try {
            resource.close();
        } catch (Exception e) {
            log.warn("closing {} failed", resource.getClass().getSimpleName(), e);
        }
    }
}
