package io.coldframe.streams;

import java.time.Instant;

/**
 * Restore marks as the tiering engine sees them: a memory restored from the archive stays out of the cold tier
 * until its hold ends, so it is not archived again at once. Advisory: a missing hold only means a restored memory
 * may be archived again, never that anything is lost.
 */
public interface RestoreHolds {

    RestoreHolds NONE = memoryId -> null;

    /** When the memory's hold ends, or null when it has none. */
    Instant holdUntil(String memoryId);
}
