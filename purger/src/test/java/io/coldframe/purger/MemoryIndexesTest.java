package io.coldframe.purger;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.InetSocketAddress;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import org.apache.kafka.common.config.ConfigException;
import org.bson.BsonDocument;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import com.mongodb.client.MongoClient;
import com.mongodb.client.MongoClients;
import com.mongodb.client.MongoCollection;
import com.mongodb.client.model.IndexOptions;
import com.mongodb.client.model.Indexes;

import de.bwaldvogel.mongo.MongoServer;
import de.bwaldvogel.mongo.backend.memory.MemoryBackend;

class MemoryIndexesTest {

    private static MongoServer server;
    private static MongoClient client;
    private MongoCollection<BsonDocument> memories;

    @BeforeAll
    static void startMongo() {
        server = new MongoServer(new MemoryBackend());
        InetSocketAddress address = server.bind();
        client = MongoClients.create("mongodb://" + address.getHostString() + ":" + address.getPort());
    }

    @AfterAll
    static void stopMongo() {
        client.close();
        server.shutdown();
    }

    @BeforeEach
    void emptyCollection() {
        memories = client.getDatabase("coldframe").getCollection("memories", BsonDocument.class);
        memories.drop();
        memories.insertOne(BsonDocument.parse("{_id: 'm-1', agent_id: 'a'}"));
    }

    @Test
    void createsWhatIsMissingOnceAndThenFindsEverythingPresent() {
        MemoryIndexes plan = MemoryIndexes.of("timestamp", "expires_at", 3600);
        assertThat(MemoryIndexes.problems(plan.inspect(memories))).contains("missing indexes", "coldframe_agent_time", "coldframe_ttl");

        List<MemoryIndexes.Finding> first = plan.ensure(memories);
        assertThat(first).extracting(MemoryIndexes.Finding::state).containsOnly(MemoryIndexes.State.MISSING);
        assertThat(first).extracting(f -> f.spec().keys().toJson()).contains("{\"agent_id\": 1, \"timestamp\": -1}", "{\"timestamp\": 1}");

        List<MemoryIndexes.Finding> second = plan.ensure(memories);
        assertThat(second).extracting(MemoryIndexes.Finding::state).containsOnly(MemoryIndexes.State.PRESENT);
        assertThat(MemoryIndexes.problems(plan.inspect(memories))).isNull();
        assertThat(memories.listIndexes()).filteredOn(index -> "coldframe_ttl".equals(index.getString("name")))
                .singleElement().satisfies(index -> assertThat(((Number) index.get("expireAfterSeconds")).longValue()).isEqualTo(3600));
    }

    @Test
    void anIndexWithTheSameKeysUnderAnotherNameCountsAsPresent() {
        memories.createIndex(Indexes.ascending("importance"), new IndexOptions().name("by_importance"));
        MemoryIndexes.Finding importance = MemoryIndexes.of("created_at", "", 0).inspect(memories).stream()
                .filter(f -> f.spec().name().equals("coldframe_importance")).findFirst().orElseThrow();
        assertThat(importance.state()).isEqualTo(MemoryIndexes.State.PRESENT);
        assertThat(importance.existingName()).isEqualTo("by_importance");
    }

    @Test
    void aTtlIndexWithOtherSecondsIsAConflictAndIsLeftAlone() {
        memories.createIndex(Indexes.ascending("expires_at"), new IndexOptions().expireAfter(60L, TimeUnit.SECONDS));
        MemoryIndexes plan = MemoryIndexes.of("created_at", "expires_at", 3600);
        MemoryIndexes.Finding ttl = plan.ensure(memories).get(3);
        assertThat(ttl.state()).isEqualTo(MemoryIndexes.State.CONFLICT);
        assertThat(MemoryIndexes.problems(plan.inspect(memories))).contains("expireAfterSeconds is 60, the plan says 3600");
        assertThat(memories.listIndexes()).filteredOn(index -> "expires_at_1".equals(index.getString("name")))
                .singleElement().satisfies(index -> assertThat(((Number) index.get("expireAfterSeconds")).longValue()).isEqualTo(60));
    }

    @Test
    void aTtlOnTheTimestampFieldIsRefusedAtStart() {
        assertThatThrownBy(() -> PurgerConfig.load(Map.of(MemoryIndexes.TIMESTAMP_FIELD, "ts", MemoryIndexes.TTL_FIELD, "ts")))
                .isInstanceOf(ConfigException.class).hasMessageContaining("mongodb.ttl.field").hasMessageContaining("never archived");
    }
}
