package io.coldframe.purger;

import java.util.List;

/**
 * The steps of the purger's protocol as they happen, for metrics and for fault tests that must stop the purger at
 * an exact point. Per poll: for each commit event {@link #beforeDelete}, then (after any {@link #deleteRetrying})
 * {@link #deleteAcknowledged}; then {@link #beforeOffsetCommit} and {@link #committed} for the transaction holding
 * the purge results and the consumer offset. Calls come on the purger's thread; a listener must not throw.
 */
public interface PurgeProgressListener {

    /** Listens to nothing: the default. */
    PurgeProgressListener NONE = new PurgeProgressListener() {
    };

    /** The guarded delete of a committed segment's memories is about to start. */
    default void beforeDelete(String segmentId, int memories) {
    }

    /** MongoDB did not acknowledge the delete; it is retried after {@code backoffMs}, never skipped. */
    default void deleteRetrying(String segmentId, int attempt, long backoffMs) {
    }

    /** MongoDB acknowledged the delete; its result is in the open transaction, the offset not yet committed. */
    default void deleteAcknowledged(String segmentId, int deleted, int skipped) {
    }

    /** Results and consumer offsets are in the open transaction; its commit comes next. */
    default void beforeOffsetCommit(List<String> segmentIds) {
    }

    /**
     * A commit event went to the dead-letter topic instead of being purged: its segment could not be confirmed in
     * the store ({@code kind} segment-unconfirmed), MongoDB rejected its delete for good (delete-rejected), or it did
     * not decode (undecodable, {@code segmentId} null). Nothing of it was deleted, except, for delete-rejected,
     * exact archived versions deleted before the rejection. An alert.
     */
    default void deadLettered(String segmentId, String kind, String reason) {
    }

    /** Memories holding the archived version were kept because a restore newer than the commit protects them. */
    default void protectedByRestore(String segmentId, int memories) {
    }

    /** The transaction committed: these segments are done and will not be replayed. */
    default void committed(List<String> segmentIds) {
    }
}
