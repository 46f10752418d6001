package io.coldframe.streams;

import java.nio.charset.StandardCharsets;

import org.bson.BsonDocument;
import org.bson.BsonValue;
import org.bson.json.JsonParseException;

import io.coldframe.common.InvalidRecordException;
import io.coldframe.common.MemoryDocuments;
import io.coldframe.common.MemoryFields;

/**
 * Reads a MongoDB change event as the source connector publishes it: canonical Extended JSON with
 * operationType, fullDocument (looked up on update) and documentKey.
 *
 * <p>Identity of inserts, updates and replaces comes from fullDocument._id, never from documentKey: it is what
 * the tiering state and the guarded delete act on, and it is always the exact document's own id.
 */
final class ChangeEventParser {

    ChangeEvent parse(String recordRef, byte[] value) {
        if (value == null) {
            throw new InvalidRecordException(recordRef, "value", "empty change event");
        }
        BsonDocument event;
        try {
            event = MemoryDocuments.fromJson(new String(value, StandardCharsets.UTF_8));
        } catch (JsonParseException | IllegalArgumentException | org.bson.BsonInvalidOperationException e) {
            throw new InvalidRecordException(recordRef, "value", "not a JSON change event: " + e.getMessage());
        }
        BsonValue operation = event.get("operationType");
        if (operation == null || !operation.isString()) {
            throw new InvalidRecordException(recordRef, "operationType", "missing or not a string");
        }
        return switch (operation.asString().getValue()) {
            case "insert", "update", "replace" -> upsert(recordRef, event);
            case "delete" -> delete(recordRef, event);
            // Collection-level events (drop, rename, invalidate) carry no memory.
            default -> ChangeEvent.ignored();
        };
    }

    private ChangeEvent upsert(String recordRef, BsonDocument event) {
        BsonValue fullDocument = event.get("fullDocument");
        if (fullDocument == null || fullDocument.isNull()) {
            // The document was deleted before the update could be looked up; its delete event follows.
            return ChangeEvent.ignored();
        }
        if (!fullDocument.isDocument()) {
            throw new InvalidRecordException(recordRef, "fullDocument", "not a document");
        }
        BsonValue id = fullDocument.asDocument().get(MemoryFields.ID);
        if (id == null) {
            throw new InvalidRecordException(recordRef, "fullDocument._id", "missing");
        }
        return new ChangeEvent(ChangeEvent.Operation.UPSERT, MemoryDocuments.idOf(id), fullDocument.asDocument());
    }

    private ChangeEvent delete(String recordRef, BsonDocument event) {
        BsonValue key = event.get("documentKey");
        if (key == null || !key.isDocument() || !key.asDocument().containsKey(MemoryFields.ID)) {
            throw new InvalidRecordException(recordRef, "documentKey._id", "missing on a delete event");
        }
        return new ChangeEvent(ChangeEvent.Operation.DELETE, MemoryDocuments.idOf(key.asDocument().get(MemoryFields.ID)), null);
    }
}
