package io.coldframe.service;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;

import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.TestInputTopic;
import org.apache.kafka.streams.TopologyTestDriver;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;
import org.junit.jupiter.api.Test;

import io.coldframe.common.Topics;
import io.coldframe.schemas.CatalogEntry;
import io.coldframe.schemas.Tier;

class CatalogTopologyTest {

    private static CatalogEntry entry(String id, String agent, String segment, long created) {
        return new CatalogEntry(id, agent, "v-" + segment, segment, "file:///" + segment + ".mkv", 0, 0, 3, Instant.ofEpochMilli(99_999),
                created < 0 ? null : Instant.ofEpochMilli(created), null);
    }

    @Test
    void indexesByIdAgentTimeAndSegmentAndMovesAMemoryToItsLatestEntry() {
        Properties props = new Properties();
        props.put(StreamsConfig.APPLICATION_ID_CONFIG, "t");
        props.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, "dummy:9092");
        try (TopologyTestDriver driver = new TopologyTestDriver(CatalogTopology.build(new Topics("c")), props)) {
            TestInputTopic<String, byte[]> in = driver.createInputTopic("c.catalog", Serdes.String().serializer(), Serdes.ByteArray().serializer());
            in.pipeInput("\"m1\"", CatalogTopology.ENTRIES.encode(entry("\"m1\"", "a", "s1", 1000)));
            in.pipeInput("\"m2\"", CatalogTopology.ENTRIES.encode(entry("\"m2\"", "a", "s1", 3000)));
            in.pipeInput("\"m3\"", CatalogTopology.ENTRIES.encode(entry("\"m3\"", "b", "s1", -1)));
            in.pipeInput("\"m1\"", CatalogTopology.ENTRIES.encode(entry("\"m1\"", "a", "s2", 2000)));
            in.pipeInput("junk", new byte[] {1, 2, 3});
            in.pipeInput("\"m2\"", (byte[]) null);

            KeyValueStore<String, CatalogEntry> byId = driver.getKeyValueStore(CatalogTopology.BY_ID);
            assertThat(byId.get("\"m1\"").getSegmentId()).isEqualTo("s2");
            assertThat(byId.get("\"m2\"")).isNull();
            assertThat(byId.get("junk")).isNull();

            KeyValueStore<String, String> byAgent = driver.getKeyValueStore(CatalogTopology.BY_AGENT);
            assertThat(values(byAgent.range("a" + CatalogTopology.SEP, "a" + CatalogTopology.SEP + '\uffff'))).containsExactly("\"m1\"");
            // an entry without created_at sorts by archived_at
            assertThat(byAgent.get(CatalogTopology.agentKey("b", 99_999, "\"m3\""))).isEqualTo("\"m3\"");

            KeyValueStore<String, String> bySegment = driver.getKeyValueStore(CatalogTopology.BY_SEGMENT);
            assertThat(values(bySegment.range("s1" + CatalogTopology.SEP, "s1" + CatalogTopology.SEP + '\uffff'))).containsExactly("\"m3\"");
            assertThat(values(bySegment.range("s2" + CatalogTopology.SEP, "s2" + CatalogTopology.SEP + '\uffff'))).containsExactly("\"m1\"");

            KeyValueStore<String, Long> counts = driver.getKeyValueStore(CatalogTopology.COUNTS);
            assertThat(counts.get(CatalogTopology.agentCountKey("a"))).isEqualTo(1L);
            assertThat(counts.get(CatalogTopology.segmentCountKey("s1"))).isEqualTo(1L);
            assertThat(counts.get(CatalogTopology.segmentCountKey("s2"))).isEqualTo(1L);
        }
    }

    @Test
    void keepsTheTierOfEachMemoryFromTheHotAndWarmTopicsWhateverOrderAMoveArrivesIn() {
        Properties props = new Properties();
        props.put(StreamsConfig.APPLICATION_ID_CONFIG, "t");
        props.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, "dummy:9092");
        Topics topics = new Topics("c");
        try (TopologyTestDriver driver = new TopologyTestDriver(CatalogTopology.build(topics), props)) {
            TestInputTopic<String, byte[]> hot = driver.createInputTopic(topics.hot(), Serdes.String().serializer(), Serdes.ByteArray().serializer());
            TestInputTopic<String, byte[]> warm = driver.createInputTopic(topics.warm(), Serdes.String().serializer(), Serdes.ByteArray().serializer());
            hot.pipeInput("\"m1\"", TierChanges.of("\"m1\"", "a", Tier.HOT));
            hot.pipeInput("\"m2\"", TierChanges.of("\"m2\"", "a", Tier.HOT));
            hot.pipeInput("\"m3\"", TierChanges.of("\"m3\"", "b", Tier.HOT));
            // m1 moves to warm: the warm record first, then the hot tombstone (which must not remove it)
            warm.pipeInput("\"m1\"", TierChanges.of("\"m1\"", "a", Tier.WARM));
            hot.pipeInput("\"m1\"", (byte[]) null);
            // m2 moves to warm the other way round
            hot.pipeInput("\"m2\"", (byte[]) null);
            warm.pipeInput("\"m2\"", TierChanges.of("\"m2\"", "a", Tier.WARM));
            // m3 leaves the hot tier for cold (archived): only a tombstone
            hot.pipeInput("\"m3\"", (byte[]) null);
            hot.pipeInput("junk", new byte[] {1, 2, 3});

            KeyValueStore<String, String> tiers = driver.getKeyValueStore(CatalogTopology.TIERS);
            assertThat(TierIndexer.tierOf(tiers.get("\"m1\""))).isEqualTo("warm");
            assertThat(TierIndexer.tierOf(tiers.get("\"m2\""))).isEqualTo("warm");
            assertThat(tiers.get("\"m3\"")).isNull();
            assertThat(tiers.get("junk")).isNull();
            KeyValueStore<String, Long> counts = driver.getKeyValueStore(CatalogTopology.TIER_COUNTS);
            assertThat(counts.get(TierIndexer.countKey("a", "warm"))).isEqualTo(2L);
            assertThat(counts.get(TierIndexer.countKey("a", "hot"))).isNull();
            assertThat(counts.get(TierIndexer.countKey("b", "hot"))).isNull();
        }
    }

    @Test
    void timelineKeysSortNewestFirst() {
        assertThat(CatalogTopology.agentKey("a", 2000, "x")).isLessThan(CatalogTopology.agentKey("a", 1000, "x"));
    }

    @Test
    void parsesIdsAndRefusesMalformedOnes() {
        assertThat(ArchiveApi.parseId("65f0a1b2c3d4e5f607182930").isObjectId()).isTrue();
        assertThat(ArchiveApi.parseId("\"mem-42\"").asString().getValue()).isEqualTo("mem-42");
        assertThat(ArchiveApi.parseId("{\"$numberLong\": \"7\"}").isInt64()).isTrue();
        assertThat(ArchiveApi.parseId("mem-42")).isNull();
        assertThat(ArchiveApi.parseId("")).isNull();
        assertThat(ArchiveApi.parseId("[1]")).isNull();
    }

    private static List<String> values(KeyValueIterator<String, String> it) {
        List<String> out = new ArrayList<>();
        try (it) {
            it.forEachRemaining((KeyValue<String, String> kv) -> out.add(kv.value));
        }
        return out;
    }
}
