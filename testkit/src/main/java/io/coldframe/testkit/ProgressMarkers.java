package io.coldframe.testkit;

import java.io.PrintStream;
import java.util.Collection;
import java.util.List;
import java.util.stream.Collectors;

import org.apache.kafka.common.TopicPartition;

import io.coldframe.archiver.ArchiveProgressListener;
import io.coldframe.purger.PurgeProgressListener;

/**
 * Progress listeners that print one line per protocol step, {@code COLDFRAME-PROGRESS <step> <details...>}, so a
 * parent process ({@link ServiceProcess}) sees where a child archiver or purger is. After printing, each step passes
 * through a {@link Gate}: the default lets it go on; a fault test's gate can hold the service right there until it is
 * killed.
 */
public final class ProgressMarkers {

    public static final String PREFIX = "COLDFRAME-PROGRESS ";

    /** Called after a step's line was printed, on the service's own thread. */
    @FunctionalInterface
    public interface Gate {
        Gate OPEN = (step, detail) -> { };

        void passed(String step, String detail);
    }

    private final PrintStream out;
    private final Gate gate;

    public ProgressMarkers(PrintStream out, Gate gate) {
        this.out = out;
        this.gate = gate;
    }

    /** Reports a step of a service without a listener interface of its own (streams, connect). */
    public void step(String step, String detail) {
        mark(step, detail);
    }

    private void mark(String step, String detail) {
        synchronized (out) {
            out.println(PREFIX + step + (detail.isEmpty() ? "" : " " + detail));
            out.flush();
        }
        gate.passed(step, detail);
    }

    public ArchiveProgressListener archiver() {
        return new ArchiveProgressListener() {
            @Override
            public void segmentWriting(String segmentId, int records) {
                mark("segmentWriting", segmentId + " " + records);
            }

            @Override
            public void segmentVerified(String segmentId) {
                mark("segmentVerified", segmentId);
            }

            @Override
            public void segmentStored(String segmentId, String location) {
                mark("segmentStored", segmentId);
            }

            @Override
            public void beforeCommit(String segmentId) {
                mark("beforeCommit", segmentId);
            }

            @Override
            public void committed(String segmentId, int memories) {
                mark("committed", segmentId + " " + memories);
            }

            @Override
            public void batchesDropped(Collection<TopicPartition> partitions) {
                mark("batchesDropped", partitions.stream().map(TopicPartition::toString).collect(Collectors.joining(",")));
            }
        };
    }

    public PurgeProgressListener purger() {
        return new PurgeProgressListener() {
            @Override
            public void beforeDelete(String segmentId, int memories) {
                mark("beforeDelete", segmentId + " " + memories);
            }

            @Override
            public void deleteRetrying(String segmentId, int attempt, long backoffMs) {
                mark("deleteRetrying", segmentId + " " + attempt + " " + backoffMs);
            }

            @Override
            public void deleteAcknowledged(String segmentId, int deleted, int skipped) {
                mark("deleteAcknowledged", segmentId + " " + deleted + " " + skipped);
            }

            @Override
            public void beforeOffsetCommit(List<String> segmentIds) {
                mark("beforeOffsetCommit", String.join(",", segmentIds));
            }

            @Override
            public void protectedByRestore(String segmentId, int memories) {
                mark("protectedByRestore", segmentId + " " + memories);
            }

            @Override
            public void committed(List<String> segmentIds) {
                mark("purgeCommitted", String.join(",", segmentIds));
            }
        };
    }
}
