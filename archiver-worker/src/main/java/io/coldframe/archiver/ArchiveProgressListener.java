package io.coldframe.archiver;

import java.util.Collection;

import org.apache.kafka.common.TopicPartition;

/**
 * The steps of the archiver's commit protocol as they happen, for metrics and for fault tests that must stop a
 * worker at an exact point. For one batch the order is always {@link #segmentWriting}, {@link #segmentVerified},
 * {@link #segmentStored}, {@link #beforeCommit}, {@link #committed}; a failed step ends the sequence and the batch is
 * retried from its first offset. Calls come on the worker's polling thread, so a slow listener slows the worker;
 * a listener must not throw.
 */
public interface ArchiveProgressListener {

    /** Listens to nothing: the default. */
    ArchiveProgressListener NONE = new ArchiveProgressListener() {
    };

    /** A partition's batch closed; its segment is about to be written to local staging. Nothing is stored yet. */
    default void segmentWriting(String segmentId, int records) {
    }

    /** Every frame of the staged segment was read back and every record compared equal; still nothing stored. */
    default void segmentVerified(String segmentId) {
    }

    /** The verified segment is stored durably and re-hashed; no commit event exists yet, so nothing may be deleted. */
    default void segmentStored(String segmentId, String location) {
    }

    /** Catalog entries, commit event and consumer offset are in the open transaction; its commit comes next. */
    default void beforeCommit(String segmentId) {
    }

    /** The transaction committed: the commit event is visible to read_committed consumers (the purger). */
    default void committed(String segmentId, int memories) {
    }

    /**
     * The store refused {@code segmentId}: an object of that id exists with other bytes. Nothing was replaced or
     * committed; the batch is retried, and refused again until an operator resolves the clash.
     */
    default void segmentConflict(String segmentId) {
    }

    /** Open batches of partitions taken from this worker were dropped uncommitted; their next owner re-reads them. */
    default void batchesDropped(Collection<TopicPartition> partitions) {
    }
}
