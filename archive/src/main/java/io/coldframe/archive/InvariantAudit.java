package io.coldframe.archive;

import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;

import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.bson.BsonDocument;

import com.mongodb.client.MongoCollection;

import io.coldframe.common.KafkaConnection;
import io.coldframe.common.SegmentIds;
import io.coldframe.common.Topics;
import io.coldframe.schemas.ArchivedMemory;
import io.coldframe.schemas.AvroSerde;
import io.coldframe.schemas.PurgeResult;
import io.coldframe.schemas.SegmentCommitted;
import io.coldframe.schemas.SkipReason;
import io.coldframe.schemas.SkippedMemory;
import io.coldframe.store.SegmentStore;

/**
 * The checks behind the fault-tolerance claims, computed independently of every pipeline counter from MongoDB, the
 * stored segments (each read back and verified now, by {@link Reconciler}) and the committed purge results:
 * <ul>
 *   <li>{@code lost}: loaded memories neither in MongoDB nor in a verified segment;</li>
 *   <li>{@code deletedWithoutVerifiedSegment}: memories gone from MongoDB whose exact loaded version is in no verified
 *   segment, plus memories a committed purge result says it deleted that its segment does not verifiably hold;</li>
 *   <li>{@code deletedNewerVersion}: of the memories updated after they were loaded, those gone from MongoDB whose
 *   newer (latest written) version is in no verified segment: the purger deleted a version it had not archived;</li>
 *   <li>duplicates: a memory version stored in several segments (a replay with other batch bounds) is read once.</li>
 *   <li>a segment rewritten without some records ({@code docs/lifecycle.md}) answers for its original's purge results.</li>
 * </ul>
 * The version each memory must keep is its latest written one: the loaded version, or the one an update or a restore
 * wrote while the pipeline ran. Under a redaction policy a segment holds another version (the redacted document's): it
 * counts for the original version only where a commit event binds the two ({@code stored_version}).
 */
public final class InvariantAudit {

    public record Result(long loaded, long archived, long deletedFromMongo, long remainingInMongo, long lost,
                         long deletedWithoutVerifiedSegment, int segments, int verifiedSegments, List<String> segmentProblems,
                         long archivedRecordCopies, long distinctArchivedVersions, long commitEvents, long distinctCommittedSegments,
                         long purgeResults, long purgedDeleted, long purgedAlreadyAbsent, long purgedChanged, List<String> examples,
                         long updated, long deletedNewerVersion) {

        /** Copies of a memory version beyond its first, across verified segments: tolerated, collapsed on read. */
        public long duplicateRecordCopies() {
            return archivedRecordCopies - distinctArchivedVersions;
        }

        public boolean invariantsHold() {
            return lost == 0 && deletedWithoutVerifiedSegment == 0 && deletedNewerVersion == 0 && segmentProblems.isEmpty();
        }
    }

    private InvariantAudit() {
    }

    /**
     * @param loadedVersions every loaded memory id with the version (SHA-256 of its BSON) it was loaded with
     */
    public static Result audit(MongoCollection<BsonDocument> memories, SegmentStore store, Map<String, String> loadedVersions,
                               KafkaConnection kafka, Topics topics) throws IOException {
        return audit(memories, store, loadedVersions, Set.of(), kafka, topics);
    }

