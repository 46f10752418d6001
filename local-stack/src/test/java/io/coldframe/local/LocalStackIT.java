package io.coldframe.local;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.mongodb.client.MongoClient;
import com.mongodb.client.MongoClients;
import com.mongodb.client.MongoCollection;
import com.mongodb.client.model.Filters;
import com.mongodb.client.model.Updates;

import io.coldframe.common.ChangeEventBytes;
import io.coldframe.connectors.MongoSourceConnectorConfig;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Date;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.stream.Collectors;

import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.connect.runtime.rest.entities.ConfigInfos;
import org.bson.BsonDateTime;
import org.bson.BsonDocument;
import org.bson.BsonInt32;
import org.bson.BsonInt64;
import org.bson.BsonString;
import org.bson.Document;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The whole source path for real: MongoDB (stand-in, or {@code -Dcoldframe.it.mongodb.uri=...}) -> the real MongoDB
 * connector in a real Connect worker -> a real KRaft broker. Documents written before the connector starts arrive
 * through its copy of existing data, later ones through the change stream.
 */
class LocalStackIT {

    /** Run against a real MongoDB replica set with {@code -Dcoldframe.it.mongodb.uri=mongodb://...}. */
    private static final String EXTERNAL_MONGO_PROPERTY = "coldframe.it.mongodb.uri";
    private static final Instant CREATED = Instant.parse("2025-01-02T03:04:05.678Z");

    private static LocalStack stack;
    private static MongoClient mongoClient;
    private static KafkaConsumer<String, byte[]> consumer;
    private static final List<ConsumerRecord<String, byte[]>> received = new CopyOnWriteArrayList<>();

