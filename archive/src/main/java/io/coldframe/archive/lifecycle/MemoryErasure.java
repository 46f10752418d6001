package io.coldframe.archive.lifecycle;

import java.io.IOException;
import java.nio.file.NoSuchFileException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;

import org.bson.BsonArray;
import org.bson.BsonDocument;

import com.mongodb.client.MongoCollection;

import io.coldframe.common.MemoryDocuments;
import io.coldframe.common.MemoryFields;
import io.coldframe.segment.SegmentManifest;
import io.coldframe.store.SegmentStore;

/**
 * Removes memories from every place coldframe keeps them: MongoDB, the hot and warm tier views (tombstones; the hot
 * cache follows the hot one), and every stored segment holding any version of them ({@link SegmentRewrite}, which
 * tombstones their catalog entries), in that order: the tombstones first, since they cost nothing if the rest fails
 * (a view misses a memory MongoDB still has) and prove Kafka reachable before anything is deleted; then MongoDB, so the
 * pipeline gets no further version from the document; then the segments. Each step is idempotent and a re-run after a crash completes what is left; a re-run after completion finds nothing.
 * A version still on its way through the cold topic when this runs may be archived afterwards: run it again once the
 * archivers caught up ({@code docs/privacy.md}).
 */
public final class MemoryErasure {

    /** Tombstones for the compacted tier views, so no view (nor the hot cache following it) keeps the memories. */
    public interface TierViews {
        /** @return the topics tombstoned */
        List<String> tombstone(Collection<String> memoryIds) throws IOException;
    }

    /**
     * What an erasure removed, from where.
     *
     * @param mongoDocuments documents deleted from MongoDB (0 on a re-run); in a dry run, those found
     * @param tierViews      topics given a tombstone per memory (none in a dry run)
     * @param segmentsFound  stored segments that held any version of the memories
     * @param rewrites       what the rewrite of each of them did (none in a dry run)
     */
    public record Receipt(List<String> memoryIds, boolean dryRun, long mongoDocuments, List<String> tierViews,
                          List<String> segmentsFound, List<SegmentRewrite.Result> rewrites) {
    }

    private final SegmentStore store;
    private final SegmentRewrite rewrite;
    private final MongoCollection<BsonDocument> memories;
    private final TierViews views;

    public MemoryErasure(SegmentStore store, SegmentRewrite rewrite, MongoCollection<BsonDocument> memories, TierViews views) {
        this.store = store;
        this.rewrite = rewrite;
        this.memories = memories;
        this.views = views;
    }

    /** Erases {@code memoryIds} (memory ids: canonical Extended JSON of {@code _id}); with {@code dryRun} only finds them. */
    public Receipt erase(Collection<String> memoryIds, boolean dryRun) throws IOException {
        Set<String> ids = new TreeSet<>(memoryIds);
        BsonDocument filter = new BsonDocument(MemoryFields.ID, new BsonDocument("$in",
                new BsonArray(ids.stream().map(MemoryDocuments::idValue).toList())));
        List<String> holding = segmentsHolding(ids);
        if (dryRun) {
            return new Receipt(List.copyOf(ids), true, memories.countDocuments(filter), List.of(), holding, List.of());
        }
        List<String> tombstoned = views.tombstone(ids);
        long deleted = memories.deleteMany(filter).getDeletedCount();
        List<SegmentRewrite.Result> rewritten = new ArrayList<>();
        for (String segmentId : holding) {
            rewritten.add(rewrite.rewrite(segmentId, record -> ids.contains(record.memoryId())));
        }
        return new Receipt(List.copyOf(ids), false, deleted, tombstoned, holding, rewritten);
    }

    /**
     * Every stored segment with any version of the memories, from the manifests (the catalog knows only each memory's
     * latest version). A manifest that cannot be read ends the erasure: that segment may hold one.
     */
    private List<String> segmentsHolding(Set<String> ids) throws IOException {
        List<String> holding = new ArrayList<>();
        for (String segmentId : store.list()) {
            SegmentManifest manifest;
            try {
                manifest = store.manifest(segmentId);
            } catch (NoSuchFileException gone) {
                continue; // removed since the listing (gc, another rewrite)
            } catch (IOException e) {
                throw new IOException("cannot read the manifest of segment " + segmentId + ", which may hold a memory being erased: "
                        + e.getMessage(), e);
            }
            if (manifest.entries().stream().map(SegmentManifest.Entry::memoryId).anyMatch(ids::contains)) {
                holding.add(segmentId);
            }
        }
        return holding;
    }
}
