package io.coldframe.service;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Date;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

import org.bson.Document;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;
import com.mongodb.client.MongoClient;
import com.mongodb.client.MongoClients;

import io.coldframe.common.CommonConfigKeys;
import io.coldframe.common.MemoryDocuments;
import io.coldframe.hotcache.DocumentCodec;
import io.coldframe.hotcache.HotKeys;
import io.coldframe.hotcache.RedisConfigKeys;
import io.coldframe.hotcache.RedisTierWriter;
import io.coldframe.hotcache.TierRecord;
import io.coldframe.local.EmbeddedRedis;
import io.coldframe.local.LocalStack;
import io.coldframe.schemas.MemoryRecord;
import io.coldframe.schemas.Tier;
import io.coldframe.schemas.TierChange;
import io.coldframe.store.SegmentStoreConfig;

import redis.clients.jedis.RedisClient;

/** GET /agents/{agent}/memories/recent from a real Redis, and from MongoDB when Redis cannot answer. */
class RecentMemoriesIT {

    private static final HttpClient HTTP = HttpClient.newHttpClient();
    private static final Instant T0 = Instant.parse("2026-01-01T00:00:00Z");

    private static LocalStack stack;
    private static EmbeddedRedis redis;
    private static ArchiveService service;
    private static final List<TierRecord> CACHED = new ArrayList<>();

    @BeforeAll
    static void start() throws Exception {
        stack = LocalStack.builder().topicPrefix("recentit").start();
        redis = EmbeddedRedis.start();
        List<Document> documents = new ArrayList<>();
        for (int i = 0; i < 12; i++) {
            Document doc = new Document("_id", "r-" + i).append("agent_id", "agent-r").append("created_at", Date.from(T0.plusSeconds(i)))
                    .append("text", "memory " + i);
            documents.add(doc);
            CACHED.add(tierRecord(doc));
        }
        documents.add(new Document("_id", "m-1").append("agent_id", "agent-m").append("created_at", Date.from(T0)));
        documents.add(new Document("_id", "m-2").append("agent_id", "agent-m").append("created_at", Date.from(T0.plusSeconds(5))));
        try (MongoClient mongo = MongoClients.create(stack.mongoUri())) {
            mongo.getDatabase(stack.database()).getCollection(stack.collection()).insertMany(documents);
        }
        fillRedis();
        Path dir = Files.createTempDirectory("recent-it");
        Map<String, Object> values = new HashMap<>();
        values.put(CommonConfigKeys.BOOTSTRAP_SERVERS, stack.bootstrapServers());
        values.put(CommonConfigKeys.TOPIC_PREFIX, "recentit");
        values.put(CommonConfigKeys.MONGODB_URI, stack.mongoUri());
        values.put(CommonConfigKeys.MONGODB_DATABASE, stack.database());
        values.put(CommonConfigKeys.MONGODB_COLLECTION, stack.collection());
        values.put(SegmentStoreConfig.STORE_DIR, dir.resolve("store").toString());
        values.put(ArchiveServiceConfig.APPLICATION_ID, "recentit-service");
        values.put(ArchiveServiceConfig.STATE_DIR, dir.resolve("state").toString());
        values.put(ArchiveServiceConfig.CACHE_DIR, dir.resolve("cache").toString());
        values.put(ArchiveServiceConfig.HTTP_PORT, "0");
        values.put(RedisConfigKeys.URL, redis.url());
        values.put(RedisConfigKeys.TIMEOUT_MS, "500");
        service = new ArchiveService(ArchiveServiceConfig.load(values));
        service.start();
    }

    private static void fillRedis() {
        try (RedisClient client = RedisClient.create(URI.create(redis.url()))) {
            new RedisTierWriter(client, new DocumentCodec(DocumentCodec.ZSTD), 100).apply(CACHED, Map.of(), Set.of());
        }
    }

    private static TierRecord tierRecord(Document doc) {
        var bson = org.bson.BsonDocument.parse(doc.toJson());
        String id = MemoryDocuments.idOf(bson.get("_id"));
        MemoryRecord memory = MemoryRecord.newBuilder().setId(id).setAgent(doc.getString("agent_id"))
                .setCreatedAt(doc.getDate("created_at").toInstant()).setSizeBytes(MemoryDocuments.toBson(bson).length)
                .setVersion(MemoryDocuments.versionOf(bson)).setDocument(MemoryDocuments.toCanonicalJson(bson)).build();
        TierChange change = TierChange.newBuilder().setMemoryId(id).setAgent(memory.getAgent()).setToTier(Tier.HOT).setRule("test")
                .setChangedAt(T0).setMemory(memory).build();
        return new TierRecord(HotKeys.HOT, id, 1, change);
    }

    @AfterAll
    static void stop() {
        if (service != null) {
            service.close();
        }
        if (redis != null) {
            redis.close();
        }
        if (stack != null) {
            stack.close();
        }
    }

    private static HttpResponse<String> get(String path) throws Exception {
        return HTTP.send(HttpRequest.newBuilder(URI.create(service.url() + path)).build(), HttpResponse.BodyHandlers.ofString());
    }

    private static JsonNode recent(String agent, int limit) throws Exception {
        HttpResponse<String> response = get("/agents/" + agent + "/memories/recent?limit=" + limit);
        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
        return CatalogIndex.JSON.readTree(response.body());
    }

    private static List<String> ids(JsonNode body) {
        List<String> ids = new ArrayList<>();
        body.path("memories").forEach(m -> ids.add(m.path("id").asText()));
        return ids;
    }

    @Test
    void recentMemoriesComeFromRedisNewestFirst() throws Exception {
        JsonNode body = recent("agent-r", 10);

        assertThat(body.path("source").asText()).isEqualTo("redis");
        assertThat(ids(body)).hasSize(10).startsWith("\"r-11\"", "\"r-10\"").endsWith("\"r-2\"");
        assertThat(body.path("memories").get(0).path("document").path("text").asText()).isEqualTo("memory 11");
        assertThat(body.path("memories").get(0).path("tier").asText()).isEqualTo("hot");
    }

    @Test
    void anAgentRedisDoesNotHoldEnoughOfIsReadFromMongo() throws Exception {
        JsonNode body = recent("agent-m", 10);

        assertThat(body.path("source").asText()).isEqualTo("mongodb");
        assertThat(ids(body)).containsExactly("\"m-2\"", "\"m-1\"");
    }

    @Test
    void aBadLimitIsRefused() throws Exception {
        HttpResponse<String> response = get("/agents/agent-r/memories/recent?limit=0");

        assertThat(response.statusCode()).isEqualTo(400);
        assertThat(response.body()).contains("limit must be a whole number from 1 to 1000");
    }

    @Test
    void whenRedisIsDownTheAnswerComesFromMongo() throws Exception {
        redis.stop();
        try {
            JsonNode body = recent("agent-r", 10);

            assertThat(body.path("source").asText()).isEqualTo("mongodb");
            assertThat(ids(body)).hasSize(10).startsWith("\"r-11\"", "\"r-10\"");
        } finally {
            redis.resume();
            fillRedis();
        }
    }
}
