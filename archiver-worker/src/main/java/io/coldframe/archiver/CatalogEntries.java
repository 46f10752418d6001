package io.coldframe.archiver;

import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import io.coldframe.schemas.CatalogEntry;
import io.coldframe.schemas.SegmentCommitted;
import io.coldframe.segment.SegmentManifest;

/**
 * The catalog entries a committed segment publishes, one per archived memory version: its segment and the frames of
 * its block. Public so that tools which build archives (bench archive-read) publish exactly what the archiver does.
 */
public final class CatalogEntries {

    private CatalogEntries() {
    }

    /** {@code createdAt}: each memory's created_at (absent when it has none). */
    public static List<CatalogEntry> of(SegmentCommitted commit, SegmentManifest manifest, Map<String, Instant> createdAt) {
        Map<String, String> agents = new HashMap<>();
        commit.getMemories().forEach(memory -> agents.put(memory.getId(), memory.getAgent()));
        List<CatalogEntry> entries = new ArrayList<>();
        for (SegmentManifest.Entry entry : manifest.entries()) {
            SegmentManifest.Block block = manifest.blocks().get(entry.blockIndex());
            entries.add(new CatalogEntry(entry.memoryId(), agents.get(entry.memoryId()), entry.version(), commit.getSegmentId(),
                    commit.getLocation(), entry.blockIndex(), block.firstFrame(), block.lastFrame(), commit.getCommittedAt(),
                    createdAt.get(entry.memoryId())));
        }
        return entries;
    }
}
