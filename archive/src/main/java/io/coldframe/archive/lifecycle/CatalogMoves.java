package io.coldframe.archive.lifecycle;

import java.util.HashMap;
import java.util.Map;
import java.util.Optional;

import io.coldframe.schemas.CatalogEntry;
import io.coldframe.segment.SegmentManifest;

/**
 * What a {@link CatalogUpdates.Change} does to one memory's latest catalog entry: the same memory in the new segment
 * (segment, location, block and frames of its last record there, as the archiver's entries point at a memory's last
 * record), or a tombstone ({@link Optional#empty}) when the new segment does not hold it. Agent, created_at and
 * archived_at stay those of the entry: the memory was archived then, a rewrite only moved it.
 */
public final class CatalogMoves {

    private final CatalogUpdates.Change change;
    private final Map<String, SegmentManifest.Entry> lastById = new HashMap<>();

    public CatalogMoves(CatalogUpdates.Change change) {
        this.change = change;
        change.rewrite().ifPresent(rewrite -> rewrite.manifest().entries().forEach(entry -> lastById.put(entry.memoryId(), entry)));
    }

    /** Whether {@code entry} is one the change updates: it lies in the old segment. */
    public boolean affects(CatalogEntry entry) {
        return change.oldSegmentId().equals(entry.getSegmentId());
    }

    /** The entry that replaces {@code current} (which {@link #affects}), or empty for a tombstone. */
    public Optional<CatalogEntry> replacement(CatalogEntry current) {
        SegmentManifest.Entry moved = lastById.get(current.getMemoryId());
        if (moved == null) {
            return Optional.empty();
        }
        CatalogUpdates.StoredRewrite rewrite = change.rewrite().orElseThrow();
        SegmentManifest.Block block = rewrite.manifest().blocks().get(moved.blockIndex());
        return Optional.of(CatalogEntry.newBuilder(current).setVersion(moved.version()).setSegmentId(rewrite.segmentId())
                .setLocation(rewrite.location()).setBlockIndex(moved.blockIndex()).setFirstFrame(block.firstFrame())
                .setLastFrame(block.lastFrame()).build());
    }
}
