package io.coldframe.common;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

import org.bson.BsonArray;
import org.bson.BsonBinary;
import org.bson.BsonBinarySubType;
import org.bson.BsonBoolean;
import org.bson.BsonDateTime;
import org.bson.BsonDbPointer;
import org.bson.BsonDecimal128;
import org.bson.BsonDocument;
import org.bson.BsonDouble;
import org.bson.BsonInt32;
import org.bson.BsonInt64;
import org.bson.BsonJavaScript;
import org.bson.BsonJavaScriptWithScope;
import org.bson.BsonMaxKey;
import org.bson.BsonMinKey;
import org.bson.BsonNull;
import org.bson.BsonObjectId;
import org.bson.BsonRegularExpression;
import org.bson.BsonString;
import org.bson.BsonSymbol;
import org.bson.BsonTimestamp;
import org.bson.BsonUndefined;
import org.bson.RawBsonDocument;
import org.bson.json.JsonMode;
import org.bson.json.JsonWriterSettings;
import org.bson.types.Decimal128;
import org.bson.types.ObjectId;
import org.junit.jupiter.api.Test;

class MemoryDocumentsTest {

    @Test
    void memoryIdRoundTripsEveryIdType() {
        for (var id : new org.bson.BsonValue[] {new BsonObjectId(new ObjectId()), new BsonString("mem-42"),
                new BsonInt32(7), new BsonInt64(7), new BsonDocument("a", new BsonInt32(1))}) {
            assertThat(MemoryDocuments.idValue(MemoryDocuments.idOf(id))).isEqualTo(id);
        }
        assertThat(MemoryDocuments.idOf(new BsonInt32(7))).isNotEqualTo(MemoryDocuments.idOf(new BsonInt64(7)));
    }

    @Test
    void canonicalJsonKeepsTypesAndVersionSeesThem() {
        BsonDocument asInt = new BsonDocument("_id", new BsonString("m")).append("n", new BsonInt32(1));
        BsonDocument asDouble = new BsonDocument("_id", new BsonString("m")).append("n", new BsonDouble(1.0));
        BsonDocument negativeZero = new BsonDocument("z", new BsonDouble(-0.0));

        assertThat(MemoryDocuments.fromJson(MemoryDocuments.toCanonicalJson(asInt))).isEqualTo(asInt);
        assertThat(MemoryDocuments.toBson(MemoryDocuments.fromJson(MemoryDocuments.toCanonicalJson(negativeZero))))
                .isEqualTo(MemoryDocuments.toBson(negativeZero));
        assertThat(MemoryDocuments.versionOf(asInt)).isNotEqualTo(MemoryDocuments.versionOf(asDouble)).hasSize(64);
    }

    @Test
    void wellFormedBsonGivesTheSameBytesAndRefusesNestedDamageThatAPlainCopyWouldMiss() {
        // Ends with the nested string: its terminator, the nested document's end, the document's end.
        BsonDocument document = new BsonDocument("_id", new BsonString("m"))
                .append("nested", new BsonDocument("n", new BsonArray(List.of(new BsonInt32(1)))).append("text", new BsonString("abc")));
        byte[] bytes = MemoryDocuments.toBson(document);

        assertThat(MemoryDocuments.toBson(MemoryDocuments.wellFormedBson(java.nio.ByteBuffer.wrap(bytes)))).isEqualTo(bytes);

        byte[] damaged = bytes.clone();
        damaged[bytes.length - 3] = 'x'; // the string's NUL terminator; every length still adds up
        assertThatThrownBy(() -> MemoryDocuments.wellFormedBson(java.nio.ByteBuffer.wrap(damaged)))
                .isInstanceOf(org.bson.BSONException.class);
        byte[] typeless = bytes.clone();
        typeless[bytes.length - 2 - 14] = 0x7e; // the string element's type byte (type, "text\0", length, "abc\0": 14 bytes)
        assertThatThrownBy(() -> MemoryDocuments.wellFormedBson(java.nio.ByteBuffer.wrap(typeless)))
                .isInstanceOf(org.bson.BSONException.class);
        byte[] trailing = java.util.Arrays.copyOf(bytes, bytes.length + 1);
        assertThatThrownBy(() -> MemoryDocuments.wellFormedBson(java.nio.ByteBuffer.wrap(trailing)))
                .isInstanceOf(org.bson.BSONException.class).hasMessageContaining("then more");
    }


    /** The library's own canonical writer: {@link MemoryDocuments#toCanonicalJson} must write exactly its text. */
    private static final JsonWriterSettings LIBRARY_CANONICAL = JsonWriterSettings.builder().outputMode(JsonMode.EXTENDED).build();

