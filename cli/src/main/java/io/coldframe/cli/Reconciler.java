package io.coldframe.cli;

import java.io.IOException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.BiConsumer;

import org.bson.BsonDocument;
import org.bson.BsonValue;

import com.mongodb.client.MongoCollection;
import com.mongodb.client.model.Filters;
import com.mongodb.client.model.Projections;

import io.coldframe.archiver.SegmentStore;
import io.coldframe.common.MemoryDocuments;
import io.coldframe.common.MemoryFields;
import io.coldframe.segment.SegmentReader;
import io.coldframe.segment.SegmentRecord;
import io.coldframe.segment.VerificationReport;

/**
 * The independent check behind "nothing is ever lost": every loaded memory must be in MongoDB, or in a segment
 * that reads back and verifies, or both. It trusts no pipeline counter: it reads MongoDB and every segment anew.
 */
final class Reconciler {

    record Report(int segments, int verifiedSegments, List<String> segmentProblems, Map<String, SegmentRecord> archived,
                  Set<String> inMongo, List<String> lost, long archiveBytes) {
    }

    private final MongoCollection<BsonDocument> memories;
    private final SegmentStore store;

    Reconciler(MongoCollection<BsonDocument> memories, SegmentStore store) {
        this.memories = memories;
        this.store = store;
    }

    Report reconcile(Collection<String> loadedIds) throws IOException {
        return reconcile(loadedIds, (segmentId, record) -> { });
    }

    /**
     * As {@link #reconcile(Collection)}, also handing every record of every verified segment to {@code onVerifiedRecord}
     * with its segment id: a memory version archived twice (a replay with other batch bounds) comes twice there, and
     * once in the report.
     */
    Report reconcile(Collection<String> loadedIds, BiConsumer<String, SegmentRecord> onVerifiedRecord) throws IOException {
        Map<String, SegmentRecord> archived = new HashMap<>();
        List<String> problems = new ArrayList<>();
        int verified = 0;
        long archiveBytes = 0;
        List<String> segmentIds = store.list();
        for (String segmentId : segmentIds) {
            try (SegmentReader reader = SegmentReader.open(store.fetch(segmentId))) {
                archiveBytes += reader.manifest().videoBytes();
                VerificationReport report = reader.verify();
                if (!report.ok()) {
                    problems.add(segmentId + ": " + String.join("; ", report.problems()));
                    continue;
                }
                verified++;
                // Later segments hold later versions of a memory archived twice; keep the last one read.
                reader.records().forEach(record -> {
                    archived.put(record.memoryId(), record);
                    onVerifiedRecord.accept(segmentId, record);
                });
            } catch (IOException | RuntimeException e) {
                problems.add(segmentId + ": " + e.getMessage());
            }
        }
        Set<String> inMongo = idsInMongo(loadedIds);
        List<String> lost = loadedIds.stream().filter(id -> !inMongo.contains(id) && !archived.containsKey(id)).toList();
        return new Report(segmentIds.size(), verified, problems, archived, inMongo, lost, archiveBytes);
    }

    private Set<String> idsInMongo(Collection<String> loadedIds) {
        Set<String> present = new HashSet<>();
        List<BsonValue> chunk = new ArrayList<>();
        for (String id : loadedIds) {
            chunk.add(MemoryDocuments.idValue(id));
            if (chunk.size() == 5000) {
                collectPresent(chunk, present);
                chunk.clear();
            }
        }
        collectPresent(chunk, present);
        return present;
    }

    private void collectPresent(List<BsonValue> ids, Set<String> present) {
        if (ids.isEmpty()) {
            return;
        }
        for (BsonDocument document : memories.find(Filters.in(MemoryFields.ID, ids)).projection(Projections.include(MemoryFields.ID))) {
            present.add(MemoryDocuments.idOf(document.get(MemoryFields.ID)));
        }
    }
}
