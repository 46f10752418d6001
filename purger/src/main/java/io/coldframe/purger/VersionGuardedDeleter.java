package io.coldframe.purger;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

import org.bson.BsonArray;
import org.bson.BsonDocument;
import org.bson.BsonString;
import org.bson.BsonValue;
import org.bson.RawBsonDocument;
import org.bson.conversions.Bson;

import com.mongodb.client.MongoCollection;
import com.mongodb.client.model.Filters;

import io.coldframe.common.MemoryDocuments;
import io.coldframe.common.MemoryFields;
import io.coldframe.schemas.ArchivedMemory;
import io.coldframe.schemas.SkipReason;
import io.coldframe.schemas.SkippedMemory;

/**
 * Deletes from MongoDB exactly the archived versions of memories, and nothing else.
 *
 * <p>First the current documents are read and fingerprinted: only those whose SHA-256 of BSON equals the archived
 * version are candidates. The deleteMany then repeats the document itself as the guard
 * ({@code $expr: {$eq: ["$$ROOT", {$literal: doc}]}}), so a document changed between the read and the delete is
 * not matched and stays. Running it twice deletes nothing more: the second run finds the documents absent.
 */
final class VersionGuardedDeleter {

    private static final int CHUNK = 500;

    private final MongoCollection<RawBsonDocument> memories;

    VersionGuardedDeleter(MongoCollection<?> memories) {
        this.memories = memories.withDocumentClass(RawBsonDocument.class);
    }

    PurgeOutcome purge(List<ArchivedMemory> archived) {
        List<String> deleted = new ArrayList<>();
        List<SkippedMemory> skipped = new ArrayList<>();
        List<ArchivedMemory> distinct = archived.stream().distinct().toList();
        for (int from = 0; from < distinct.size(); from += CHUNK) {
            purgeChunk(distinct.subList(from, Math.min(distinct.size(), from + CHUNK)), deleted, skipped);
        }
        return new PurgeOutcome(deleted, skipped);
    }

    private void purgeChunk(List<ArchivedMemory> chunk, List<String> deleted, List<SkippedMemory> skipped) {
        Map<String, RawBsonDocument> current = currentDocuments(chunk.stream().map(ArchivedMemory::getId).collect(Collectors.toSet()));
        Map<String, RawBsonDocument> candidates = new LinkedHashMap<>();
        for (ArchivedMemory memory : chunk) {
            RawBsonDocument document = current.get(memory.getId());
            if (document == null) {
                skipped.add(new SkippedMemory(memory.getId(), SkipReason.ALREADY_ABSENT));
            } else if (!MemoryDocuments.versionOf(document).equals(memory.getVersion())) {
                skipped.add(new SkippedMemory(memory.getId(), SkipReason.CHANGED_SINCE_ARCHIVED));
            } else {
                candidates.put(memory.getId(), document);
            }
        }
        if (candidates.isEmpty()) {
            return;
        }
        List<Bson> guards = new ArrayList<>();
        candidates.forEach((id, document) -> guards.add(exactDocument(document)));
        // The _id $in lets the server narrow to the candidates by index before it evaluates any guard.
        List<BsonValue> candidateIds = candidates.keySet().stream().map(MemoryDocuments::idValue).toList();
        memories.deleteMany(Filters.and(Filters.in(MemoryFields.ID, candidateIds), Filters.or(guards)));
        // A candidate still present was changed between our read and the delete: it stays, and is tiered anew.
        Set<String> survivors = currentDocuments(candidates.keySet()).keySet();
        for (String id : candidates.keySet()) {
            if (survivors.contains(id)) {
                skipped.add(new SkippedMemory(id, SkipReason.CHANGED_SINCE_ARCHIVED));
            } else {
                deleted.add(id);
            }
        }
    }

    private Map<String, RawBsonDocument> currentDocuments(Set<String> memoryIds) {
        List<BsonValue> idValues = memoryIds.stream().map(MemoryDocuments::idValue).toList();
        Map<String, RawBsonDocument> byId = new HashMap<>();
        for (RawBsonDocument document : memories.find(Filters.in(MemoryFields.ID, idValues))) {
            byId.put(MemoryDocuments.idOf(document.get(MemoryFields.ID)), document);
        }
        return byId;
    }

    /** Matches the document only while it is exactly this one: same fields, order and values. */
    static Bson exactDocument(BsonDocument document) {
        BsonDocument whole = document instanceof RawBsonDocument raw ? raw.decode(new org.bson.codecs.BsonDocumentCodec()) : document;
        return new BsonDocument(MemoryFields.ID, whole.get(MemoryFields.ID))
                .append("$expr", new BsonDocument("$eq",
                        new BsonArray(List.of(new BsonString("$$ROOT"), new BsonDocument("$literal", whole)))));
    }
}
