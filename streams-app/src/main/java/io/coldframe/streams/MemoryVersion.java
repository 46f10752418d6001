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
 * JSON for hot and warm records, the exact BSON bytes for cold records and for the state of a memory that is not
 * cold, none for a cold memory's state. A document fresh from a change event is turned into neither until asked.
 */
final class MemoryVersion {

    private final MemoryRecord record;
    private final Consumer<String> jsonCheck;
    private BsonDocument document;
    private String json;
    private ByteBuffer bson;
    /** Whether the document has been read through whole: a stored one was when it was stored. */
    private boolean wellFormed;

    private MemoryVersion(MemoryRecord record, BsonDocument document, Consumer<String> jsonCheck, boolean wellFormed) {
        this.record = record;
        this.document = document;
        this.jsonCheck = jsonCheck;
        this.wellFormed = wellFormed;
    }

    /**
     * A version read from a change event: {@code record} without its document, {@code document} as read (BSON that
     * may still turn out malformed where it is read, refused then as {@code fullDocument}); {@code jsonCheck} refuses
     * Extended JSON a tier record cannot carry.
     */
    static MemoryVersion ingested(MemoryRecord record, BsonDocument document, Consumer<String> jsonCheck) {
        return new MemoryVersion(record, document, jsonCheck, false);
    }

    /** A version from the tiering state: its document as BSON, as Extended JSON (state written before), or none (cold). */
    static MemoryVersion stored(MemoryRecord record) {
        MemoryVersion version = new MemoryVersion(record, null, json -> { }, true);
        if (record.getDocumentBson() != null) {
            version.bson = record.getDocumentBson();
        } else {
            version.json = record.getDocument();
        }
        return version;
    }

    /** A stored record's document: its BSON, or (state written before BSON) its Extended JSON read back. */
    static BsonDocument documentOf(MemoryRecord record) {
        ByteBuffer bytes = record.getDocumentBson();
        return bytes != null ? MemoryDocuments.bsonOf(bytes) : MemoryDocuments.bsonFromJson(record.getDocument());
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
                json = MemoryDocuments.toCanonicalJson(document());
            } catch (BSONException | IllegalArgumentException | IndexOutOfBoundsException e) {
                throw malformed(e);
            }
            wellFormed = true;
            jsonCheck.accept(json);
        }
        return copy(json, null);
    }

    /** The record with its document's exact bytes, the bytes its version hashes and the archivers store. */
    MemoryRecord withBson() {
        if (bson == null) {
            bson = MemoryDocuments.bsonView(document());
        }
        if (!wellFormed) {
            try {
                MemoryDocuments.checkWellFormed(bson);
            } catch (BSONException | IllegalArgumentException | IndexOutOfBoundsException e) {
                throw malformed(e);
            }
            wellFormed = true;
        }
        return copy("", bson);
    }

    MemoryRecord withoutDocument() {
        return copy("", null);
    }

    private BsonDocument document() {
        if (document == null) {
            document = bson != null ? MemoryDocuments.bsonOf(bson) : MemoryDocuments.bsonFromJson(json);
        }
        return document;
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
