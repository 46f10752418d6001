package io.coldframe.archive.lifecycle;

/**
 * The steps of a segment rewrite as they happen, for audit logs and for tests that must stop a rewrite at an exact
 * point. For one rewrite the order is {@link #written}, {@link #verified}, {@link #stored}, {@link #catalogPublished},
 * {@link #oldDeleted}; an expiry (nothing kept) has only the last two. A failed step ends the sequence and leaves every
 * kept record in the old or the new stored segment; a re-run goes through every step again.
 */
public interface RewriteProgress {

    /** Listens to nothing: the default. */
    RewriteProgress NONE = new RewriteProgress() {
    };

    /** The new segment is written to staging; nothing is stored yet. */
    default void written(String oldSegmentId, String newSegmentId, int keptRecords) {
    }

    /** Every frame of the new segment verified and every kept record read back byte for byte equal. */
    default void verified(String oldSegmentId, String newSegmentId) {
    }

    /** The new segment is stored durably; the catalog still points at the old one, which is still stored. */
    default void stored(String oldSegmentId, String newSegmentId, String location) {
    }

    /** The catalog points at the new segment for kept memories and holds tombstones for dropped ones. */
    default void catalogPublished(String oldSegmentId) {
    }

    /** The old segment is removed from the store: the rewrite (or expiry) is complete. */
    default void oldDeleted(String oldSegmentId) {
    }
}
