package io.coldframe.common;

import java.nio.ByteBuffer;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

import org.bson.BsonDocument;
import org.bson.BsonValue;
import org.bson.RawBsonDocument;
import org.bson.codecs.BsonDocumentCodec;
import org.bson.json.JsonMode;
import org.bson.json.JsonWriterSettings;

/**
 * Exact forms of a memory document. Canonical Extended JSON v2 and BSON are both lossless (types, key order),
 * so an archived document can be compared with, and restored as, the original byte for byte.
 */
public final class MemoryDocuments {

    private static final JsonWriterSettings CANONICAL = JsonWriterSettings.builder().outputMode(JsonMode.EXTENDED).build();
    private static final String ID_WRAPPER_PREFIX = "{\"_id\": ";
    private static final BsonDocumentCodec CODEC = new BsonDocumentCodec();

    private MemoryDocuments() {
    }

    public static String toCanonicalJson(BsonDocument document) {
        return document.toJson(CANONICAL);
    }

    public static BsonDocument fromJson(String json) {
        return BsonDocument.parse(json);
    }

    /** The document's BSON bytes; a document read raw from MongoDB gives its bytes as stored, without re-encoding. */
    public static byte[] toBson(BsonDocument document) {
        ByteBuffer buffer = bsonView(document);
        byte[] bytes = new byte[buffer.remaining()];
        buffer.get(bytes);
        return bytes;
    }

    /**
     * The document's BSON bytes as a read-only view: for a raw document (one read from MongoDB or from a BSON change
     * event) its own bytes, neither re-encoded nor copied.
     */
    public static ByteBuffer bsonView(BsonDocument document) {
        RawBsonDocument raw = document instanceof RawBsonDocument r ? r : new RawBsonDocument(document, CODEC);
        return raw.getByteBuffer().asNIO().asReadOnlyBuffer();
    }

    /** Version fingerprint: lowercase hex SHA-256 of the document's exact BSON bytes. */
    public static String versionOf(BsonDocument document) {
        return sha256Hex(bsonView(document));
    }

    public static String sha256Hex(byte[] bytes) {
        return sha256Hex(ByteBuffer.wrap(bytes));
    }

    /** SHA-256 of the buffer's remaining bytes, as lowercase hex; reads a duplicate, so the buffer stays as it was. */
    public static String sha256Hex(ByteBuffer bytes) {
        try {
            MessageDigest digest = MessageDigest.getInstance("SHA-256");
            digest.update(bytes.duplicate());
            return HexFormat.of().formatHex(digest.digest());
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JVM ships SHA-256", e);
        }
    }

    /** A memory id: the _id value as canonical Extended JSON, e.g. {@code {"$oid": "65f0..."}} or {@code "mem-42"}. */
    public static String idOf(BsonValue idValue) {
        String wrapped = new BsonDocument(MemoryFields.ID, idValue).toJson(CANONICAL);
        return wrapped.substring(ID_WRAPPER_PREFIX.length(), wrapped.length() - 1);
    }

    /** The _id value a memory id stands for; inverse of {@link #idOf}. */
    public static BsonValue idValue(String memoryId) {
        return BsonDocument.parse(ID_WRAPPER_PREFIX + memoryId + "}").get(MemoryFields.ID);
    }
}
