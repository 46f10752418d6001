package io.coldframe.streams;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;

import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.TestInputTopic;
import org.apache.kafka.streams.TestOutputTopic;
import org.apache.kafka.streams.TopologyTestDriver;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.coldframe.common.Topics;
import io.coldframe.schemas.ArchivedMemory;
import io.coldframe.schemas.AvroSerde;
import io.coldframe.schemas.DailyStats;
import io.coldframe.schemas.MemoryRecord;
import io.coldframe.schemas.PurgeResult;
import io.coldframe.schemas.RestoreMark;
import io.coldframe.schemas.SegmentCommitted;
import io.coldframe.schemas.SkipReason;
import io.coldframe.schemas.SkippedMemory;
import io.coldframe.schemas.StatsDimension;
import io.coldframe.schemas.Tier;
import io.coldframe.schemas.TierChange;

class StatsTopologyTest {

    private static final Topics TOPICS = Topics.withDefaultPrefix();
    private static final Instant DAY1 = Instant.parse("2026-03-01T10:00:00Z");
    private static final Instant DAY2 = Instant.parse("2026-03-02T00:00:01Z");
    private static final Duration RETENTION = Duration.ofDays(30);

    @TempDir
    java.nio.file.Path stateDir;
    private TopologyTestDriver driver;
    private TestInputTopic<String, byte[]> hot;
    private TestInputTopic<String, byte[]> warm;
    private TestInputTopic<String, byte[]> cold;
    private TestInputTopic<String, byte[]> commits;
    private TestInputTopic<String, byte[]> purges;
    private TestInputTopic<String, byte[]> restores;
    private TestOutputTopic<String, DailyStats> out;
    /** The stats topic as a compacted reader sees it: the latest record of each key. */
    private final Map<String, DailyStats> latest = new TreeMap<>();

