package io.coldframe.streams;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Properties;

import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.TestInputTopic;
import org.apache.kafka.streams.TestOutputTopic;
import org.apache.kafka.streams.TopologyTestDriver;
import org.apache.kafka.streams.state.KeyValueStore;
import org.bson.BsonDateTime;
import org.bson.BsonDocument;
import org.bson.BsonInt32;
import org.bson.BsonString;

import io.coldframe.common.MemoryDocuments;
import io.coldframe.common.Topics;
import io.coldframe.schemas.AvroSerde;
import io.coldframe.schemas.TierChange;
import io.coldframe.schemas.internal.TieringState;

/**
 * The tiering topology on a TopologyTestDriver with RocksDB stores in {@code stateDir}.
 *
 * <p>The driver deletes its task directories when it closes. {@link #open} therefore makes the task directory a
 * symbolic link to a directory that the driver never deletes: closing the driver closes the stores cleanly (flush,
 * checkpoint) as a stopping instance would, and a driver opened later on the same {@code stateDir} finds the same
 * RocksDB files, as a restarted instance on the same disk does.
 */
final class TieringHarness implements AutoCloseable {

    static final Topics TOPICS = Topics.withDefaultPrefix();
    static final String APPLICATION_ID = "tiering-test";

    final TopologyTestDriver driver;
    final TieringMetrics metrics;
    final TestInputTopic<byte[], byte[]> changes;
    final TestOutputTopic<String, TierChange> hot;
    final TestOutputTopic<String, TierChange> warm;
    final TestOutputTopic<String, TierChange> cold;
    final TestOutputTopic<byte[], byte[]> deadLetters;

    private TieringHarness(TopologyTestDriver driver, TieringMetrics metrics) {
        this.driver = driver;
        this.metrics = metrics;
        this.changes = driver.createInputTopic(TOPICS.changes(), new ByteArraySerializer(), new ByteArraySerializer());
        var tierChanges = AvroSerde.of(TierChange.class).deserializer();
        this.hot = driver.createOutputTopic(TOPICS.hot(), new StringDeserializer(), tierChanges);
        this.warm = driver.createOutputTopic(TOPICS.warm(), new StringDeserializer(), tierChanges);
        this.cold = driver.createOutputTopic(TOPICS.cold(), new StringDeserializer(), tierChanges);
        this.deadLetters = driver.createOutputTopic(TOPICS.deadLetter(), new ByteArrayDeserializer(), new ByteArrayDeserializer());
    }

    static TieringHarness open(Path stateDir, TierPolicy policy, Instant start, int maxDuePerPunctuation, int censusPerPunctuation) {
        return open(stateDir, policy, start, maxDuePerPunctuation, censusPerPunctuation, RestoreHolds.NONE);
    }

    static TieringHarness open(Path stateDir, TierPolicy policy, Instant start, int maxDuePerPunctuation, int censusPerPunctuation,
                               RestoreHolds holds) {
        try {
            Path taskDir = stateDir.resolve(APPLICATION_ID).resolve("0_0");
            Path kept = stateDir.resolve("kept-task-0_0");
            Files.createDirectories(kept);
            Files.createDirectories(taskDir.getParent());
            if (!Files.isSymbolicLink(taskDir)) {
                Files.createSymbolicLink(taskDir, kept);
            }
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
        Properties props = new Properties();
        props.put(StreamsConfig.APPLICATION_ID_CONFIG, APPLICATION_ID);
        props.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, "unused:9092");
        props.put(StreamsConfig.STATE_DIR_CONFIG, stateDir.toString());
        TieringMetrics metrics = TieringMetrics.inMemory();
        TopologyTestDriver driver = new TopologyTestDriver(TieringTopology.build(TOPICS, policy, Duration.ofSeconds(10),
                maxDuePerPunctuation, censusPerPunctuation, metrics, holds), props, start);
        return new TieringHarness(driver, metrics);
    }

    static TieringHarness open(Path stateDir, TierPolicy policy, Instant start) {
        return open(stateDir, policy, start, 1000, 1000);
    }

    static BsonDocument memory(String id, Instant created, String importance) {
        return new BsonDocument("_id", new BsonString(id))
                .append("agent_id", new BsonString("agent-1"))
                .append("type", new BsonString("PLAN"))
                .append("importance", new BsonString(importance))
                .append("created_at", new BsonDateTime(created.toEpochMilli()))
                .append("access_count", new BsonInt32(0));
    }

    /** An insert as the connector publishes it: BSON. */
    void send(BsonDocument fullDocument) {
        BsonDocument event = new BsonDocument("operationType", new BsonString("insert"))
                .append("documentKey", new BsonDocument("_id", fullDocument.get("_id")))
                .append("fullDocument", fullDocument);
        changes.pipeInput(utf8("key"), MemoryDocuments.toBson(event));
    }

    void delete(String id) {
        BsonDocument event = new BsonDocument("operationType", new BsonString("delete"))
                .append("documentKey", new BsonDocument("_id", new BsonString(id)));
        changes.pipeInput(utf8("key"), utf8(MemoryDocuments.toCanonicalJson(event)));
    }

    void advance(Duration duration) {
        driver.advanceWallClockTime(duration);
    }

    KeyValueStore<String, TieringState> memories() {
        return driver.getKeyValueStore(TieringTopology.MEMORY_STORE);
    }

    long dueIndexSize() {
        KeyValueStore<Object, Object> index = driver.getKeyValueStore(TieringTopology.DUE_INDEX_STORE);
        long n = 0;
        try (var all = index.all()) {
            while (all.hasNext()) {
                all.next();
                n++;
            }
        }
        return n;
    }

    List<KeyValue<String, TierChange>> drain(TestOutputTopic<String, TierChange> topic) {
        return topic.readKeyValuesToList();
    }

    @Override
    public void close() {
        driver.close();
    }

    static byte[] utf8(String value) {
        return value.getBytes(StandardCharsets.UTF_8);
    }
}
