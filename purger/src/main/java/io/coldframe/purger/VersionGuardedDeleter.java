package io.coldframe.purger;

import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import org.bson.BsonArray;
import org.bson.BsonDocument;
import org.bson.BsonMaximumSizeExceededException;
import org.bson.BsonString;
import org.bson.BsonValue;
import org.bson.RawBsonDocument;
import org.bson.conversions.Bson;

import com.mongodb.MongoCommandException;
import com.mongodb.MongoWriteException;
import com.mongodb.ReadConcern;
import com.mongodb.ReadPreference;
import com.mongodb.TransactionOptions;
import com.mongodb.WriteConcern;
import com.mongodb.client.ClientSession;
import com.mongodb.client.MongoClient;
import com.mongodb.client.MongoCollection;
import com.mongodb.client.MongoCursor;
import com.mongodb.client.model.Filters;
import com.mongodb.client.model.Projections;

import io.coldframe.common.MemoryDocuments;
import io.coldframe.common.MemoryFields;
import io.coldframe.schemas.ArchivedMemory;
import io.coldframe.schemas.SkipReason;
import io.coldframe.schemas.SkippedMemory;

/**
 * Deletes from MongoDB exactly the archived versions of memories, and nothing else.
 *
 * <p>A document is a candidate only while the SHA-256 of its exact BSON bytes equals the archived version, so a
 * change of type alone (int 1 to double 1.0) or of letter case is a change. Between that read and the delete:
 * <ul>
 *   <li>{@link Mode#TRANSACTIONAL} (replica sets, sharded clusters): the read, the byte comparison and a delete by
 *       {@code _id} run in one snapshot transaction; a write made since the snapshot conflicts with the delete and the
 *       whole step is retried, so nothing but the compared bytes is ever deleted;</li>
 *   <li>{@link Mode#GUARD_ONLY} (where transactions do not exist: a standalone server, the stand-in): the deleteMany
 *       repeats each document as guard ({@code $expr: {$eq: ["$$ROOT", {$literal: doc}]}}). That catches a changed
 *       field or value, but MongoDB compares numbers by value and strings by collation, so a type-only or case-only
 *       change in that window passes it. Survivors are re-read by {@code _id} alone.</li>
 * </ul>
 * Batches are bounded by bytes as well as count, so documents of any size fit MongoDB's 16 MB command limit; a
 * document that cannot be guarded at all is a {@link PermanentPurgeException}, never an endless retry. Running it
 * twice deletes nothing more: the second run finds the documents absent.
 */
final class VersionGuardedDeleter {

    /** How the delete is made safe against a write between the version read and the delete. */
    enum Mode { TRANSACTIONAL, GUARD_ONLY }

    /** Memory ids that must stay in MongoDB even if they hold the archived version (restored since the commit). */
    interface Protection {
        Protection NONE = candidates -> Set.of();

        /** Of these candidates (their version matched), those to keep. Asked after their documents were read. */
        Set<String> protectedIds(Collection<String> candidates);
    }

    static final int MAX_IDS = 500;
    /** Guard bytes per deleteMany: half the 16 MB command limit, so the guard's wrapping never matters. */
    static final long DEFAULT_MAX_BATCH_BYTES = 8L << 20;
    /** Document bytes one transaction reads before it commits what it compared, to stay short. */
    static final long MAX_TRANSACTION_READ_BYTES = 64L << 20;

    private static final TransactionOptions SNAPSHOT = TransactionOptions.builder()
            .readConcern(ReadConcern.SNAPSHOT).writeConcern(WriteConcern.MAJORITY).readPreference(ReadPreference.primary()).build();

    private final MongoClient client;
    private final MongoCollection<RawBsonDocument> memories;
    private final Mode mode;
    private final long maxBatchBytes;

    /** The guard alone, as on a deployment without transactions. */
    VersionGuardedDeleter(MongoCollection<?> memories) {
        this(null, memories, Mode.GUARD_ONLY, DEFAULT_MAX_BATCH_BYTES);
    }

    VersionGuardedDeleter(MongoClient client, MongoCollection<?> memories, Mode mode, long maxBatchBytes) {
        if (mode == Mode.TRANSACTIONAL && client == null) {
            throw new IllegalArgumentException("the transactional delete needs the client for its sessions");
        }
        this.client = client;
        this.memories = memories.withDocumentClass(RawBsonDocument.class);
        this.mode = mode;
        this.maxBatchBytes = maxBatchBytes;
    }

    Mode mode() {
        return mode;
    }

    PurgeOutcome purge(List<ArchivedMemory> archived) {
        return purge(archived, Protection.NONE);
    }

