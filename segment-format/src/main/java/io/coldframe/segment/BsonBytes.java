package io.coldframe.segment;

import java.nio.ByteBuffer;
import org.bson.BsonBinaryWriter;
import org.bson.BsonDocument;
import org.bson.RawBsonDocument;
import org.bson.codecs.BsonDocumentCodec;
import org.bson.codecs.EncoderContext;
import org.bson.io.BasicOutputBuffer;

/**
 * The one place that turns a {@link BsonDocument} into the bytes the format stores and hashes. A
 * {@link RawBsonDocument} is taken byte for byte (it may hold things a map cannot, e.g. repeated keys);
 * any other document is encoded in its own key order (no "_id first" reordering).
 */
final class BsonBytes {
    private static final BsonDocumentCodec CODEC = new BsonDocumentCodec();
    private static final EncoderContext CONTEXT = EncoderContext.builder().build();

    private BsonBytes() {
    }

    static byte[] of(BsonDocument doc) {
        if (doc instanceof RawBsonDocument raw) {
            ByteBuffer buf = raw.getByteBuffer().asNIO();
            byte[] out = new byte[buf.remaining()];
            buf.get(out);
            return out;
        }
        BasicOutputBuffer out = new BasicOutputBuffer(256);
        try (BsonBinaryWriter writer = new BsonBinaryWriter(out)) {
            CODEC.encode(writer, doc, CONTEXT);
        }
        return out.toByteArray();
    }
}
