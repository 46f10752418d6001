package io.coldframe.segment;

import java.io.IOException;
import java.util.Optional;

/**
 * The records of one block, kept as the block's decompressed bodies and decoded one at a time when asked for: what a
 * cache of recently read blocks holds. A get decodes only the records whose id fingerprint matches, and checks each
 * as a whole-block read would (its id derived from its BSON, its version recomputed). Immutable, so safe to share
 * between threads, and independent of the reader it came from (which may be closed since).
 */
public interface BlockRecords {

    /** The record with this memory id in the block (of several versions, the last written), if the block holds it. */
    Optional<SegmentRecord> get(String memoryId) throws IOException;

    /** Bytes this block holds in memory (its bodies), for bounding a cache of blocks. */
    long bytes();
}