    @BeforeAll
    static void startStack() {
        String externalMongo = System.getProperty(EXTERNAL_MONGO_PROPERTY);
        LocalStack.Builder builder = LocalStack.builder().mongoUri(externalMongo);
        if (externalMongo != null && !externalMongo.isBlank()) {
            // A real MongoDB outlives the test: write into a database of our own and drop it afterwards.
            builder.database("coldframe_it_" + Long.toHexString(System.nanoTime()));
        }
        stack = builder.start();
        mongoClient = MongoClients.create(stack.mongoUri());
        consumer = new KafkaConsumer<>(Map.of(
                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, stack.bootstrapServers(),
                ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest",
                ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false"),
                new StringDeserializer(), new ByteArrayDeserializer());
        List<TopicPartition> partitions = new ArrayList<>();
        for (PartitionInfo p : consumer.partitionsFor(stack.topics().changes())) {
            partitions.add(new TopicPartition(p.topic(), p.partition()));
        }
        consumer.assign(partitions);
        consumer.seekToBeginning(partitions);
    }

    @AfterAll
    static void stopStack() {
        if (consumer != null) {
            consumer.close(Duration.ofSeconds(2));
        }
        if (mongoClient != null) {
            if (!stack.isMongoStandIn()) {
                mongoClient.getDatabase(stack.database()).drop();
            }
            mongoClient.close();
        }
        if (stack != null) {
            stack.close();
        }
    }

    @Test
    void copiesExistingDocumentsThenStreamsLiveChanges() throws Exception {
        MongoCollection<Document> memories = mongoClient.getDatabase(stack.database()).getCollection(stack.collection());
        memories.insertMany(List.of(memory("m1", 1), memory("m2", 2), memory("m3", 3)));

        long connectorStart = System.nanoTime();
        stack.startConnector();
        Duration untilRunning = Duration.ofNanos(System.nanoTime() - connectorStart);
        List<BsonDocument> copied = awaitEvents(3);
        Duration untilFirstCopiedEvent = Duration.ofNanos(System.nanoTime() - connectorStart);

        assertThat(copied).extracting(e -> e.getString("operationType").getValue()).containsOnly("insert");
        assertThat(copied).extracting(LocalStackIT::fullDocumentId).containsExactlyInAnyOrder("m1", "m2", "m3");
        for (BsonDocument event : copied) {
            assertExactMemory(event.getDocument("fullDocument"));
        }

        long liveStart = System.nanoTime();
        memories.insertOne(memory("m4", 4));
        BsonDocument inserted = awaitEvents(4).get(3);
        Duration liveLatency = Duration.ofNanos(System.nanoTime() - liveStart);
        assertThat(inserted.getString("operationType").getValue()).isEqualTo("insert");
        assertThat(fullDocumentId(inserted)).isEqualTo("m4");
        assertExactMemory(inserted.getDocument("fullDocument"));
        assertThat(inserted.getDocument("documentKey").getString("_id").getValue()).isEqualTo("m4");

        memories.updateOne(Filters.eq("_id", "m2"), Updates.combine(
                Updates.set("importance", 9), Updates.set("last_accessed_at", Date.from(CREATED.plusSeconds(60)))));
        BsonDocument updated = awaitEvents(5).get(4);
        assertThat(updated.getString("operationType").getValue()).isEqualTo("update");
        // Identity of an update comes from fullDocument._id: the stand-in's documentKey is the update operators.
        BsonDocument updatedDoc = updated.getDocument("fullDocument");
        assertThat(fullDocumentId(updated)).isEqualTo("m2");
        assertThat(updatedDoc.get("importance")).isEqualTo(new BsonInt32(9));
        assertThat(updatedDoc.get("last_accessed_at")).isEqualTo(new BsonDateTime(CREATED.plusSeconds(60).toEpochMilli()));
        assertThat(updatedDoc.getString("content").getValue()).isEqualTo("memory m2");

        memories.deleteOne(Filters.eq("_id", "m3"));
        BsonDocument deleted = awaitEvents(6).get(5);
        assertThat(deleted.getString("operationType").getValue()).isEqualTo("delete");
        assertThat(deleted.getDocument("documentKey").getString("_id").getValue()).isEqualTo("m3");

        // Keys are documentKey as JSON; for inserts and deletes that is {"_id": ...} on the stand-in too.
        Map<String, String> keysByValueId = received.stream()
                .filter(r -> !"update".equals(parse(r.value()).getString("operationType").getValue()))
                .collect(Collectors.toMap(r -> idOfEvent(parse(r.value())), ConsumerRecord::key, (a, b) -> a));
        for (String id : List.of("m1", "m2", "m3", "m4")) {
            assertThat(BsonDocument.parse(keysByValueId.get(id))).isEqualTo(new BsonDocument("_id", new BsonString(id)));
        }

        // A connector restart resumes from its stored resume token: what happened meanwhile arrives once, and the
        // existing documents are not copied again.
        stack.stopConnector();
        memories.insertOne(memory("m5", 5));
        stack.startConnector();
        BsonDocument whileStopped = awaitEvents(7).get(6);
        assertThat(whileStopped.getString("operationType").getValue()).isEqualTo("insert");
        assertThat(fullDocumentId(whileStopped)).isEqualTo("m5");
        memories.insertOne(memory("m6", 6));
        assertThat(fullDocumentId(awaitEvents(8).get(7))).isEqualTo("m6");

        Map<String, Duration> timings = stack.startupTimings();
        System.out.printf("[LocalStackIT] startup: broker %d ms, topics %d ms, mongo %s ms, connect worker %d ms, "
                        + "connector RUNNING %d ms (startConnector() total %d ms), first copied event %d ms after "
                        + "startConnector(), live insert->consumed %d ms%n",
                timings.get("broker").toMillis(), timings.get("topics").toMillis(),
                Optional.ofNullable(timings.get("mongo")).map(d -> String.valueOf(d.toMillis())).orElse("n/a"),
                timings.get("connectWorker").toMillis(), timings.get("connectorRunning").toMillis(),
                untilRunning.toMillis(), untilFirstCopiedEvent.toMillis(), liveLatency.toMillis());
    }

    @Test
    void deployedConfigHasNoUnknownKeysAndPassesConnectValidation() {
        Map<String, String> local = stack.connectorConfig();
        ConfigInfos result = stack.startConnectWorker().validate(stack.connectorName(), local);

        List<String> errors = result.configs().stream()
                .filter(c -> !c.configValue().errors().isEmpty())
                .map(c -> c.configValue().name() + ": " + c.configValue().errors())
                .collect(Collectors.toList());
        assertThat(errors).isEmpty();
        assertThat(result.errorCount()).isZero();

        // A misspelt key would be accepted silently and do nothing: every key we deploy must be one the connector
        // or Connect defines. Not in the validation result: producer.override.* (passed to the producer) and
        // topic.creation.* (groups defined by the config itself; checked in MongoSourceConnectorConfigTest).
        Set<String> known = result.configs().stream().map(c -> c.configValue().name()).collect(Collectors.toSet());
        Set<String> deployedKeys = new TreeSet<>(MongoSourceConnectorConfig.load().config().keySet());
        deployedKeys.removeIf(key -> key.startsWith("producer.override.") || key.startsWith("topic.creation."));
        assertThat(known).containsAll(deployedKeys);
    }

    private static Document memory(String id, int n) {
        return new Document("_id", id)
                .append("agent_id", "agent-1")
                .append("type", "episodic")
                .append("importance", n)
                .append("access_count", (long) n)
                .append("created_at", Date.from(CREATED))
                .append("content", "memory " + id);
    }

    /** The published document is the stored one, BSON type for BSON type: int32 stays int32, int64 int64, dates dates. */
    private static void assertExactMemory(BsonDocument doc) {
        String id = doc.getString("_id").getValue();
        int n = Integer.parseInt(id.substring(1));
        assertThat(doc.get("created_at")).isEqualTo(new BsonDateTime(CREATED.toEpochMilli()));
        assertThat(doc.get("importance")).isEqualTo(new BsonInt32(n));
        assertThat(doc.get("access_count")).isEqualTo(new BsonInt64(n));
        assertThat(doc.getString("content").getValue()).isEqualTo("memory " + id);
    }

    private static String fullDocumentId(BsonDocument event) {
        return event.getDocument("fullDocument").getString("_id").getValue();
    }

    private static String idOfEvent(BsonDocument event) {
        return event.isDocument("fullDocument") ? fullDocumentId(event) : event.getDocument("documentKey").getString("_id").getValue();
    }

    /** The connector publishes each change event as one BSON document (output.format.value=bson). */
    private static BsonDocument parse(byte[] value) {
        assertThat(ChangeEventBytes.isBson(value)).as("the change event is BSON").isTrue();
        return ChangeEventBytes.read(value);
    }

    /** Polls the change topic until at least {@code count} events arrived; returns them in arrival order. */
    private static List<BsonDocument> awaitEvents(int count) {
        await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(20)).until(() -> {
            consumer.poll(Duration.ofMillis(100)).forEach(received::add);
            return received.size() >= count;
        });
        assertThat(received).hasSize(count);
        return received.stream().map(r -> parse(r.value())).collect(Collectors.toList());
    }
}