    @BeforeEach
    void open() {
        Properties props = new Properties();
        props.put(StreamsConfig.APPLICATION_ID_CONFIG, "stats-test");
        props.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, "unused:9092");
        props.put(StreamsConfig.PROCESSING_GUARANTEE_CONFIG, StreamsConfig.EXACTLY_ONCE_V2);
        props.put(StreamsConfig.STATE_DIR_CONFIG, stateDir.toString());
        driver = new TopologyTestDriver(StatsTopology.build(TOPICS, RETENTION), props);
        hot = input(TOPICS.hot());
        warm = input(TOPICS.warm());
        cold = input(TOPICS.cold());
        commits = input(TOPICS.segmentsCommitted());
        purges = input(TOPICS.purgeResults());
        restores = input(TOPICS.restores());
        out = driver.createOutputTopic(TOPICS.statsDaily(), new StringDeserializer(), AvroSerde.of(DailyStats.class).deserializer());
    }

    @AfterEach
    void close() {
        driver.close();
    }

    private TestInputTopic<String, byte[]> input(String topic) {
        return driver.createInputTopic(topic, new StringSerializer(), new ByteArraySerializer());
    }

    @Test
    void countsEntriesMovesAndUpdatesPerTierDayAndDimension() {
        hot.pipeInput("m1", change("m1", "agent-a", "PLAN", "HIGH", null, Tier.HOT, 100), DAY1);
        hot.pipeInput("m2", change("m2", "agent-b", "PLAN", "LOW", null, Tier.HOT, 50), DAY1);
        hot.pipeInput("m1", change("m1", "agent-a", "PLAN", "HIGH", Tier.HOT, Tier.HOT, 120), DAY1);
        // m2 moves to warm the next day: a warm entry and a hot tombstone
        warm.pipeInput("m2", change("m2", "agent-b", "PLAN", "LOW", Tier.HOT, Tier.WARM, 50), DAY2);
        hot.pipeInput("m2", null, DAY2);

        DailyStats hotDay1 = cell("ALL", DAY1, "HOT", null);
        assertThat(hotDay1.getDay()).isEqualTo(LocalDate.of(2026, 3, 1));
        assertThat(hotDay1.getTier()).isEqualTo(Tier.HOT);
        assertThat(hotDay1.getDimension()).isEqualTo(StatsDimension.ALL);
        assertThat(hotDay1.getEntered()).isEqualTo(2);
        assertThat(hotDay1.getEnteredBytes()).isEqualTo(150);
        assertThat(hotDay1.getFirstSeen()).isEqualTo(2);
        assertThat(hotDay1.getUpdated()).isEqualTo(1);
        assertThat(hotDay1.getRemoved()).isZero();
        assertThat(cell("AGENT", DAY1, "HOT", "agent-a").getEntered()).isEqualTo(1);
        assertThat(cell("AGENT", DAY1, "HOT", "agent-a").getUpdated()).isEqualTo(1);
        assertThat(cell("TYPE", DAY1, "HOT", "PLAN").getEntered()).isEqualTo(2);
        assertThat(cell("IMPORTANCE", DAY1, "HOT", "LOW").getEntered()).isEqualTo(1);

        DailyStats warmDay2 = cell("ALL", DAY2, "WARM", null);
        assertThat(warmDay2.getEntered()).isEqualTo(1);
        assertThat(warmDay2.getFromHot()).isEqualTo(1);
        assertThat(warmDay2.getFirstSeen()).isZero();
        assertThat(cell("AGENT", DAY2, "WARM", "agent-b").getFromHot()).isEqualTo(1);
        assertThat(cell("ALL", DAY2, "HOT", null).getRemoved()).isEqualTo(1);
        // day 1's counts stay as they were
        assertThat(cell("ALL", DAY1, "HOT", null).getEntered()).isEqualTo(2);
    }

    @Test
    void aMemoryWithoutAgentTypeOrImportanceCountsUnderANullValue() {
        cold.pipeInput("m9", change("m9", null, null, null, Tier.WARM, Tier.COLD, 10), DAY1);
        assertThat(cell("AGENT", DAY1, "COLD", null).getFromWarm()).isEqualTo(1);
        assertThat(cell("AGENT", DAY1, "COLD", null).getValue()).isNull();
        assertThat(cell("ALL", DAY1, "COLD", null).getFromWarm()).isEqualTo(1);
    }

    @Test
    void countsSegmentsArchivedBytesPurgesAndRestores() {
        commits.pipeInput("seg-1", AvroSerde.of(SegmentCommitted.class).encode(commit("seg-1", 1_000, 300,
                List.of(archived("m1", "agent-a"), archived("m2", "agent-a"), archived("m3", "agent-b")))), DAY1);
        commits.pipeInput("seg-2", AvroSerde.of(SegmentCommitted.class).encode(commit("seg-2", 500, 200,
                List.of(archived("m4", null)))), DAY1);
        purges.pipeInput("seg-1", AvroSerde.of(PurgeResult.class).encode(new PurgeResult("seg-1", List.of("m1", "m2"),
                List.of(new SkippedMemory("m3", SkipReason.CHANGED_SINCE_ARCHIVED)), DAY1)), DAY1);
        restores.pipeInput("m1", AvroSerde.of(RestoreMark.class).encode(new RestoreMark("m1", DAY1, DAY1.plusSeconds(60))), DAY1);
        restores.pipeInput("m1", null, DAY1);

        DailyStats archive = cell("ALL", DAY1, "ARCHIVE", null);
        assertThat(archive.getTier()).isNull();
        assertThat(archive.getSegments()).isEqualTo(2);
        assertThat(archive.getArchived()).isEqualTo(4);
        assertThat(archive.getRawBytes()).isEqualTo(1_500);
        assertThat(archive.getArchiveBytes()).isEqualTo(500);
        assertThat(archive.getBytesSaved()).isEqualTo(1_000);
        assertThat(archive.getPurged()).isEqualTo(2);
        assertThat(archive.getPurgeSkipped()).isEqualTo(1);
        assertThat(archive.getRestored()).isEqualTo(1);
        assertThat(cell("AGENT", DAY1, "ARCHIVE", "agent-a").getArchived()).isEqualTo(2);
        assertThat(cell("AGENT", DAY1, "ARCHIVE", null).getArchived()).isEqualTo(1);
    }

    @Test
    void aDayOlderThanTheRetentionIsNotCounted() {
        Instant now = DAY1.plus(Duration.ofDays(60));
        hot.pipeInput("m1", change("m1", "a", "PLAN", "LOW", null, Tier.HOT, 1), now);
        hot.pipeInput("m2", change("m2", "a", "PLAN", "LOW", null, Tier.HOT, 1), DAY1);
        hot.pipeInput("m3", change("m3", "a", "PLAN", "LOW", null, Tier.HOT, 1), now.minus(Duration.ofDays(20)));
        readAll();
        assertThat(latest).doesNotContainKey(key("ALL", DAY1, "HOT", null));
        assertThat(cell("ALL", now.minus(Duration.ofDays(20)), "HOT", null).getEntered()).isEqualTo(1);
        assertThat(cell("ALL", now, "HOT", null).getEntered()).isEqualTo(1);
    }

    @Test
    void anUndecodableRecordIsSkippedAndTheRestCounted() {
        hot.pipeInput("bad", new byte[] {1, 2, 3}, DAY1);
        hot.pipeInput("m1", change("m1", "a", "PLAN", "LOW", null, Tier.HOT, 1), DAY1);
        assertThat(cell("ALL", DAY1, "HOT", null).getEntered()).isEqualTo(1);
    }

    @Test
    void aRetentionBelowOneDayIsRefused() {
        assertThatThrownBy(() -> StatsTopology.build(TOPICS, Duration.ofHours(23))).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("at least one day");
    }

    private DailyStats cell(String dimension, Instant time, String tier, String value) {
        readAll();
        String key = key(dimension, time, tier, value);
        assertThat(latest).as("cell %s", key.replace('\u0000', '/')).containsKey(key);
        return latest.get(key);
    }

    private void readAll() {
        out.readKeyValuesToList().forEach(kv -> latest.put(kv.key, kv.value));
    }

    private static String key(String dimension, Instant time, String tier, String value) {
        return dimension + "\u0000" + LocalDate.ofInstant(time, java.time.ZoneOffset.UTC) + "\u0000" + tier + "\u0000"
                + (value == null ? "" : "=" + value);
    }

    private static byte[] change(String id, String agent, String type, String importance, Tier from, Tier to, int size) {
        MemoryRecord memory = MemoryRecord.newBuilder().setId(id).setAgent(agent).setType(type).setImportance(importance)
                .setCreatedAt(DAY1).setSizeBytes(size).setVersion("v-" + size).setDocument("{}").build();
        return AvroSerde.of(TierChange.class).encode(TierChange.newBuilder().setMemoryId(id).setAgent(agent).setFromTier(from)
                .setToTier(to).setRule("test").setChangedAt(DAY1).setMemory(memory).build());
    }

    private static SegmentCommitted commit(String id, long raw, long archive, List<ArchivedMemory> memories) {
        return SegmentCommitted.newBuilder().setSegmentId(id).setFormatVersion(2).setLocation("file:/x/" + id).setSha256("00")
                .setSourceTopic(TOPICS.cold()).setSourcePartition(0).setFirstOffset(0).setLastOffset(memories.size() - 1)
                .setRawBytes(raw).setArchiveBytes(archive).setCommittedAt(DAY1).setMemories(memories).build();
    }

    private static ArchivedMemory archived(String id, String agent) {
        return new ArchivedMemory(id, agent, "v", null);
    }
}
