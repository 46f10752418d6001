package io.coldframe.archive;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.function.Consumer;

import org.bson.BsonDocument;
import org.bson.BsonString;
import org.bson.BsonValue;
import org.bson.RawBsonDocument;

import com.mongodb.MongoBulkWriteException;
import com.mongodb.bulk.BulkWriteError;
import com.mongodb.client.MongoCollection;
import com.mongodb.client.model.InsertManyOptions;

import io.coldframe.common.MemoryDocuments;
import io.coldframe.common.MemoryFields;
import io.coldframe.common.Progress;
import io.coldframe.common.SegmentIds;
import io.coldframe.schemas.CatalogEntry;
import io.coldframe.segment.SegmentManifest;
import io.coldframe.segment.SegmentReader;
import io.coldframe.segment.SegmentRecord;
import io.coldframe.store.SegmentStore;

/**
 * Puts archived memories back into MongoDB exactly as archived (the segment's BSON bytes, unchanged), never over a
 * newer version: a document is inserted only if its {@code _id} is absent. A present document is by construction
 * newer, or the same: the purger deletes only the exact archived version. Before a segment's documents are inserted,
 * a restore mark per memory is published (and acknowledged), so the tiering engine holds them back from the cold tier.
 *
 * <p>What to restore comes from the catalog ({@link ArchiveCatalog}) or, without one, from scanning the store: its
 * manifests for ids, its records for an agent (manifests do not name agents).
 */
public final class Restorer {

    /** Where restore marks go; {@link #publish} returns once every mark is acknowledged. */
    public interface Marks {
        void publish(List<String> memoryIds, Instant restoredAt, Instant holdUntil) throws IOException;
    }

    public static final Marks NO_MARKS = (ids, restoredAt, holdUntil) -> { };

    /**
     * One memory to restore: the segment holding the version to restore (null: the segment's last version of it), the
     * document when a scan has already read it, and the fingerprint of the redaction policy that changed the archived
     * document (from its catalog entry; null: archived as MongoDB held it, or not known without the catalog).
     */
    public record Target(String memoryId, String segmentId, String version, RawBsonDocument document, String redactionPolicy) {

        public Target(String memoryId, String segmentId, String version, RawBsonDocument document) {
            this(memoryId, segmentId, version, document, null);
        }
    }

    /** What a restore did. With a dry run, {@code restored} counts what would have been restored. */
    public static final class Result {
        int requested;
        int restored;
        int alreadyPresent;
        int superseded;
        int failed;
        int segments;
        final List<String> notFound = new ArrayList<>();
        final List<String> restoredIds = new ArrayList<>();
        int redacted;
        final Set<String> redactionPolicies = new TreeSet<>();
        /** The hold of the last marks published, or null. */
        Instant holdUntil;
        /** Why the restore stopped early (marks could not be published), or null. */
        String aborted;

        public int requested() {
            return requested;
        }

        public int restored() {
            return restored;
        }

        /** Of the restored, those whose archived document a redaction policy changed: they come back redacted. */
        public int redacted() {
            return redacted;
        }

        /** The fingerprints of the policies that redacted them. */
        public Set<String> redactionPolicies() {
            return redactionPolicies;
        }

        public int alreadyPresent() {
            return alreadyPresent;
        }

        public int superseded() {
            return superseded;
        }

        public int failed() {
            return failed;
        }

        public int segments() {
            return segments;
        }

        public List<String> notFound() {
            return notFound;
        }

        public List<String> restoredIds() {
            return restoredIds;
        }

        public Instant holdUntil() {
            return holdUntil;
        }

        public String aborted() {
            return aborted;
        }
    }

    private final SegmentStore store;
    private final MongoCollection<RawBsonDocument> memories;
    private final Marks marks;
    private final Duration hold;
    private final boolean dryRun;
    private final Consumer<String> note;
    private final Progress.Factory progress;
    private final Clock clock;

    public Restorer(SegmentStore store, MongoCollection<RawBsonDocument> memories, Marks marks, Duration hold, boolean dryRun,
             Consumer<String> note, Progress.Factory progress, Clock clock) {
        this.store = store;
        this.memories = memories;
        this.marks = marks;
        this.hold = hold;
        this.dryRun = dryRun;
        this.note = note;
        this.progress = progress;
        this.clock = clock;
    }

    // ------------------------------------------------------------------------------------------------ lookups

    public static Target target(CatalogEntry entry) {
        return new Target(entry.getMemoryId(), entry.getSegmentId(), entry.getVersion(), null, entry.getRedactionPolicy());
    }

    /** Every memory of one segment, at the last version the segment holds of it. */
    public List<Target> segmentTargets(String segmentId) throws IOException {
        SegmentManifest manifest = store.manifest(segmentId);
        Map<String, Target> last = new LinkedHashMap<>();
        for (SegmentManifest.Entry entry : manifest.entries()) {
            last.put(entry.memoryId(), new Target(entry.memoryId(), segmentId, entry.version(), null));
        }
        return List.copyOf(last.values());
    }

