package io.coldframe.archive;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.BiConsumer;

import org.bson.BsonDocument;

import com.mongodb.client.MongoCollection;

import io.coldframe.segment.SegmentManifest;
import io.coldframe.segment.SegmentReader;
import io.coldframe.segment.SegmentRecord;
import io.coldframe.segment.VerificationReport;
import io.coldframe.store.SegmentStore;

/**
 * The independent check behind "nothing is ever lost": every loaded memory must be in MongoDB, or in a segment
 * that reads back and verifies, or both. It trusts no pipeline counter: it reads MongoDB and every segment anew.
 */
public final class Reconciler {

    /** {@code videoBytes} and {@code indexBytes} (the sidecars): every byte the store holds for the segments. */
    public record Report(int segments, int verifiedSegments, List<String> segmentProblems, Map<String, SegmentRecord> archived,
                  Set<String> inMongo, List<String> lost, long videoBytes, long indexBytes) {
    }

    private final MongoCollection<BsonDocument> memories;
    private final SegmentStore store;

    public Reconciler(MongoCollection<BsonDocument> memories, SegmentStore store) {
        this.memories = memories;
        this.store = store;
    }

    public Report reconcile(Collection<String> loadedIds) throws IOException {
        return reconcile(loadedIds, (segmentId, record) -> { });
    }

    /**
     * As {@link #reconcile(Collection)}, also handing every record of every verified segment to {@code onVerifiedRecord}
     * with its segment id: a memory version archived twice (a replay with other batch bounds) comes twice there, and
     * once in the report.
     */
    public Report reconcile(Collection<String> loadedIds, BiConsumer<String, SegmentRecord> onVerifiedRecord) throws IOException {
        Map<String, SegmentRecord> archived = new HashMap<>();
        List<String> problems = new ArrayList<>();
        int verified = 0;
        long videoBytes = 0;
        long indexBytes = 0;
        List<String> segmentIds = store.list();
        for (String segmentId : segmentIds) {
            try {
                Path video = store.fetch(segmentId);
                Path sidecar = SegmentManifest.pathBeside(video);
                videoBytes += Files.size(video);
                indexBytes += Files.isRegularFile(sidecar) ? Files.size(sidecar) : 0;
                try (SegmentReader reader = SegmentReader.open(video)) {
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
                }
            } catch (IOException | RuntimeException e) {
                problems.add(segmentId + ": " + e.getMessage());
            }
        }
        Set<String> inMongo = MongoPresence.presentIds(memories, loadedIds);
        List<String> lost = loadedIds.stream().filter(id -> !inMongo.contains(id) && !archived.containsKey(id)).toList();
        return new Report(segmentIds.size(), verified, problems, archived, inMongo, lost, videoBytes, indexBytes);
    }
}