    /**
     * Deletes the archived versions; throws {@link com.mongodb.MongoException} when MongoDB did not acknowledge (retry
     * the whole purge: it is idempotent) and {@link PermanentPurgeException} when it never can.
     */
    PurgeOutcome purge(List<ArchivedMemory> archived, Protection protection) {
        PurgeOutcome outcome = new PurgeOutcome(new ArrayList<>(), new ArrayList<>(), new ArrayList<>());
        // The archived version per id; an id listed with several versions (an older one beside the current one) can
        // match at most one of them, the others are CHANGED_SINCE_ARCHIVED.
        Map<String, Set<String>> versionsById = new LinkedHashMap<>();
        for (ArchivedMemory memory : archived) {
            versionsById.computeIfAbsent(memory.getId(), id -> new LinkedHashSet<>()).add(memory.getVersion());
        }
        List<String> ids = new ArrayList<>(versionsById.keySet());
        try {
            for (int from = 0; from < ids.size(); from += MAX_IDS) {
                List<String> chunk = ids.subList(from, Math.min(ids.size(), from + MAX_IDS));
                if (mode == Mode.TRANSACTIONAL) {
                    purgeInTransactions(chunk, versionsById, protection, outcome);
                } else {
                    purgeGuarded(chunk, versionsById, protection, outcome);
                }
            }
        } catch (BsonMaximumSizeExceededException e) {
            throw new PermanentPurgeException("a delete command exceeds MongoDB's size limit: " + e.getMessage(), e);
        } catch (MongoCommandException e) {
            throw isPermanent(e.getErrorCode()) ? new PermanentPurgeException("MongoDB rejected the delete: " + e.getErrorMessage(), e) : e;
        } catch (MongoWriteException e) {
            throw isPermanent(e.getError().getCode()) ? new PermanentPurgeException("MongoDB rejected the delete: " + e.getMessage(), e) : e;
        }
        return outcome;
    }

    /** Errors a retry cannot cure: bad value, type mismatch, failed to parse, BSON object too large, unauthorized. */
    static boolean isPermanent(int code) {
        return switch (code) {
            case 2, 9, 13, 14, 10334, 17419, 17420, 16493 -> true;
            default -> false;
        };
    }

    // ------------------------------------------------------------------------------------------------------------
    // guard only

    private void purgeGuarded(List<String> chunk, Map<String, Set<String>> versionsById, Protection protection, PurgeOutcome outcome) {
        Set<String> unseen = new LinkedHashSet<>(chunk);
        Map<String, RawBsonDocument> candidates = new LinkedHashMap<>();
        long batchBytes = 0;
        try (MongoCursor<RawBsonDocument> cursor = memories.find(Filters.in(MemoryFields.ID, idValues(chunk))).iterator()) {
            while (cursor.hasNext()) {
                RawBsonDocument document = cursor.next();
                String id = MemoryDocuments.idOf(document.get(MemoryFields.ID));
                if (!unseen.remove(id)) {
                    continue;
                }
                if (!matchesAnArchivedVersion(document, id, versionsById, outcome)) {
                    continue;
                }
                long size = document.getByteBuffer().remaining();
                if (!candidates.isEmpty() && batchBytes + size > maxBatchBytes) {
                    deleteGuarded(candidates, protection, outcome);
                    candidates.clear();
                    batchBytes = 0;
                }
                candidates.put(id, document);
                batchBytes += size;
            }
        }
        deleteGuarded(candidates, protection, outcome);
        absent(unseen, versionsById, outcome);
    }

    private void deleteGuarded(Map<String, RawBsonDocument> candidates, Protection protection, PurgeOutcome outcome) {
        keepProtected(candidates.keySet(), protection, outcome);
        if (candidates.isEmpty()) {
            return;
        }
        List<Bson> guards = new ArrayList<>();
        candidates.values().forEach(document -> guards.add(exactDocument(document)));
        // The _id $in lets the server narrow to the candidates by index before it evaluates any guard.
        List<BsonValue> candidateIds = idValues(candidates.keySet());
        memories.deleteMany(Filters.and(Filters.in(MemoryFields.ID, candidateIds), Filters.or(guards)));
        // A candidate still present was changed between our read and the delete: it stays, and is tiered anew.
        Set<String> survivors = new LinkedHashSet<>();
        for (RawBsonDocument survivor : memories.find(Filters.in(MemoryFields.ID, candidateIds)).projection(Projections.include(MemoryFields.ID))) {
            survivors.add(MemoryDocuments.idOf(survivor.get(MemoryFields.ID)));
        }
        for (String id : candidates.keySet()) {
            if (survivors.contains(id)) {
                outcome.skipped().add(new SkippedMemory(id, SkipReason.CHANGED_SINCE_ARCHIVED));
            } else {
                outcome.deleted().add(id);
            }
        }
    }

    // ------------------------------------------------------------------------------------------------------------
    // transactional

