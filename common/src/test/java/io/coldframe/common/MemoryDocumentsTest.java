package io.coldframe.common;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;

import org.bson.BsonDocument;
import org.bson.BsonDouble;
import org.bson.BsonInt32;
import org.bson.BsonInt64;
import org.bson.BsonString;
import org.bson.types.ObjectId;
import org.bson.BsonObjectId;
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
    void environmentOverridesDefaultsAndExplicitValuesOverrideEnvironment() {
        var definition = CommonConfigKeys.withKafka(new org.apache.kafka.common.config.ConfigDef());
        Map<String, String> env = Map.of("COLDFRAME_KAFKA_BOOTSTRAP_SERVERS", "env:9092", "COLDFRAME_TOPIC_PREFIX", "envprefix");

        Map<String, Object> values = ConfigLoader.resolve(definition, Map.of("topic.prefix", "flag"), env);

        assertThat(values).containsEntry("kafka.bootstrap.servers", "env:9092").containsEntry("topic.prefix", "flag");
    }
}
