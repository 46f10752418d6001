package io.coldframe.streams;

import java.nio.charset.StandardCharsets;

import org.bson.BSONException;
import org.bson.BsonDocument;
import org.bson.BsonValue;

import io.coldframe.common.ChangeEventBytes;
import io.coldframe.common.InvalidRecordException;
import io.coldframe.common.MemoryDocuments;
import io.coldframe.common.MemoryFields;

/**
 * Reads a MongoDB change event as the source connector publishes it, BSON or (before {@code output.format.value=bson})
 * canonical Extended JSON, with operationType, fullDocument (looked up on update) and documentKey.
 *
 * <p>A BSON event is read lazily ({@link ChangeEventBytes}): only the fields asked for are decoded, and the full
 * document stays the record's own bytes, which are its exact BSON and so its version, until its tier record is built.
 * Malformed BSON surfaces where a field is read and is refused naming that field.
 *
 * <p>Identity of inserts, updates and replaces comes from fullDocument._id, never from documentKey: it is what
 * the tiering state and the guarded delete act on, and it is always the exact document's own id.
 *
 * <p>An event larger than the configured limit is refused before it is read, and so is a hot or warm document whose
 * canonical Extended JSON, which its tier record carries, is over it (BSON is up to about 3 times smaller; a cold
 * record and the changelog entry carry the BSON, never larger than its event).
 * Both are named by the event's key, the connector's documentKey.
 */
final class ChangeEventParser {

    /** Enough of an oversize event's key to name its document; a stand-in update's key is the whole update. */
    private static final int KEY_CHARS_IN_REASON = 200;
    private static final String STAYS_IN_MONGODB = "; the document stays in MongoDB unarchived until the limit is raised "
            + "(docs/operations.md, \"Big documents\")";

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
                    + " bytes is over " + StreamsAppConfig.CHANGE_MAX_BYTES + " (" + maxChangeBytes + ")" + STAYS_IN_MONGODB);
        }
        BsonDocument event;
        try {
            event = ChangeEventBytes.read(value);
        } catch (IllegalArgumentException e) {
            throw new InvalidRecordException(recordRef, "value", "not a change event: " + e.getMessage());
        }
        BsonValue operation = field(recordRef, event, "operationType", "operationType");
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

    /** Refuses a document whose hot or warm record would carry more canonical Extended JSON than the limit. */
    void checkDocumentSize(String recordRef, byte[] key, String documentJson) {
        // UTF-8 takes at least one byte per char: only a long enough text needs counting.
        if (documentJson.length() * 3L <= maxChangeBytes) {
            return;
        }
        int bytes = documentJson.getBytes(StandardCharsets.UTF_8).length;
        if (bytes > maxChangeBytes) {
            throw new InvalidRecordException(recordRef + " (key " + keyText(key) + ")", "fullDocument", "document of " + bytes
                    + " bytes of Extended JSON is over " + StreamsAppConfig.CHANGE_MAX_BYTES + " (" + maxChangeBytes + ")" + STAYS_IN_MONGODB);
        }
    }

    private static String keyText(byte[] key) {
        if (key == null) {
            return "null";
        }
        String text = new String(key, StandardCharsets.UTF_8);
        return text.length() <= KEY_CHARS_IN_REASON ? text : text.substring(0, KEY_CHARS_IN_REASON) + "...";
    }

    private ChangeEvent upsert(String recordRef, BsonDocument event) {
        BsonValue fullDocument = field(recordRef, event, "fullDocument", "fullDocument");
        if (fullDocument == null || fullDocument.isNull()) {
            // The document was deleted before the update could be looked up; its delete event follows.
            return ChangeEvent.ignored();
        }
        if (!fullDocument.isDocument()) {
            throw new InvalidRecordException(recordRef, "fullDocument", "not a document");
        }
        BsonValue id = field(recordRef, fullDocument.asDocument(), MemoryFields.ID, "fullDocument._id");
        if (id == null) {
            throw new InvalidRecordException(recordRef, "fullDocument._id", "missing");
        }
        return new ChangeEvent(ChangeEvent.Operation.UPSERT, memoryId(recordRef, id, "fullDocument._id"), fullDocument.asDocument());
    }

    private ChangeEvent delete(String recordRef, BsonDocument event) {
        BsonValue key = field(recordRef, event, "documentKey", "documentKey");
        BsonValue id = key != null && key.isDocument() ? field(recordRef, key.asDocument(), MemoryFields.ID, "documentKey._id") : null;
        if (id == null) {
            throw new InvalidRecordException(recordRef, "documentKey._id", "missing on a delete event");
        }
        return new ChangeEvent(ChangeEvent.Operation.DELETE, memoryId(recordRef, id, "documentKey._id"), null);
    }

    /** Reads one field; malformed BSON (found only when read) is refused naming the field. */
    private static BsonValue field(String recordRef, BsonDocument document, String name, String path) {
        try {
            return document.get(name);
        } catch (BSONException | IllegalArgumentException | IndexOutOfBoundsException e) {
            // what the BSON reader throws on bytes that do not hold what they declare
            throw malformed(recordRef, path, e);
        }
    }

    private static String memoryId(String recordRef, BsonValue id, String path) {
        try {
            return MemoryDocuments.idOf(id);
        } catch (BSONException | IllegalArgumentException | IndexOutOfBoundsException e) {
            throw malformed(recordRef, path, e);
        }
    }

    private static InvalidRecordException malformed(String recordRef, String path, RuntimeException e) {
        return new InvalidRecordException(recordRef, path, "malformed BSON: " + e.getMessage());
    }
}
