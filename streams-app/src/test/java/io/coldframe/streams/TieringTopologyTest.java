package io.coldframe.streams;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.Properties;

import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.TestInputTopic;
import org.apache.kafka.streams.TestOutputTopic;
import org.apache.kafka.streams.TopologyTestDriver;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.test.TestRecord;
import org.bson.BsonDateTime;
import org.bson.BsonDocument;
import org.bson.BsonInt32;
import org.bson.BsonString;
import org.bson.RawBsonDocument;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import io.coldframe.common.DeadLetters;
import io.coldframe.common.MemoryDocuments;
import io.coldframe.common.Topics;
import io.coldframe.schemas.AvroSerde;
import io.coldframe.schemas.Tier;
import io.coldframe.schemas.MemoryRecord;
import io.coldframe.schemas.TierChange;
import io.coldframe.schemas.internal.TieringState;

class TieringTopologyTest {

    private static final Instant START = Instant.parse("2026-06-01T00:00:00Z");
    private static final Topics TOPICS = Topics.withDefaultPrefix();

    private TopologyTestDriver driver;
    private TestInputTopic<byte[], byte[]> changes;
    private TestOutputTopic<String, TierChange> hot;
    private TestOutputTopic<String, TierChange> warm;
    private TestOutputTopic<String, TierChange> cold;
    private TestOutputTopic<byte[], byte[]> deadLetters;

