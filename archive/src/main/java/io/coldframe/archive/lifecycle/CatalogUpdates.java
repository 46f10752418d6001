package io.coldframe.archive.lifecycle;

import java.io.IOException;
import java.util.Objects;
import java.util.Optional;

import io.coldframe.segment.SegmentManifest;

/**
 * Where a rewrite tells the archive catalog that a segment's records moved or are gone. The catalog is keyed by memory
 * id and holds each memory's latest archived version, which may lie in another segment than the one rewritten: only
 * memories whose latest entry lies in {@link Change#oldSegmentId} are touched.
 */
public interface CatalogUpdates {

    /**
     * For every memory whose latest entry lies in {@code change.oldSegmentId()}: an entry pointing at the memory's last
     * record in the new segment if that segment holds the memory, a tombstone otherwise. Memories whose latest entry
     * lies elsewhere are left alone. Idempotent: once published, no entry lies in the old segment and a second call
     * publishes nothing. Each single update keeps the catalog pointing at a stored segment, so a publish cut short is
     * harmless too; the next call completes it.
     */
    void publish(Change change) throws IOException;

    /**
     * @param oldSegmentId the segment being replaced
     * @param rewrite      the stored, verified segment replacing it; empty when nothing of the old one is kept (it expires)
     */
    record Change(String oldSegmentId, Optional<StoredRewrite> rewrite) {
        public Change {
            Objects.requireNonNull(oldSegmentId, "oldSegmentId");
            Objects.requireNonNull(rewrite, "rewrite");
        }
    }

    /** A rewritten segment as stored: its id, the store's location of its video, and its manifest (blocks, entries). */
    record StoredRewrite(String segmentId, String location, SegmentManifest manifest) {
    }
}
