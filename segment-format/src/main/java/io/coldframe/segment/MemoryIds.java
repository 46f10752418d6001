package io.coldframe.segment;

import java.nio.ByteBuffer;
import org.bson.BsonBinaryReader;
import org.bson.BsonDocument;
import org.bson.BsonType;
import org.bson.BsonValue;
import org.bson.codecs.BsonValueCodec;
import org.bson.codecs.DecoderContext;
import org.bson.json.JsonMode;
import org.bson.json.JsonWriterSettings;

/**
 * The memory id a v2 reader derives from a stored document: the canonical Extended JSON of the value of
 * its first top-level {@code _id} field (as coldframe names memories, e.g. {@code {"$oid": "65f0..."}} or
 * {@code "mem-42"}). Records whose caller-given id differs (or whose document has no {@code _id}) carry
 * their id explicitly in the index.
 */
final class MemoryIds {
    private static final JsonWriterSettings CANONICAL = JsonWriterSettings.builder().outputMode(JsonMode.EXTENDED).build();
    private static final String WRAPPER_PREFIX = "{\"_id\": ";
    private static final BsonValueCodec VALUE_CODEC = new BsonValueCodec();

    private MemoryIds() {
    }

    /** The derived id, or null if the document has no top-level _id (or is not walkable BSON). */
    static String derive(byte[] bson) {
        try (BsonBinaryReader reader = new BsonBinaryReader(ByteBuffer.wrap(bson))) {
            reader.readStartDocument();
            while (reader.readBsonType() != BsonType.END_OF_DOCUMENT) {
                if (reader.readName().equals("_id")) {
                    BsonValue id = VALUE_CODEC.decode(reader, DecoderContext.builder().build());
                    String wrapped = new BsonDocument("_id", id).toJson(CANONICAL);
                    return wrapped.substring(WRAPPER_PREFIX.length(), wrapped.length() - 1);
                }
                reader.skipValue();
            }
            return null;
        } catch (RuntimeException notWalkable) {
            return null;
        }
    }
}
