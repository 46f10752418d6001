package io.coldframe.streams;

import java.nio.ByteBuffer;
import java.util.function.Consumer;

import org.bson.BSONException;
import org.bson.BsonDocument;

import io.coldframe.common.InvalidRecordException;
import io.coldframe.common.MemoryDocuments;
import io.coldframe.schemas.MemoryRecord;

/**
 * One version of a memory with its document in the form each use needs, each made at most once: canonical Extended
 * JSON for hot and warm records and for the state of a memory that is not cold, the exact BSON bytes for a cold
 * record, none for a cold memory's state. A document fresh from a change event is turned into neither until asked:
 * most memories are tiered once and only one form is ever needed.
 */
final class MemoryVersion {

    private final MemoryRecord record;
    private final Consumer<String> jsonCheck;
    private BsonDocument document;
    private String json;

    private MemoryVersion(MemoryRecord record, BsonDocument document, String json, Consumer<String> jsonCheck) {
        this.record = record;
        this.document = document;
        this.json = json;
        this.jsonCheck = jsonCheck;
    }

    /**
     * A version read from a change event: {@code record} without its document, {@code document} as read (BSON that
     * may still turn out malformed where it is read, refused then as {@code fullDocument}); {@code jsonCheck} refuses
     * Extended JSON a tier record cannot carry.
     */
    static MemoryVersion ingested(MemoryRecord record, BsonDocument document, Consumer<String> jsonCheck) {
        return new MemoryVersion(record, document, null, jsonCheck);
    }

    /** A version from the tiering state of a memory that is not cold: its record holds the document as Extended JSON. */
    static MemoryVersion stored(MemoryRecord record) {
        return new MemoryVersion(record, null, record.getDocument(), json -> { });
    }

    String id() {
        return record.getId();
    }

    String version() {
        return record.getVersion();
    }

    MemoryRecord withJson() {
        if (json == null) {
            try {
                json = MemoryDocuments.toCanonicalJson(document);
            } catch (BSONException | IllegalArgumentException | IndexOutOfBoundsException e) {
                throw malformed(e);
            }
            jsonCheck.accept(json);
        }
        return copy(json, null);
    }

    /** The record with its document's exact bytes, the bytes its version hashes and the archivers store. */
    MemoryRecord withBson() {
        ByteBuffer bson;
        if (document != null) {
            try {
                bson = ByteBuffer.wrap(MemoryDocuments.toBson(document));
                MemoryDocuments.wellFormedBson(bson);
            } catch (BSONException | IllegalArgumentException | IndexOutOfBoundsException e) {
                throw malformed(e);
            }
        } else {
            document = MemoryDocuments.bsonFromJson(json);
            bson = ByteBuffer.wrap(MemoryDocuments.toBson(document));
        }
        return copy("", bson);
    }

    MemoryRecord withoutDocument() {
        return copy("", null);
    }

    private InvalidRecordException malformed(RuntimeException e) {
        return new InvalidRecordException(record.getId(), "fullDocument", "malformed BSON: " + e.getMessage());
    }

    private MemoryRecord copy(String documentJson, ByteBuffer documentBson) {
        return new MemoryRecord(record.getId(), record.getAgent(), record.getType(), record.getImportance(), record.getImportanceScore(),
                record.getCreatedAt(), record.getLastAccessedAt(), record.getAccessCount(), record.getSizeBytes(), record.getVersion(),
                documentJson, documentBson);
    }
}
