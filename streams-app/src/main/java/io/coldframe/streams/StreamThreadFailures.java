package io.coldframe.streams;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.Deque;

import org.apache.kafka.streams.errors.StreamsUncaughtExceptionHandler;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What a failed stream thread gets: a replacement while failures are rare (a transient fault), the end of the client
 * once they repeat within the window (a permanent one, such as a deleted source topic, which every replacement hits
 * again, for ever, while the process looked alive). The client then reaches ERROR, {@code /health/live} answers 503
 * and the main exits 1, so an orchestrator restarts it and an operator sees why.
 */
final class StreamThreadFailures implements StreamsUncaughtExceptionHandler {

    private static final Logger LOG = LoggerFactory.getLogger(StreamThreadFailures.class);

    private final int maxReplacements;
    private final Duration window;
    private final Clock clock;
    private final Deque<Instant> replaced = new ArrayDeque<>();

    StreamThreadFailures(int maxReplacements, Duration window, Clock clock) {
        this.maxReplacements = maxReplacements;
        this.window = window;
        this.clock = clock;
    }

    @Override
    public synchronized StreamThreadExceptionResponse handle(Throwable failure) {
        Instant now = clock.instant();
        while (!replaced.isEmpty() && !replaced.peekFirst().isAfter(now.minus(window))) {
            replaced.pollFirst();
        }
        if (replaced.size() >= maxReplacements) {
            LOG.error("tiering stream thread failed again after {} replacements within {}; stopping Kafka Streams "
                    + "(liveness fails, the process exits 1)", replaced.size(), window, failure);
            return StreamThreadExceptionResponse.SHUTDOWN_CLIENT;
        }
        replaced.addLast(now);
        LOG.error("tiering stream thread failed; replacing it ({} of at most {} within {})", replaced.size(), maxReplacements,
                window, failure);
        return StreamThreadExceptionResponse.REPLACE_THREAD;
    }
}
