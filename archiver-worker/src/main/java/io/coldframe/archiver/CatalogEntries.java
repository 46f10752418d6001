package io.coldframe.archiver;

import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import io.coldframe.schemas.ArchivedMemory;
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

    /**
     * {@code createdAt}: each memory's created_at (absent when it has none). An entry names the commit's redaction
     * policy only when that policy changed the record, so a reader knows the archived document is not MongoDB's.
     */
    public static List<CatalogEntry> of(SegmentCommitted commit, SegmentManifest manifest, Map<String, Instant> createdAt) {
        Map<String, String> agents = new HashMap<>();
        Set<String> redacted = new HashSet<>();
        for (ArchivedMemory memory : commit.getMemories()) {
            agents.put(memory.getId(), memory.getAgent());
            if (memory.getStoredVersion() != null) {
                redacted.add(memory.getId() + "@" + memory.getStoredVersion());
            }
        }
        List<CatalogEntry> entries = new ArrayList<>();
        for (SegmentManifest.Entry entry : manifest.entries()) {
            SegmentManifest.Block block = manifest.blocks().get(entry.blockIndex());
            String policy = redacted.contains(entry.memoryId() + "@" + entry.version()) ? commit.getRedactionPolicy() : null;
            entries.add(new CatalogEntry(entry.memoryId(), agents.get(entry.memoryId()), entry.version(), commit.getSegmentId(),
                    commit.getLocation(), entry.blockIndex(), block.firstFrame(), block.lastFrame(), commit.getCommittedAt(),
                    createdAt.get(entry.memoryId()), policy));
        }
        return entries;
    }
}
