package io.coldframe.archive.lifecycle;

import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import io.coldframe.schemas.CatalogEntry;
import io.coldframe.segment.SegmentManifest;

/** The catalog as the read side sees it (each memory's latest entry), updated one memory at a time like a topic. */
final class InMemoryCatalog implements CatalogUpdates {

    private final Map<String, CatalogEntry> latest = new LinkedHashMap<>();
    /** Updates applied before a publish fails, to cut a publish short; negative: never fails. */
    private int failAfter = -1;
    private int publishes;

    /** Entries as the archiver publishes them for a committed segment: each memory's last record in it. */
    void archived(String segmentId, SegmentManifest manifest) {
        for (SegmentManifest.Entry entry : manifest.entries()) {
            SegmentManifest.Block block = manifest.blocks().get(entry.blockIndex());
            latest.put(entry.memoryId(), new CatalogEntry(entry.memoryId(), "agent-1", entry.version(), segmentId, "file:///" + segmentId,
                    entry.blockIndex(), block.firstFrame(), block.lastFrame(), java.time.Instant.EPOCH, null, null));
        }
    }

    /** Gives a memory's entry the created_at the tiering engine read, which retention ages it by. */
    void created(String memoryId, java.time.Instant at) {
        latest.get(memoryId).setCreatedAt(at);
    }

    java.util.Collection<CatalogEntry> entries() {
        return List.copyOf(latest.values());
    }

    void failAfter(int updates) {
        failAfter = updates;
    }

    Optional<CatalogEntry> latest(String memoryId) {
        return Optional.ofNullable(latest.get(memoryId));
    }

    Map<String, CatalogEntry> snapshot() {
        return Map.copyOf(latest);
    }

    int publishes() {
        return publishes;
    }

    @Override
    public void publish(Change change) throws IOException {
        publishes++;
        CatalogMoves moves = new CatalogMoves(change);
        List<CatalogEntry> affected = new ArrayList<>(latest.values().stream().filter(moves::affects).toList());
        int applied = 0;
        for (CatalogEntry entry : affected) {
            if (applied++ == failAfter) {
                failAfter = -1;
                throw new IOException("publish cut short after " + (applied - 1) + " updates");
            }
            moves.replacement(entry).ifPresentOrElse(moved -> latest.put(moved.getMemoryId(), moved), () -> latest.remove(entry.getMemoryId()));
        }
    }
}
