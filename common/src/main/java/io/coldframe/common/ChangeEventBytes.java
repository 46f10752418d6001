package io.coldframe.common;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;

import org.bson.BSONException;
import org.bson.BsonDocument;
import org.bson.RawBsonDocument;
import org.bson.json.JsonParseException;

/**
 * Reads a value of the change topic in either format the MongoDB source connector publishes: BSON
 * ({@code output.format.value=bson}, what {@code connectors/mongo-source.json} deploys) or canonical Extended JSON
 * (the format before it; a topic holds both while an upgrade's older events are still retained).
 *
 * <p>A BSON event is wrapped, not parsed: a {@link RawBsonDocument} over the record's bytes reads a field only when
 * asked, and its nested documents share those bytes, so the full document's exact BSON is at hand without a copy.
 */
public final class ChangeEventBytes {

    /** The smallest BSON document: its int32 length and the terminating 0. */
    private static final int MIN_BSON_LENGTH = 5;

    private ChangeEventBytes() {
    }

    /**
     * Whether the value is one BSON document: its leading little-endian length is the value's length and it ends with
     * the 0 terminator. A JSON text never ends with a 0 byte, so no JSON event is taken for BSON.
     */
    public static boolean isBson(byte[] value) {
        return value.length >= MIN_BSON_LENGTH
                && ByteBuffer.wrap(value, 0, 4).order(ByteOrder.LITTLE_ENDIAN).getInt() == value.length
                && value[value.length - 1] == 0;
    }

    /**
     * The change event as a document: lazily read over the bytes for BSON (a malformed one may throw
     * {@link BSONException} when a field is read), parsed for JSON.
     *
     * @throws IllegalArgumentException when the value is neither, with the reason
     */
    public static BsonDocument read(byte[] value) {
        if (isBson(value)) {
            return new RawBsonDocument(value);
        }
        try {
            return MemoryDocuments.fromJson(new String(value, StandardCharsets.UTF_8));
        } catch (JsonParseException | BSONException | IllegalArgumentException e) {
            throw new IllegalArgumentException("neither a BSON document (" + value.length + " bytes, " + bsonLengthProblem(value)
                    + ") nor JSON (" + e.getMessage() + ")", e);
        }
    }

    private static String bsonLengthProblem(byte[] value) {
        if (value.length < MIN_BSON_LENGTH) {
            return "shorter than any BSON document";
        }
        int declared = ByteBuffer.wrap(value, 0, 4).order(ByteOrder.LITTLE_ENDIAN).getInt();
        return declared != value.length ? "declares " + declared : "no terminating 0";
    }
}