    /** The catalog of last resort: every manifest in the store, for the latest archived version of each id. */
    public Map<String, Target> scanManifests(Set<String> ids) throws IOException {
        Map<String, Target> found = new LinkedHashMap<>();
        List<String> segmentIds = store.list();
        try (Progress bar = progress.start("scanning manifests", segmentIds.size())) {
            for (String segmentId : segmentIds) {
                try {
                    SegmentManifest manifest = store.manifest(segmentId);
                    for (SegmentManifest.Entry entry : manifest.entries()) {
                        if (ids.contains(entry.memoryId())) {
                            keepLatest(found, new Target(entry.memoryId(), segmentId, entry.version(), null));
                        }
                    }
                } catch (IOException | RuntimeException e) {
                    note.accept("skipped segment " + segmentId + ": " + e.getMessage());
                }
                bar.step();
            }
        }
        return found;
    }

    /** Without a catalog, an agent's memories are found only by reading every record of every segment. */
    public Map<String, Target> scanRecords(String agent) throws IOException {
        Map<String, Target> found = new LinkedHashMap<>();
        List<String> segmentIds = store.list();
        try (Progress bar = progress.start("scanning segments", segmentIds.size())) {
            for (String segmentId : segmentIds) {
                try (SegmentReader reader = SegmentReader.open(store.fetch(segmentId))) {
                    reader.records().forEach(record -> {
                        if (agent.equals(agentOf(record.document()))) {
                            keepLatest(found, new Target(record.memoryId(), segmentId, record.version(), raw(record.document())));
                        }
                    });
                } catch (IOException | UncheckedIOException | IllegalArgumentException e) {
                    note.accept("skipped segment " + segmentId + ": " + e.getMessage());
                }
                bar.step();
            }
        }
        return found;
    }

    /** Within a segment the later entry wins; across segments the later segment of the same partition. */
    private static void keepLatest(Map<String, Target> found, Target candidate) {
        found.merge(candidate.memoryId(), candidate,
                (old, neu) -> old.segmentId().equals(neu.segmentId()) || SEGMENT_ORDER.compare(neu.segmentId(), old.segmentId()) > 0 ? neu : old);
    }

    /**
     * Segment ids are {@code <topic>-<topic id>-<partition>-<first offset>-<last offset>} ({@link SegmentIds}; older ones
     * lack the topic id): within a partition of one topic incarnation, later offsets hold later versions. Ids that do not
     * parse, or of other partitions or incarnations, fall back to name order.
     */
    public static final Comparator<String> SEGMENT_ORDER = (a, b) -> {
        Optional<SegmentIds.Parsed> pa = SegmentIds.parse(a);
        Optional<SegmentIds.Parsed> pb = SegmentIds.parse(b);
        if (pa.isPresent() && pb.isPresent() && pa.get().source().equals(pb.get().source())) {
            int byFirst = Long.compare(pa.get().firstOffset(), pb.get().firstOffset());
            return byFirst != 0 ? byFirst : Long.compare(pa.get().lastOffset(), pb.get().lastOffset());
        }
        return a.compareTo(b);
    };

    public static String agentOf(BsonDocument document) {
        BsonValue agent = document.get(MemoryFields.AGENT);
        return agent instanceof BsonString s ? s.getValue() : null;
    }

    // ------------------------------------------------------------------------------------------------ restore

    /** Restores the targets (one per memory id), segment by segment: marks first, then insert-if-absent. */
    public Result restore(Collection<Target> targets, Result result) {
        Map<String, Target> unique = new LinkedHashMap<>();
        targets.forEach(target -> unique.put(target.memoryId(), target));
        result.requested += unique.size();
        Set<String> present = MongoPresence.presentIds(memories, unique.keySet());
        result.alreadyPresent += present.size();
        Map<String, List<Target>> bySegment = new TreeMap<>(SEGMENT_ORDER);
        unique.values().stream().filter(target -> !present.contains(target.memoryId()))
                .forEach(target -> bySegment.computeIfAbsent(target.segmentId(), s -> new ArrayList<>()).add(target));
        result.segments = bySegment.size();
        long pending = bySegment.values().stream().mapToLong(List::size).sum();
        try (Progress bar = progress.start(dryRun ? "checking" : "restoring", pending)) {
            for (Map.Entry<String, List<Target>> segment : bySegment.entrySet()) {
                List<RawBsonDocument> documents = read(segment.getKey(), segment.getValue(), result);
                int restoredBefore = result.restoredIds.size();
                if (!documents.isEmpty()) {
                    List<String> ids = documents.stream().map(d -> MemoryDocuments.idOf(d.get(MemoryFields.ID))).toList();
                    if (dryRun) {
                        result.restored += documents.size();
                        result.restoredIds.addAll(ids);
                    } else {
                        Instant now = clock.instant();
                        try {
                            marks.publish(ids, now, now.plus(hold));
                            result.holdUntil = now.plus(hold);
                        } catch (IOException e) {
                            result.aborted = e.getMessage();
                            return result;
                        }
                        insert(documents, ids, result);
                    }
                    countRedacted(segment.getValue(), result.restoredIds.subList(restoredBefore, result.restoredIds.size()), result);
                }
                bar.advance(segment.getValue().size());
            }
        }
        return result;
    }