    @Test
    void canonicalJsonIsTheLibrarysTextForEveryBsonTypeAndEveryKindOfDouble() {
        BsonDocument everyType = new BsonDocument("_id", new BsonObjectId(new ObjectId()))
                .append("double", new BsonDouble(0.1))
                .append("string", new BsonString("quote \" backslash \\ tab \t nul \u0000 é 漢 😀 \u2028"))
                .append("document", new BsonDocument("a", new BsonInt32(1)).append("b", new BsonArray()))
                .append("array", new BsonArray(List.of(new BsonInt32(1), new BsonDocument(), new BsonDouble(-0.0))))
                .append("binary", new BsonBinary(new byte[] {1, 2, 3}))
                .append("binary_uuid", new BsonBinary(BsonBinarySubType.UUID_STANDARD, new byte[16]))
                .append("binary_user", new BsonBinary((byte) 0x80, new byte[] {9}))
                .append("undefined", new BsonUndefined())
                .append("object_id", new BsonObjectId(new ObjectId()))
                .append("boolean", BsonBoolean.TRUE)
                .append("date", new BsonDateTime(-1L))
                .append("null", BsonNull.VALUE)
                .append("regex", new BsonRegularExpression("^a.*\"", "im"))
                .append("db_pointer", new BsonDbPointer("db.coll", new ObjectId()))
                .append("javascript", new BsonJavaScript("function() { return \"x\"; }"))
                .append("symbol", new BsonSymbol("sym"))
                .append("javascript_with_scope", new BsonJavaScriptWithScope("x", new BsonDocument("x", new BsonDouble(2.5))))
                .append("int32", new BsonInt32(Integer.MIN_VALUE))
                .append("timestamp", new BsonTimestamp(7, 9))
                .append("int64", new BsonInt64(Long.MAX_VALUE))
                .append("decimal128", new BsonDecimal128(Decimal128.parse("-1.5E-6143")))
                .append("min_key", new BsonMinKey())
                .append("max_key", new BsonMaxKey());
        assertSameCanonicalJson(everyType);

        SplittableRandom random = new SplittableRandom(16);
        BsonArray doubles = new BsonArray();
        for (double special : new double[] {0.0, -0.0, Double.NaN, Double.POSITIVE_INFINITY, Double.NEGATIVE_INFINITY,
                Double.MIN_VALUE, -Double.MIN_NORMAL, Double.MAX_VALUE, 1e7, 1e-3, 1e-4, 1e21, 1e300, 123456789.0, 1.0E-300}) {
            doubles.add(new BsonDouble(special));
        }
        for (int i = 0; i < 20_000; i++) {
            // any bit pattern (subnormals, every exponent), and embedding-like floats. Not NaN payloads: Extended JSON
            // has one "NaN" for them all, whichever writer writes it, so only the canonical NaN round-trips.
            double bits = Double.longBitsToDouble(random.nextLong());
            doubles.add(new BsonDouble(i % 2 == 0 ? (Double.isNaN(bits) ? Double.NaN : bits) : (float) (random.nextDouble() * 2 - 1)));
        }
        assertSameCanonicalJson(new BsonDocument("embedding", doubles).append("nested", new BsonDocument("d", new BsonDouble(4e-5))));
    }

    private static void assertSameCanonicalJson(BsonDocument document) {
        RawBsonDocument raw = new RawBsonDocument(MemoryDocuments.toBson(document));
        assertThat(MemoryDocuments.toCanonicalJson(document)).isEqualTo(document.toJson(LIBRARY_CANONICAL));
        assertThat(MemoryDocuments.toCanonicalJson(raw)).isEqualTo(raw.toJson(LIBRARY_CANONICAL));
        assertThat(MemoryDocuments.toBson(MemoryDocuments.fromJson(MemoryDocuments.toCanonicalJson(raw)))).isEqualTo(MemoryDocuments.toBson(document));
    }

    @Test
    void environmentOverridesDefaultsAndExplicitValuesOverrideEnvironment() {
        var definition = CommonConfigKeys.withKafka(new org.apache.kafka.common.config.ConfigDef());
        Map<String, String> env = Map.of("COLDFRAME_KAFKA_BOOTSTRAP_SERVERS", "env:9092", "COLDFRAME_TOPIC_PREFIX", "envprefix");

        Map<String, Object> values = ConfigLoader.resolve(definition, Map.of("topic.prefix", "flag"), env);

        assertThat(values).containsEntry("kafka.bootstrap.servers", "env:9092").containsEntry("topic.prefix", "flag");
    }
}
