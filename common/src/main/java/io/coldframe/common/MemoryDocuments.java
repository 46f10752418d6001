package io.coldframe.common;

import java.io.Writer;
import java.nio.ByteBuffer;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

import org.bson.BsonBinaryReader;
import org.bson.BsonDocument;
import org.bson.BsonSerializationException;
import org.bson.BsonValue;
import org.bson.RawBsonDocument;
import org.bson.codecs.BsonDocumentCodec;
import org.bson.codecs.DecoderContext;
import org.bson.codecs.EncoderContext;
import org.bson.codecs.RawBsonDocumentCodec;
import org.bson.json.JsonMode;
import org.bson.json.JsonWriter;
import org.bson.json.JsonWriterSettings;
import org.bson.json.StrictJsonWriter;

/**
 * Exact forms of a memory document. Canonical Extended JSON v2 and BSON are both lossless (types, key order),
 * so an archived document can be compared with, and restored as, the original byte for byte.
 */
public final class MemoryDocuments {

    private static final JsonWriterSettings CANONICAL = JsonWriterSettings.builder().outputMode(JsonMode.EXTENDED)
            .doubleConverter(MemoryDocuments::writeCanonicalDouble).build();
    private static final String ID_WRAPPER_PREFIX = "{\"_id\": ";
    private static final BsonDocumentCodec CODEC = new BsonDocumentCodec();
    private static final RawBsonDocumentCodec RAW_CODEC = new RawBsonDocumentCodec();
    private static final EncoderContext ENCODER_CONTEXT = EncoderContext.builder().build();
    private static final DecoderContext DECODER_CONTEXT = DecoderContext.builder().build();

    private MemoryDocuments() {
    }

    /**
     * Canonical Extended JSON v2, the same text as {@code document.toJson(EXTENDED)}, written faster: into an
     * unsynchronized buffer (a {@link java.io.StringWriter} takes a lock per character) and with doubles, most of an
     * embedding's JSON, written whole ({@link #writeCanonicalDouble}).
     */
    public static String toCanonicalJson(BsonDocument document) {
        StringBuilderWriter out = new StringBuilderWriter();
        JsonWriter writer = new JsonWriter(out, CANONICAL);
        if (document instanceof RawBsonDocument raw) {
            RAW_CODEC.encode(writer, raw, ENCODER_CONTEXT);
        } else {
            CODEC.encode(writer, document, ENCODER_CONTEXT);
        }
        return out.toString();
    }

    /**
     * A double as the BSON library's canonical converter writes it, {@code {"$numberDouble": "<Double.toString,
     * positive exponents with a +>"}} ("1.0E+300", "-0.0", "NaN"), without its regex per value and its escaping per
     * character: the text of a double never needs escaping. Valid only without indentation, as {@link #CANONICAL} is.
     */
    private static void writeCanonicalDouble(Double value, StrictJsonWriter writer) {
        String text = Double.toString(value);
        int exponent = text.indexOf('E');
        if (exponent >= 0 && text.charAt(exponent + 1) != '-') {
            text = text.substring(0, exponent + 1) + '+' + text.substring(exponent + 1);
        }
        writer.writeRaw("{\"$numberDouble\": \"" + text + "\"}");
    }

    public static BsonDocument fromJson(String json) {
        return BsonDocument.parse(json);
    }

    /**
     * The document's BSON written straight from its Extended JSON: no tree is built and encoded again, and a key that
     * repeats (MongoDB stores such documents; a map keeps one of them) stays as it was, so the bytes hash to the
     * version of the document the JSON was written from.
     */
    public static RawBsonDocument bsonFromJson(String json) {
        return RawBsonDocument.parse(json);
    }

    /** The document these BSON bytes hold, after {@link #checkWellFormed} passed them. */
    public static RawBsonDocument wellFormedBson(ByteBuffer bytes) {
        checkWellFormed(bytes);
        return bsonOf(bytes);
    }

    /**
     * Reads the document through once: a malformed one (a length that does not add up, a missing terminator, an
     * unknown type) fails here, as a {@link org.bson.BSONException}, and not later where it would be written into a
     * segment. The buffer's position stays where it was.
     */
    public static void checkWellFormed(ByteBuffer bytes) {
        // Decoded value by value: piping a binary reader copies the bytes unread.
        try (BsonBinaryReader reader = new BsonBinaryReader(bytes.duplicate())) {
            CODEC.decode(reader, DECODER_CONTEXT);
            if (reader.getBsonInput().hasRemaining()) {
                throw new BsonSerializationException(reader.getBsonInput().getPosition() + " bytes of document, then more");
            }
        }
    }

    /** The document these BSON bytes hold, unread: over the same array when they are in one, else over a copy. */
    public static RawBsonDocument bsonOf(ByteBuffer bytes) {
        if (bytes.hasArray()) {
            return new RawBsonDocument(bytes.array(), bytes.arrayOffset() + bytes.position(), bytes.remaining());
        }
        byte[] copy = new byte[bytes.remaining()];
        bytes.duplicate().get(copy);
        return new RawBsonDocument(copy);
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
        String wrapped = toCanonicalJson(new BsonDocument(MemoryFields.ID, idValue));
        return wrapped.substring(ID_WRAPPER_PREFIX.length(), wrapped.length() - 1);
    }

    /** The _id value a memory id stands for; inverse of {@link #idOf}. */
    public static BsonValue idValue(String memoryId) {
        return BsonDocument.parse(ID_WRAPPER_PREFIX + memoryId + "}").get(MemoryFields.ID);
    }

    /** A {@link java.io.Writer} over a {@link StringBuilder}: no lock per write, as nothing else writes to it. */
    private static final class StringBuilderWriter extends Writer {
        private final StringBuilder text = new StringBuilder(1024);

        @Override
        public void write(int c) {
            text.append((char) c);
        }

        @Override
        public void write(char[] chars, int offset, int length) {
            text.append(chars, offset, length);
        }

        @Override
        public void write(String string, int offset, int length) {
            text.append(string, offset, offset + length);
        }

        @Override
        public void flush() {
        }

        @Override
        public void close() {
        }

        @Override
        public String toString() {
            return text.toString();
        }
    }
}