    @BeforeEach
    void startDriver() {
        Properties props = new Properties();
        props.put(StreamsConfig.APPLICATION_ID_CONFIG, "tiering-test");
        props.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, "unused:9092");
        driver = new TopologyTestDriver(
                TieringTopology.build(TOPICS, RuleBasedPolicy.defaults(), Duration.ofSeconds(10), 1000), props, START);
        changes = driver.createInputTopic(TOPICS.changes(), new ByteArraySerializer(), new ByteArraySerializer());
        var tierChanges = AvroSerde.of(TierChange.class).deserializer();
        hot = driver.createOutputTopic(TOPICS.hot(), new StringDeserializer(), tierChanges);
        warm = driver.createOutputTopic(TOPICS.warm(), new StringDeserializer(), tierChanges);
        cold = driver.createOutputTopic(TOPICS.cold(), new StringDeserializer(), tierChanges);
        deadLetters = driver.createOutputTopic(TOPICS.deadLetter(), new ByteArrayDeserializer(), new ByteArrayDeserializer());
    }

    @AfterEach
    void closeDriver() {
        driver.close();
    }

    private static BsonDocument memory(String id, Duration age, String importance) {
        return new BsonDocument("_id", new BsonString(id))
                .append("agent_id", new BsonString("agent-1"))
                .append("type", new BsonString("PLAN"))
                .append("importance", new BsonString(importance))
                .append("created_at", new BsonDateTime(START.minus(age).toEpochMilli()))
                .append("access_count", new BsonInt32(0));
    }

    private static BsonDocument event(String operation, BsonDocument fullDocument) {
        return new BsonDocument("operationType", new BsonString(operation))
                .append("documentKey", new BsonDocument("_id", fullDocument.get("_id")))
                .append("fullDocument", fullDocument);
    }

    /** As the connector publishes it: BSON. */
    private void send(String operation, BsonDocument fullDocument) {
        changes.pipeInput(utf8("key"), MemoryDocuments.toBson(event(operation, fullDocument)));
    }

    /** As the connector published it before output.format.value=bson: canonical Extended JSON. */
    private void sendJson(String operation, BsonDocument fullDocument) {
        changes.pipeInput(utf8("key"), utf8(MemoryDocuments.toCanonicalJson(event(operation, fullDocument))));
    }

    private void sendDelete(String id) {
        BsonDocument event = new BsonDocument("operationType", new BsonString("delete"))
                .append("documentKey", new BsonDocument("_id", new BsonString(id)));
        changes.pipeInput(utf8("key"), MemoryDocuments.toBson(event));
    }

    @Test
    void oldLowMemoryGoesColdKeyedByAgentWithTheExactDocument() {
        BsonDocument document = memory("m1", Duration.ofDays(90), "LOW");
        send("insert", document);

        TestRecord<String, TierChange> record = cold.readRecord();
        assertThat(record.key()).isEqualTo("agent-1");
        assertThat(record.value().getToTier()).isEqualTo(Tier.COLD);
        assertThat(record.value().getFromTier()).isNull();
        assertThat(bson(record.value())).as("the exact bytes of the event's document").isEqualTo(MemoryDocuments.toBson(document));
        assertThat(record.value().getMemory().getDocument()).as("a cold record carries BSON, not text").isEmpty();
        assertThat(record.value().getMemory().getVersion()).isEqualTo(MemoryDocuments.versionOf(document));
        assertThat(hot.isEmpty()).isTrue();
        assertThat(warm.isEmpty()).isTrue();
    }

    @Test
    void memoryAgesFromHotToWarmToColdWithNoNewEvent() {
        send("insert", memory("m1", Duration.ofDays(6), "MEDIUM"));
        TierChange toHot = hot.readKeyValue().value;
        assertThat(toHot.getToTier()).isEqualTo(Tier.HOT);
        assertThat(toHot.getRule()).isEqualTo("age-hot");
        assertThat(toHot.getNextChangeAt()).isEqualTo(START.plus(Duration.ofDays(1)).plusMillis(1));

        driver.advanceWallClockTime(Duration.ofDays(1).plusMinutes(1));
        assertThat(hot.readKeyValue().value).as("tombstone when leaving hot").isNull();
        TierChange toWarm = warm.readValue();
        assertThat(toWarm.getFromTier()).isEqualTo(Tier.HOT);
        assertThat(toWarm.getToTier()).isEqualTo(Tier.WARM);
        assertThat(toWarm.getRule()).isEqualTo("age-warm");
        assertThat(toWarm.getNextChangeAt()).isEqualTo(START.plus(Duration.ofDays(24)).plusMillis(1));

        driver.advanceWallClockTime(Duration.ofDays(23));
        assertThat(warm.readKeyValue().value).isNull();
        TierChange toCold = cold.readValue();
        assertThat(toCold.getFromTier()).isEqualTo(Tier.WARM);
        assertThat(toCold.getRule()).as("never read, so the idle rule decides").isEqualTo("idle-cold");
        assertThat(toCold.getNextChangeAt()).isNull();
        assertThat(bson(toCold)).as("from the JSON the warm state held").isEqualTo(MemoryDocuments.toBson(memory("m1", Duration.ofDays(6), "MEDIUM")));
        assertThat(hot.isEmpty()).isTrue();
    }

    @Test
    void lowMemoryTurnsColdAtTheFirstPunctuationAfterItsSeventhDayAndNotBefore() {
        send("insert", memory("m1", Duration.ofDays(7).minusSeconds(25), "LOW"));
        assertThat(hot.readValue().getNextChangeAt()).isEqualTo(START.plusSeconds(25).plusMillis(1));

        driver.advanceWallClockTime(Duration.ofSeconds(20)); // punctuations at +10 s and +20 s: not due yet
        assertThat(hot.isEmpty()).isTrue();
        assertThat(cold.isEmpty()).isTrue();

        driver.advanceWallClockTime(Duration.ofSeconds(10)); // +30 s: due since +25 s
        TierChange toCold = cold.readValue();
        assertThat(toCold.getRule()).isEqualTo("low-cold-after-7d");
        assertThat(toCold.getChangedAt()).isEqualTo(START.plusSeconds(30));
        assertThat(hot.readKeyValue().value).isNull();
    }

    @Test
    void criticalMemoryIsNeverCold() {
        send("insert", memory("m1", Duration.ofDays(400), "CRITICAL"));
        driver.advanceWallClockTime(Duration.ofDays(400));

        assertThat(warm.readValue().getRule()).isEqualTo("critical-never-cold");
        assertThat(cold.isEmpty()).isTrue();
    }

    @Test
    void transitionIsEmittedOnceButANewVersionInTheSameTierIsEmittedAgain() {
        BsonDocument document = memory("m1", Duration.ofDays(90), "LOW");
        send("insert", document);
        send("update", document); // a replayed change event: same version
        assertThat(cold.readValuesToList()).hasSize(1);

        send("update", document.clone().append("note", new BsonString("changed after it went cold")));
        TierChange again = cold.readValue();
        assertThat(again.getFromTier()).isEqualTo(Tier.COLD);
        assertThat(new RawBsonDocument(bson(again)).getString("note").getValue()).isEqualTo("changed after it went cold");
    }

    @Test
    void aColdMemorysStateKeepsItsVersionButNotItsDocumentWhichOnlyItsColdRecordCarries() {
        BsonDocument document = memory("m1", Duration.ofDays(90), "LOW");
        send("insert", document);
        assertThat(bson(cold.readValue())).isEqualTo(MemoryDocuments.toBson(document));

        TieringState state = driver.<String, TieringState>getKeyValueStore(TieringTopology.MEMORY_STORE).get("\"m1\"");
        assertThat(state.getTier()).isEqualTo(Tier.COLD);
        assertThat(state.getMemory().getDocument()).isEmpty();
        assertThat(state.getMemory().getDocumentBson()).isNull();
        assertThat(state.getMemory().getVersion()).isEqualTo(MemoryDocuments.versionOf(document));
        assertThat(state.getMemory().getSizeBytes()).isEqualTo(MemoryDocuments.toBson(document).length);

        send("update", document);
        assertThat(cold.isEmpty()).as("a replay of the version already sent to the archivers").isTrue();
    }

    @Test
    void aMemoryThatIsNotColdKeepsItsDocumentInItsStateForTheColdRecordItWillNeed() {
        BsonDocument document = memory("m1", Duration.ofDays(1), "HIGH");
        send("insert", document);

        TieringState state = driver.<String, TieringState>getKeyValueStore(TieringTopology.MEMORY_STORE).get("\"m1\"");
        assertThat(state.getTier()).isEqualTo(Tier.HOT);
        assertThat(bson(state.getMemory().getDocumentBson())).as("as BSON, smaller than its JSON").isEqualTo(MemoryDocuments.toBson(document));
        assertThat(state.getMemory().getDocument()).isEmpty();
        assertThat(MemoryDocuments.fromJson(hot.readValue().getMemory().getDocument())).as("the hot record: JSON").isEqualTo(document);
    }

    @Test
    void stateWrittenWithTheDocumentAsJsonStillTiersOnToExactRecords() {
        BsonDocument document = memory("m1", Duration.ofDays(7).minusSeconds(25), "LOW");
        send("insert", document);
        hot.readValue();
        KeyValueStore<String, TieringState> store = driver.getKeyValueStore(TieringTopology.MEMORY_STORE);
        TieringState current = store.get("\"m1\"");
        MemoryRecord asBefore = MemoryRecord.newBuilder(current.getMemory())
                .setDocument(MemoryDocuments.toCanonicalJson(document)).setDocumentBson(null).build();
        store.put("\"m1\"", new TieringState(asBefore, current.getTier(), current.getRule(), current.getNextChangeAt()));

        driver.advanceWallClockTime(Duration.ofSeconds(30));

        TierChange toCold = cold.readValue();
        assertThat(toCold.getRule()).isEqualTo("low-cold-after-7d");
        assertThat(bson(toCold)).isEqualTo(MemoryDocuments.toBson(document));
    }

    @Test
    void aStreamOfJsonAndBsonEventsTiersOneMemoryAsOneVersionWhateverTheFormat() {
        BsonDocument document = memory("m1", Duration.ofDays(90), "LOW");
        sendJson("insert", document);
        send("update", document); // the same version again, now as BSON: a replay, nothing new
        assertThat(cold.readValuesToList()).hasSize(1);

        BsonDocument changed = document.clone().append("note", new BsonString("changed, published as BSON"));
        send("update", changed);
        TierChange again = cold.readValue();
        assertThat(again.getMemory().getVersion()).isEqualTo(MemoryDocuments.versionOf(changed));
        assertThat(bson(again)).isEqualTo(MemoryDocuments.toBson(changed));
        sendJson("update", changed);
        assertThat(cold.isEmpty()).as("the same version as JSON is a replay too").isTrue();

        send("insert", memory("m2", Duration.ofDays(1), "HIGH"));
        assertThat(hot.readValue().getMemoryId()).isEqualTo("\"m2\"");
        BsonDocument jsonDelete = new BsonDocument("operationType", new BsonString("delete"))
                .append("documentKey", new BsonDocument("_id", new BsonString("m2")));
        changes.pipeInput(utf8("key"), utf8(MemoryDocuments.toCanonicalJson(jsonDelete)));
        assertThat(hot.readKeyValue().value).as("tombstone of m2").isNull();
        assertThat(deadLetters.isEmpty()).isTrue();
    }

    @Test
    void deletedMemoryLeavesItsTierViewAndItsState() {
        send("insert", memory("m1", Duration.ofDays(1), "HIGH"));
        hot.readValue();

        sendDelete("m1");
        assertThat(hot.readKeyValue().value).isNull();

        driver.advanceWallClockTime(Duration.ofDays(60));
        assertThat(warm.isEmpty()).isTrue();
        assertThat(cold.isEmpty()).isTrue();
    }

    @Test
    void malformedEventsAreDeadLetteredWithReasonAndProcessingContinues() {
        changes.pipeInput(utf8("k"), utf8("this is not json"));
        changes.pipeInput(utf8("k"), utf8("{\"operationType\": \"insert\", \"fullDocument\": {\"agent_id\": \"a\"}}"));
        send("insert", memory("m2", Duration.ofDays(1), "HIGH").append("created_at", new BsonString("yesterday")));
        byte[] badBson = MemoryDocuments.toBson(event("insert", memory("m4", Duration.ofDays(1), "HIGH")));
        badBson[4] = 0x20; // no BSON type: the type byte of the first element, operationType
        changes.pipeInput(utf8("k"), badBson);
        send("insert", memory("m3", Duration.ofDays(1), "HIGH"));

        var letters = deadLetters.readRecordsToList();
        assertThat(letters).hasSize(4);
        assertThat(DeadLetters.header(letters.get(0).headers(), DeadLetters.REASON)).contains("not a change event").contains("nor JSON");
        assertThat(DeadLetters.header(letters.get(1).headers(), DeadLetters.REASON)).contains("fullDocument._id").contains("missing");
        assertThat(DeadLetters.header(letters.get(2).headers(), DeadLetters.REASON)).contains("\"m2\"").contains("created_at");
        assertThat(DeadLetters.header(letters.get(3).headers(), DeadLetters.REASON))
                .contains(TOPICS.changes() + "-0@3").contains("field operationType: malformed BSON");
        assertThat(letters.get(3).value()).isEqualTo(badBson);
        assertThat(DeadLetters.header(letters.get(0).headers(), DeadLetters.SOURCE_TOPIC)).isEqualTo(TOPICS.changes());
        assertThat(DeadLetters.header(letters.get(0).headers(), DeadLetters.SOURCE_OFFSET)).isEqualTo("0");
        assertThat(new String(letters.get(0).value(), StandardCharsets.UTF_8)).isEqualTo("this is not json");
        assertThat(hot.readValue().getMemoryId()).isEqualTo("\"m3\"");
    }

    @Test
    void aColdDocumentDamagedInsideIsDeadLetteredAsFullDocumentAndNothingIsKept() {
        byte[] event = MemoryDocuments.toBson(event("insert", memory("m1", Duration.ofDays(90), "LOW")
                .append("nested", new BsonDocument("text", new BsonString("abc")))));
        // the nested string's terminator (then the ends of nested, fullDocument and the event): read only where the
        // whole document is read
        event[event.length - 4] = 'x';
        changes.pipeInput(utf8("k"), event);

        assertThat(DeadLetters.header(deadLetters.readRecord().headers(), DeadLetters.REASON))
                .contains("\"m1\"").contains("fullDocument: malformed BSON");
        assertThat(cold.isEmpty()).isTrue();
        assertThat(driver.<String, TieringState>getKeyValueStore(TieringTopology.MEMORY_STORE).get("\"m1\"")).isNull();
    }

    @Test
    void aDocumentWhoseJsonIsOverTheLimitIsTieredWhenColdAndDeadLetteredWhenHot() {
        int limit = 20_000;
        org.bson.BsonArray doubles = new org.bson.BsonArray();
        for (int i = 0; i < 1000; i++) {
            doubles.add(new org.bson.BsonDouble(-0.7275636800328681 + i));
        }
        BsonDocument coldOne = memory("cold", Duration.ofDays(90), "LOW").append("embedding", doubles);
        BsonDocument hotOne = memory("hot", Duration.ofDays(1), "HIGH").append("embedding", doubles);
        assertThat(MemoryDocuments.toBson(coldOne).length).isLessThan(limit);
        assertThat(MemoryDocuments.toCanonicalJson(coldOne).length()).isGreaterThan(2 * limit);
        Properties props = new Properties();
        props.put(StreamsConfig.APPLICATION_ID_CONFIG, "tiering-limit-test");
        props.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, "unused:9092");
        try (TopologyTestDriver limited = new TopologyTestDriver(TieringTopology.build(TOPICS, RuleBasedPolicy.defaults(),
                Duration.ofSeconds(10), 1000, 1000, TieringMetrics.inMemory(), RestoreHolds.NONE, limit), props, START)) {
            TestInputTopic<byte[], byte[]> input = limited.createInputTopic(TOPICS.changes(), new ByteArraySerializer(), new ByteArraySerializer());
            var tierChanges = AvroSerde.of(TierChange.class).deserializer();
            input.pipeInput(utf8("cold"), MemoryDocuments.toBson(event("insert", coldOne)));
            input.pipeInput(utf8("hot"), MemoryDocuments.toBson(event("insert", hotOne)));

            assertThat(bson(limited.createOutputTopic(TOPICS.cold(), new StringDeserializer(), tierChanges).readValue()))
                    .isEqualTo(MemoryDocuments.toBson(coldOne));
            assertThat(limited.createOutputTopic(TOPICS.hot(), new StringDeserializer(), tierChanges).isEmpty()).isTrue();
            var letters = limited.createOutputTopic(TOPICS.deadLetter(), new ByteArrayDeserializer(), new ByteArrayDeserializer()).readRecordsToList();
            assertThat(letters).singleElement().satisfies(letter -> assertThat(DeadLetters.header(letter.headers(), DeadLetters.REASON))
                    .contains("(key hot)").contains("fullDocument").contains("bytes of Extended JSON is over tiering.change.max.bytes"));
            assertThat(limited.<String, TieringState>getKeyValueStore(TieringTopology.MEMORY_STORE).get("\"hot\"")).isNull();
        }
    }


    private static byte[] bson(TierChange change) {
        return bson(change.getMemory().getDocumentBson());
    }

    private static byte[] bson(java.nio.ByteBuffer buffer) {
        java.nio.ByteBuffer bytes = buffer.duplicate();
        byte[] copy = new byte[bytes.remaining()];
        bytes.get(copy);
        return copy;
    }

    private static byte[] utf8(String value) {
        return value.getBytes(StandardCharsets.UTF_8);
    }
}
