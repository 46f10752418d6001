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
 *
 * <p>An event larger than the configured limit is refused before it is parsed: its tier record would carry the whole
 * document, over what the tier topics accept. It is named by its key, the connector's documentKey.
 */
final class ChangeEventParser {

    /** Enough of an oversize event's key to name its document; a stand-in update's key is the whole update. */
    private static final int KEY_CHARS_IN_REASON = 200;

    private final int maxChangeBytes;

    ChangeEventParser(int maxChangeBytes) {
        this.maxChangeBytes = maxChangeBytes;
    }

    ChangeEvent parse(String recordRef, byte[] key, byte[] value) {
        if (value == null) {
            throw new InvalidRecordException(recordRef, "value", "empty change event");
        }
        if (value.length > maxChangeBytes) {
            throw new InvalidRecordException(recordRef + " (key " + keyText(key) + ")", "value", "change event of " + value.length
                    + " bytes is over " + StreamsAppConfig.CHANGE_MAX_BYTES + " (" + maxChangeBytes + "); the document stays in "
                    + "MongoDB unarchived until the limit is raised (docs/operations.md, \"Big documents\")");
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

    private static String keyText(byte[] key) {
        if (key == null) {
            return "null";
        }
        String text = new String(key, StandardCharsets.UTF_8);
        return text.length() <= KEY_CHARS_IN_REASON ? text : text.substring(0, KEY_CHARS_IN_REASON) + "...";
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