    private static void countRedacted(List<Target> targets, List<String> restoredIds, Result result) {
        Map<String, String> policyById = new HashMap<>();
        targets.stream().filter(t -> t.redactionPolicy() != null).forEach(t -> policyById.put(t.memoryId(), t.redactionPolicy()));
        for (String id : restoredIds) {
            String policy = policyById.get(id);
            if (policy != null) {
                result.redacted++;
                result.redactionPolicies.add(policy);
            }
        }
    }

    /** The archived documents of the targets in one segment, each checked against its memory id and version. */
    private List<RawBsonDocument> read(String segmentId, List<Target> targets, Result result) {
        List<RawBsonDocument> documents = new ArrayList<>();
        List<Target> toRead = new ArrayList<>();
        for (Target target : targets) {
            if (target.document() != null) {
                documents.add(target.document());
            } else {
                toRead.add(target);
            }
        }
        if (toRead.isEmpty()) {
            return documents;
        }
        Path video;
        try {
            video = store.fetch(segmentId);
        } catch (IOException | RuntimeException e) {
            result.failed += toRead.size();
            note.accept("cannot fetch segment " + segmentId + " (" + toRead.size() + " memories not restored): " + e.getMessage());
            return documents;
        }
        SegmentReader reader;
        try {
            reader = SegmentReader.open(video);
        } catch (IOException | RuntimeException e) {
            result.failed += toRead.size();
            note.accept("segment " + segmentId + " is unreadable (" + toRead.size() + " memories not restored): " + e.getMessage());
            return documents;
        }
        try (reader) {
            for (Target target : toRead) {
                try {
                    Optional<SegmentRecord> record = find(reader, target);
                    if (record.isEmpty()) {
                        result.failed++;
                        note.accept("memory " + target.memoryId() + (target.version() == null ? "" : " version " + target.version())
                                + " is not in segment " + segmentId);
                        continue;
                    }
                    RawBsonDocument document = raw(record.get().document());
                    if (!target.memoryId().equals(MemoryDocuments.idOf(document.get(MemoryFields.ID)))) {
                        result.failed++;
                        note.accept("segment " + segmentId + " holds memory " + target.memoryId() + " with another _id; not restored");
                        continue;
                    }
                    documents.add(document);
                } catch (IOException | UncheckedIOException | IllegalArgumentException e) {
                    result.failed++;
                    note.accept("memory " + target.memoryId() + " not restored, segment " + segmentId + " is damaged there: " + e.getMessage());
                }
            }
        }
        return documents;
    }

    /** The record of the target's version: the segment's last of the memory, else an earlier one with that version. */
    private static Optional<SegmentRecord> find(SegmentReader reader, Target target) throws IOException {
        Optional<SegmentRecord> last = reader.get(target.memoryId());
        if (target.version() == null || last.isEmpty() || last.get().version().equals(target.version())) {
            return last;
        }
        return reader.records().filter(r -> r.memoryId().equals(target.memoryId()) && r.version().equals(target.version())).findFirst();
    }

    /** Insert-if-absent: the unique {@code _id} index turns a document inserted meanwhile into a duplicate-key error. */
    private void insert(List<RawBsonDocument> documents, List<String> ids, Result result) {
        Set<Integer> notInserted = new HashSet<>();
        try {
            memories.insertMany(documents, new InsertManyOptions().ordered(false));
        } catch (MongoBulkWriteException e) {
            for (BulkWriteError error : e.getWriteErrors()) {
                notInserted.add(error.getIndex());
                if (error.getCode() == 11000) {
                    result.alreadyPresent++;
                } else {
                    result.failed++;
                    note.accept("memory " + ids.get(error.getIndex()) + " not restored: " + error.getMessage());
                }
            }
            if (e.getWriteConcernError() != null) {
                note.accept("MongoDB reports a write concern error: " + e.getWriteConcernError().getMessage());
            }
        }
        for (int i = 0; i < documents.size(); i++) {
            if (!notInserted.contains(i)) {
                result.restored++;
                result.restoredIds.add(ids.get(i));
            }
        }
    }

    /** The exact archived bytes, as an immutable raw document (what segments hand out already). */
    private static RawBsonDocument raw(BsonDocument document) {
        return document instanceof RawBsonDocument r ? r : new RawBsonDocument(MemoryDocuments.toBson(document));
    }

    public static String catalogDescription(ArchiveCatalog catalog) {
        return catalog.topic() + " (" + catalog.size() + " matching memories)";
    }
}