    private void purgeInTransactions(List<String> chunk, Map<String, Set<String>> versionsById, Protection protection, PurgeOutcome outcome) {
        List<String> remaining = new ArrayList<>(chunk);
        try (ClientSession session = client.startSession()) {
            while (!remaining.isEmpty()) {
                List<String> todo = List.copyOf(remaining);
                // The body runs again from scratch when the transaction is retried: its outcome is built anew each time.
                TransactionStep step = session.withTransaction(() -> transactionStep(session, todo, versionsById, protection), SNAPSHOT);
                outcome.deleted().addAll(step.outcome.deleted());
                outcome.skipped().addAll(step.outcome.skipped());
                outcome.protectedIds().addAll(step.outcome.protectedIds());
                remaining.removeAll(step.done);
            }
        }
    }

    private record TransactionStep(Set<String> done, PurgeOutcome outcome) {
    }

    private TransactionStep transactionStep(ClientSession session, List<String> ids, Map<String, Set<String>> versionsById, Protection protection) {
        PurgeOutcome outcome = new PurgeOutcome(new ArrayList<>(), new ArrayList<>(), new ArrayList<>());
        Set<String> unseen = new LinkedHashSet<>(ids);
        Set<String> done = new LinkedHashSet<>();
        Set<String> matching = new LinkedHashSet<>();
        long readBytes = 0;
        boolean exhausted = true;
        try (MongoCursor<RawBsonDocument> cursor = memories.find(session, Filters.in(MemoryFields.ID, idValues(ids))).iterator()) {
            while (cursor.hasNext()) {
                if (readBytes >= MAX_TRANSACTION_READ_BYTES) {
                    exhausted = false;
                    break;
                }
                RawBsonDocument document = cursor.next();
                String id = MemoryDocuments.idOf(document.get(MemoryFields.ID));
                if (!unseen.remove(id)) {
                    continue;
                }
                readBytes += document.getByteBuffer().remaining();
                done.add(id);
                if (matchesAnArchivedVersion(document, id, versionsById, outcome)) {
                    matching.add(id);
                }
            }
        }
        keepProtected(matching, protection, outcome);
        if (!matching.isEmpty()) {
            // By _id alone: the snapshot holds exactly the compared bytes, and a write since then conflicts.
            long deletedCount = memories.deleteMany(session, Filters.in(MemoryFields.ID, idValues(matching))).getDeletedCount();
            if (deletedCount != matching.size()) {
                throw new IllegalStateException("the transaction deleted " + deletedCount + " of " + matching.size() + " compared documents");
            }
            outcome.deleted().addAll(matching);
        }
        if (exhausted) {
            absent(unseen, versionsById, outcome);
            done.addAll(unseen);
        }
        return new TransactionStep(done, outcome);
    }

    // ------------------------------------------------------------------------------------------------------------

    /** Compares the document's exact bytes (by their SHA-256) with the archived versions; records a mismatch. */
    private static boolean matchesAnArchivedVersion(RawBsonDocument document, String id, Map<String, Set<String>> versionsById, PurgeOutcome outcome) {
        String current = MemoryDocuments.versionOf(document);
        Set<String> versions = versionsById.get(id);
        for (String version : versions) {
            if (!version.equals(current)) {
                outcome.skipped().add(new SkippedMemory(id, SkipReason.CHANGED_SINCE_ARCHIVED));
            }
        }
        return versions.contains(current);
    }

    /** True when the document's exact BSON bytes are one of these versions: a type or letter-case change is a change. */
    static boolean isExactVersion(RawBsonDocument document, Collection<String> versions) {
        return versions.contains(MemoryDocuments.versionOf(document));
    }

    private static void keepProtected(Set<String> candidates, Protection protection, PurgeOutcome outcome) {
        if (candidates.isEmpty()) {
            return;
        }
        Set<String> keep = protection.protectedIds(List.copyOf(candidates));
        for (String id : keep) {
            if (candidates.remove(id)) {
                outcome.protectedIds().add(id);
                outcome.skipped().add(new SkippedMemory(id, SkipReason.CHANGED_SINCE_ARCHIVED));
            }
        }
    }

    private static void absent(Set<String> ids, Map<String, Set<String>> versionsById, PurgeOutcome outcome) {
        for (String id : ids) {
            for (int i = 0; i < versionsById.get(id).size(); i++) {
                outcome.skipped().add(new SkippedMemory(id, SkipReason.ALREADY_ABSENT));
            }
        }
    }

    private static List<BsonValue> idValues(Collection<String> ids) {
        return ids.stream().map(MemoryDocuments::idValue).toList();
    }

    /** Matches the document only while it is exactly this one: same fields, order and values. */
    static Bson exactDocument(BsonDocument document) {
        BsonDocument whole = document instanceof RawBsonDocument raw ? raw.decode(new org.bson.codecs.BsonDocumentCodec()) : document;
        return new BsonDocument(MemoryFields.ID, whole.get(MemoryFields.ID))
                .append("$expr", new BsonDocument("$eq",
                        new BsonArray(List.of(new BsonString("$$ROOT"), new BsonDocument("$literal", whole)))));
    }
}
