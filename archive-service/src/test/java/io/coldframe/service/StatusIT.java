package io.coldframe.service;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.bson.BsonDocument;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import com.fasterxml.jackson.databind.JsonNode;
import com.mongodb.client.MongoClient;
import com.mongodb.client.MongoClients;

import io.coldframe.common.CommonConfigKeys;
import io.coldframe.local.LocalStack;
import io.coldframe.store.SegmentStoreConfig;

/**
 * GET /status on the embedded stack: signals measured from the real broker (archiver lag, dead letters against
 * changes, a purge backlog waiting 40 minutes), MongoDB connectivity, the score and its recommendations; and no
 * credential in the answer, not even inside the error of a MongoDB that refuses them.
 */
class StatusIT {

    private static final String PREFIX = "statusit";
    private static final String PASSWORD = "S3cret-Pa55word";
    private static final String TOKEN = "wr1te-T0ken-42";
    private static final int COLD_RECORDS = 12_000;
    private static final HttpClient HTTP = HttpClient.newHttpClient();

    @TempDir
    static Path dir;
    private static LocalStack stack;

    @BeforeAll
    static void aPipelineWithWorkWaiting() throws Exception {
        stack = LocalStack.builder().topicPrefix(PREFIX).start();
        Properties props = new Properties();
        props.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, stack.bootstrapServers());
        try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(props, new ByteArraySerializer(), new ByteArraySerializer())) {
            for (int i = 0; i < COLD_RECORDS; i++) {
                producer.send(new ProducerRecord<>(stack.topics().cold(), ("m-" + i).getBytes(), new byte[8]));
            }
            for (int i = 0; i < 100; i++) {
                producer.send(new ProducerRecord<>(stack.topics().changes(), ("c-" + i).getBytes(), new byte[8]));
            }
            for (int i = 0; i < 40; i++) {
                producer.send(new ProducerRecord<>(stack.topics().deadLetter(), ("d-" + i).getBytes(), new byte[8]));
            }
            long fortyMinutesAgo = Instant.now().minus(Duration.ofMinutes(40)).toEpochMilli();
            for (int i = 0; i < 2; i++) {
                producer.send(new ProducerRecord<>(stack.topics().segmentsCommitted(), null, fortyMinutesAgo, ("s-" + i).getBytes(), new byte[8]));
            }
        }
        try (MongoClient client = MongoClients.create(stack.mongoUri())) {
            client.getDatabase(stack.database()).getCollection(stack.collection(), BsonDocument.class)
                    .insertOne(BsonDocument.parse("{\"_id\": \"hot-1\", \"agent_id\": \"agent-0\", \"text\": \"still hot\"}"));
        }
    }

    @AfterAll
    static void stop() {
        if (stack != null) {
            stack.close();
        }
    }

    private static ArchiveService service(String name, String mongoUri) throws Exception {
        Map<String, Object> values = new HashMap<>();
        values.put(CommonConfigKeys.BOOTSTRAP_SERVERS, stack.bootstrapServers());
        values.put(CommonConfigKeys.TOPIC_PREFIX, PREFIX);
        values.put(CommonConfigKeys.MONGODB_URI, mongoUri);
        values.put(CommonConfigKeys.MONGODB_DATABASE, stack.database());
        values.put(CommonConfigKeys.MONGODB_COLLECTION, stack.collection());
        values.put(SegmentStoreConfig.STORE_DIR, dir.resolve("store").toString());
        values.put(ArchiveServiceConfig.APPLICATION_ID, PREFIX + "-" + name);
        values.put(ArchiveServiceConfig.STATE_DIR, dir.resolve("state-" + name).toString());
        values.put(ArchiveServiceConfig.CACHE_DIR, dir.resolve("cache-" + name).toString());
        values.put(ArchiveServiceConfig.HTTP_PORT, "0");
        values.put(CommonConfigKeys.OPS_PORT, "0");
        values.put(ArchiveServiceConfig.WRITE_TOKEN, TOKEN);
        values.put(HealthConfig.TIMEOUT_MS, "2000");
        ArchiveService service = new ArchiveService(ArchiveServiceConfig.load(values));
        service.start();
        return service;
    }

    private static HttpResponse<String> get(ArchiveService service, String path) throws Exception {
        return HTTP.send(HttpRequest.newBuilder(URI.create(service.url() + path)).timeout(Duration.ofSeconds(30)).GET().build(),
                HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void statusScoresTheMeasuredSignalsAndRecommendsWhatToDo() throws Exception {
        try (ArchiveService service = service("healthy", stack.mongoUri())) {
            // answered once the catalog index runs (503 "not ready" until then)
            await().atMost(Duration.ofSeconds(60)).untilAsserted(() ->
                    assertThat(get(service, "/memories/%22hot-1%22").statusCode()).isEqualTo(200));
            HttpResponse<String> response = get(service, "/status");
            assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
            JsonNode status = CatalogIndex.JSON.readTree(response.body());

            assertThat(status.path("mongodb").path("connected").asBoolean()).as(response.body()).isTrue();
            assertThat(status.path("mongodb").path("database").asText()).isEqualTo(stack.database());
            assertThat(status.path("kafka").path("connected").asBoolean()).isTrue();
            assertThat(status.path("object_store").path("connected").asBoolean()).isTrue();
            assertThat(status.path("backend").path("store_type").asText()).isEqualTo("local");
            assertThat(status.path("mode").asText()).isEqualTo("read-write");
            assertThat(status.path("versions").path("kafka_clients").asText()).isNotBlank();
            assertThat(status.path("versions").path("coldframe").asText()).isNotBlank();

            int coldPartitions;
            try (Admin admin = stack.kafka().admin()) {
                coldPartitions = admin.describeTopics(List.of(stack.topics().cold())).allTopicNames().get().get(stack.topics().cold())
                        .partitions().size();
            }
            assertThat(status.path("recommendations")).extracting(JsonNode::asText).as(response.body())
                    .contains("lag 12k on " + coldPartitions + " partitions: add archiver workers, at most " + coldPartitions)
                    .anySatisfy(r -> assertThat(r).startsWith("dead letters 40% of changes in the last hour (40)"))
                    .anySatisfy(r -> assertThat(r).startsWith("purge backlog 2 segments, oldest 40 min"))
                    .hasSize(3);
            assertThat(status.path("health_score").asInt())
                    .isEqualTo(100 - HealthScore.LAG_PENALTY - HealthScore.DEAD_LETTER_PENALTY - HealthScore.PURGE_PENALTY);
            assertThat(status.path("signals")).extracting(s -> s.path("name").asText()).contains("get_p95_mongodb", "lag_tiering", "lag_catalog");
        }
    }

    @Test
    void statusNeverCarriesACredentialEvenWhenMongoDbRefusesIt() throws Exception {
        String withCredentials = stack.mongoUri().replace("mongodb://", "mongodb://coldframe:" + PASSWORD + "@")
                + (stack.mongoUri().contains("?") ? "&" : "/?") + "authSource=admin&serverSelectionTimeoutMS=1500";
        try (ArchiveService service = service("secret", withCredentials)) {
            await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
                HttpResponse<String> response = get(service, "/status");
                assertThat(response.statusCode()).isEqualTo(200);
                assertThat(response.body()).doesNotContain(PASSWORD).doesNotContain(TOKEN).doesNotContain(withCredentials)
                        .contains("\"health_score\"");
                JsonNode mongodb = CatalogIndex.JSON.readTree(response.body()).path("mongodb");
                assertThat(mongodb.path("connected").asBoolean()).isFalse();
                assertThat(mongodb.path("error").asText()).isNotBlank();
            });
        }
    }
}
