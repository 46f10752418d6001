package io.coldframe.segment;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.List;
import org.bson.BsonArray;
import org.bson.BsonBinary;
import org.bson.BsonDocument;
import org.bson.BsonDouble;
import org.bson.BsonInt32;
import org.bson.BsonString;
import org.bson.BsonValue;
import org.bson.RawBsonDocument;
import org.junit.jupiter.api.Test;

class RecordCodecTest {

    private static BsonArray doubles(double... ds) {
        List<BsonValue> vs = new ArrayList<>();
        for (double d : ds) {
            vs.add(new BsonDouble(d));
        }
        return new BsonArray(vs);
    }

    private static byte[] roundTrip(BsonDocument doc) {
        byte[] bson = BsonBytes.of(doc);
        byte[] body = RecordCodec.encode(bson);
        assertThat(RecordCodec.decode(body)).isEqualTo(bson);
        return body;
    }

    @Test
    void floatExactEmbeddingIsPackedAsFloat32() {
        double[] emb = new double[384];
        for (int i = 0; i < emb.length; i++) {
            emb[i] = (float) Math.sin(i) / 7;
        }
        BsonDocument doc = new BsonDocument("_id", new BsonInt32(1)).append("embedding", doubles(emb));
        byte[] body = roundTrip(doc);
        assertThat(body[0]).isEqualTo((byte) RecordCodec.KIND_PACKED);
        // kind + int32 len + (type 0x10 "_id\0" int32) + type 0x81 "embedding\0" + count + 384 * 4 + doc terminator
        assertThat(body).hasSize(1 + 4 + (1 + 4 + 4) + (1 + 10 + 4 + 384 * 4) + 1);
        assertThat(body[1 + 4 + 9] & 0xff).isEqualTo(RecordCodec.TYPE_PACKED_F32);
    }

    @Test
    void arrayWithAValueFloatCannotHoldIsPackedAsFloat64() {
        BsonDocument doc = new BsonDocument("v", doubles(0.5, 0.1, -0.0));
        byte[] body = roundTrip(doc);
        assertThat(body[1 + 4] & 0xff).isEqualTo(RecordCodec.TYPE_PACKED_F64);
    }

    @Test
    void nanForcesFloat64SoItsPayloadSurvives() {
        BsonDocument doc = new BsonDocument("v", doubles(1.0, Double.longBitsToDouble(0x7ff0000000000001L), -0.0));
        byte[] body = roundTrip(doc);
        assertThat(body[1 + 4] & 0xff).isEqualTo(RecordCodec.TYPE_PACKED_F64);
    }

    @Test
    void mixedArraysAndEmptyArraysStayBson() {
        BsonDocument doc = new BsonDocument("mixed", new BsonArray(List.of(new BsonDouble(1), new BsonInt32(2))))
                .append("empty", new BsonArray());
        assertThat(roundTrip(doc)[0]).isEqualTo((byte) RecordCodec.KIND_VERBATIM);
    }

    @Test
    void packedArraysInsideNestedDocumentsAndArraysWithBinaryOfEverySubtype() {
        BsonArray outer = new BsonArray();
        for (int subtype = 0; subtype < 256; subtype += 17) {
            outer.add(new BsonDocument("bin", new BsonBinary((byte) subtype, new byte[] {(byte) 0x81, 0x04, 0x01, 0}))
                    .append("vec", doubles(subtype, subtype / 3.0)));
        }
        outer.add(doubles(1, 2, 3));
        BsonDocument doc = new BsonDocument("outer", outer).append("s", new BsonString("\u0000\u0081"));
        byte[] body = roundTrip(doc);
        assertThat(body[0]).isEqualTo((byte) RecordCodec.KIND_PACKED);
    }

    @Test
    void nonCanonicalArrayKeysInRawBsonAreLeftAlone() {
        // {"a": [1.0, 2.0]} but with array keys "1","0" (legal bytes, not what drivers write)
        byte[] bson = BsonBytes.of(new BsonDocument("a", doubles(1.0, 2.0)));
        int k0 = indexOf(bson, new byte[] {0x01, '0', 0});
        int k1 = indexOf(bson, new byte[] {0x01, '1', 0});
        bson[k0 + 1] = '1';
        bson[k1 + 1] = '0';
        byte[] body = RecordCodec.encode(bson);
        assertThat(body[0]).isEqualTo((byte) RecordCodec.KIND_VERBATIM);
        assertThat(RecordCodec.decode(body)).isEqualTo(bson);
        // and through the public API, a RawBsonDocument is taken byte for byte
        RawBsonDocument raw = new RawBsonDocument(bson);
        assertThat(SegmentRecord.versionOf(raw)).isEqualTo(Hashes.sha256Hex(bson));
    }

    @Test
    void garbageIsStoredVerbatim() {
        byte[] notBson = {1, 2, 3, 4, 5, 6, 7};
        byte[] body = RecordCodec.encode(notBson);
        assertThat(body[0]).isEqualTo((byte) RecordCodec.KIND_VERBATIM);
        assertThat(RecordCodec.decode(body)).isEqualTo(notBson);
    }

    @Test
    void malformedBodiesAreRejected() {
        assertThatThrownBy(() -> RecordCodec.decode(new byte[0])).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> RecordCodec.decode(new byte[] {7, 1, 2})).hasMessageContaining("kind");
        byte[] body = RecordCodec.encode(BsonBytes.of(new BsonDocument("v", doubles(1, 2, 3))));
        byte[] truncated = java.util.Arrays.copyOf(body, body.length - 3);
        assertThatThrownBy(() -> RecordCodec.decode(truncated)).isInstanceOf(IllegalArgumentException.class);
    }

    private static int indexOf(byte[] hay, byte[] needle) {
        outer:
        for (int i = 0; i + needle.length <= hay.length; i++) {
            for (int j = 0; j < needle.length; j++) {
                if (hay[i + j] != needle[j]) {
                    continue outer;
                }
            }
            return i;
        }
        throw new AssertionError("not found");
    }
}