    /**
     * @param expectedVersions every memory id with its latest written version (SHA-256 of its BSON)
     * @param updatedIds       the memories of those that were updated after they were loaded
     */
    public static Result audit(MongoCollection<BsonDocument> memories, SegmentStore store, Map<String, String> expectedVersions,
                               Set<String> updatedIds, KafkaConnection kafka, Topics topics) throws IOException {
        Map<String, String> loadedVersions = expectedVersions;
        Map<String, Set<String>> versionsById = new HashMap<>();
        Map<String, Set<String>> idsBySegment = new HashMap<>();
        Set<String> heldBySegment = new HashSet<>();
        long[] copies = {0};
        Set<String> distinctVersions = new HashSet<>();
        Reconciler.Report report = new Reconciler(memories, store).reconcile(loadedVersions.keySet(), (segmentId, record) -> {
            copies[0]++;
            distinctVersions.add(record.memoryId() + "@" + record.version());
            versionsById.computeIfAbsent(record.memoryId(), id -> new HashSet<>()).add(record.version());
            // a rewritten segment (retention, erasure) still holds what its original's purge result deleted, less what was dropped
            String original = SegmentIds.original(segmentId);
            idsBySegment.computeIfAbsent(original, id -> new HashSet<>()).add(record.memoryId());
            heldBySegment.add(original + " " + record.memoryId() + "@" + record.version());
        });
        AvroSerde<SegmentCommitted> commits = AvroSerde.of(SegmentCommitted.class);
        long commitEvents = 0;
        Set<String> committedSegments = new HashSet<>();
        for (ConsumerRecord<byte[], byte[]> record : readCommitted(kafka, topics.segmentsCommitted())) {
            SegmentCommitted commit = commits.decode(record.value());
            commitEvents++;
            committedSegments.add(commit.getSegmentId());
            // A redacted record archives the original version only where a verified segment holds the redacted form
            // the commit bound to it.
            for (ArchivedMemory memory : commit.getMemories()) {
                if (memory.getStoredVersion() != null
                        && heldBySegment.contains(commit.getSegmentId() + " " + memory.getId() + "@" + memory.getStoredVersion())) {
                    versionsById.computeIfAbsent(memory.getId(), id -> new HashSet<>()).add(memory.getVersion());
                }
            }
        }

        Set<String> violations = new LinkedHashSet<>();
        List<String> examples = new ArrayList<>();
        long newerDeleted = 0;
        for (Map.Entry<String, String> loaded : loadedVersions.entrySet()) {
            String id = loaded.getKey();
            if (!report.inMongo().contains(id) && !versionsById.getOrDefault(id, Set.of()).contains(loaded.getValue())) {
                boolean updated = updatedIds.contains(id);
                if (updated) {
                    newerDeleted++;
                }
                if (violations.add(id) && examples.size() < 20) {
                    examples.add((updated ? "updated, gone from MongoDB, its newer version in no verified segment: "
                            : "gone from MongoDB, its version in no verified segment: ") + id);
                }
            }
        }
        AvroSerde<PurgeResult> results = AvroSerde.of(PurgeResult.class);
        long resultCount = 0;
        long deleted = 0;
        long alreadyAbsent = 0;
        long changed = 0;
        for (ConsumerRecord<byte[], byte[]> record : readCommitted(kafka, topics.purgeResults())) {
            PurgeResult result = results.decode(record.value());
            resultCount++;
            deleted += result.getDeleted().size();
            for (SkippedMemory skipped : result.getSkipped()) {
                if (skipped.getReason() == SkipReason.ALREADY_ABSENT) {
                    alreadyAbsent++;
                } else {
                    changed++;
                }
            }
            Set<String> held = idsBySegment.getOrDefault(SegmentIds.original(result.getSegmentId()), Set.of());
            for (String id : result.getDeleted()) {
                if (!held.contains(id) && violations.add(id) && examples.size() < 20) {
                    examples.add("purge result of " + result.getSegmentId() + " deleted " + id + ", which that segment does not verifiably hold");
                }
            }
        }
        report.lost().stream().limit(20 - Math.min(20, examples.size())).forEach(id -> examples.add("LOST: " + id));

        long archived = loadedVersions.keySet().stream().filter(report.archived()::containsKey).count();
        return new Result(loadedVersions.size(), archived, loadedVersions.size() - report.inMongo().size(), report.inMongo().size(),
                report.lost().size(), violations.size(), report.segments(), report.verifiedSegments(), report.segmentProblems(),
                copies[0], distinctVersions.size(), commitEvents, committedSegments.size(), resultCount, deleted, alreadyAbsent,
                changed, examples, updatedIds.size(), newerDeleted);
    }

    /** Every record of a topic that a read_committed consumer sees, from the beginning to the current end. */
    public static List<ConsumerRecord<byte[], byte[]>> readCommitted(KafkaConnection kafka, String topic) {
        Properties props = kafka.properties();
        props.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        List<ConsumerRecord<byte[], byte[]>> records = new ArrayList<>();
        try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(props, new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
            List<TopicPartition> partitions = consumer.partitionsFor(topic).stream()
                    .map(info -> new TopicPartition(topic, info.partition())).toList();
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            Map<TopicPartition, Long> end = consumer.endOffsets(partitions);
            while (partitions.stream().anyMatch(p -> consumer.position(p) < end.get(p))) {
                consumer.poll(Duration.ofMillis(200)).forEach(records::add);
            }
        }
        return records;
    }
}
