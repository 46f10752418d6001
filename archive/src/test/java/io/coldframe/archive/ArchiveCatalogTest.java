package io.coldframe.archive;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;

import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.MockConsumer;
import org.apache.kafka.common.Node;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Test;

import io.coldframe.schemas.AvroSerde;
import io.coldframe.schemas.CatalogEntry;

class ArchiveCatalogTest {

    private static final String TOPIC = "coldframe.catalog";
    private static final AvroSerde<CatalogEntry> SERDE = AvroSerde.of(CatalogEntry.class);
    private static final TopicPartition P0 = new TopicPartition(TOPIC, 0);
    private static final TopicPartition P1 = new TopicPartition(TOPIC, 1);

    private static CatalogEntry entry(String id, String agent, String segment) {
        return new CatalogEntry(id, agent, "v-" + segment, segment, "file:///a/" + segment + ".mkv", 0, 0, 3, Instant.ofEpochMilli(1000), null, null);
    }

    private static ConsumerRecord<byte[], byte[]> record(TopicPartition partition, long offset, String id, CatalogEntry value) {
        return new ConsumerRecord<>(TOPIC, partition.partition(), offset, id.getBytes(StandardCharsets.UTF_8),
                value == null ? null : SERDE.encode(value));
    }

    private static MockConsumer<byte[], byte[]> consumerWith(List<ConsumerRecord<byte[], byte[]>> records) {
        MockConsumer<byte[], byte[]> consumer = new MockConsumer<>("earliest");
        Node node = new Node(0, "localhost", 9092);
        consumer.updatePartitions(TOPIC, List.of(new PartitionInfo(TOPIC, 0, node, null, null), new PartitionInfo(TOPIC, 1, node, null, null)));
        consumer.updateBeginningOffsets(Map.of(P0, 0L, P1, 0L));
        long end0 = records.stream().filter(r -> r.partition() == 0).count();
        long end1 = records.stream().filter(r -> r.partition() == 1).count();
        consumer.updateEndOffsets(Map.of(P0, end0, P1, end1));
        consumer.schedulePollTask(() -> records.forEach(consumer::addRecord));
        return consumer;
    }

    @Test
    void answersByIdWithTheLatestEntryAndByAgent() throws Exception {
        MockConsumer<byte[], byte[]> consumer = consumerWith(List.of(
                record(P0, 0, "\"m1\"", entry("\"m1\"", "a", "s-0-0-9")),
                record(P0, 1, "\"m2\"", entry("\"m2\"", "a", "s-0-0-9")),
                record(P1, 0, "\"m3\"", entry("\"m3\"", "b", "s-1-0-4")),
                record(P0, 2, "\"m1\"", entry("\"m1\"", "a", "s-0-10-19")),
                record(P1, 1, "\"m4\"", entry("\"m4\"", "b", "s-1-0-4")),
                record(P1, 2, "\"m4\"", null)));

        ArchiveCatalog catalog = ArchiveCatalog.load(consumer, TOPIC, Duration.ofSeconds(5), e -> true);

        assertThat(catalog.size()).isEqualTo(3);
        assertThat(catalog.recordsRead()).isEqualTo(6);
        assertThat(catalog.latest("\"m1\"")).get().extracting(CatalogEntry::getSegmentId).isEqualTo("s-0-10-19");
        assertThat(catalog.latest("\"m4\"")).isEmpty(); // tombstoned
        assertThat(catalog.byAgent("a")).extracting(CatalogEntry::getMemoryId).containsExactly("\"m1\"", "\"m2\"");
        assertThat(catalog.byAgent("b")).extracting(CatalogEntry::getMemoryId).containsExactly("\"m3\"");
        assertThat(catalog.bySegment("s-0-0-9")).extracting(CatalogEntry::getMemoryId).containsExactly("\"m2\"");
    }

    @Test
    void aFilterKeepsAMemoryOnlyIfItsLatestEntryPasses() throws Exception {
        MockConsumer<byte[], byte[]> consumer = consumerWith(List.of(
                record(P0, 0, "\"m1\"", entry("\"m1\"", "a", "s-0-0-9")),
                record(P0, 1, "\"m1\"", entry("\"m1\"", "b", "s-0-10-19")),
                record(P0, 2, "\"m2\"", entry("\"m2\"", "a", "s-0-10-19"))));

        ArchiveCatalog catalog = ArchiveCatalog.load(consumer, TOPIC, Duration.ofSeconds(5), e -> "a".equals(e.getAgent()));

        assertThat(catalog.byAgent("a")).extracting(CatalogEntry::getMemoryId).containsExactly("\"m2\"");
        assertThat(catalog.latest("\"m1\"")).isEmpty();
    }

    @Test
    void undecodableRecordsAreSkipped() throws Exception {
        ConsumerRecord<byte[], byte[]> garbage = new ConsumerRecord<>(TOPIC, 0, 0, "\"x\"".getBytes(StandardCharsets.UTF_8), new byte[] {1, 2, 3});
        MockConsumer<byte[], byte[]> consumer = consumerWith(List.of(garbage, record(P0, 1, "\"m1\"", entry("\"m1\"", "a", "s"))));

        assertThat(ArchiveCatalog.load(consumer, TOPIC, Duration.ofSeconds(5), e -> true).size()).isEqualTo(1);
    }

    @Test
    void aMissingTopicIsUnavailableButNotUnreachable() {
        MockConsumer<byte[], byte[]> consumer = new MockConsumer<>("earliest");

        assertThatThrownBy(() -> ArchiveCatalog.load(consumer, TOPIC, Duration.ofSeconds(1), e -> true))
                .isInstanceOfSatisfying(ArchiveCatalog.UnavailableException.class, e -> assertThat(e.kafkaUnreachable()).isFalse())
                .hasMessageContaining("does not exist");
    }

    @Test
    void anUnreachableBrokerIsReportedAsSuchWithinTheTimeout() {
        long started = System.nanoTime();
        // nothing listens on port 1
        assertThatThrownBy(() -> ArchiveCatalog.load(io.coldframe.common.KafkaConnection.plaintext("127.0.0.1:1"), new io.coldframe.common.Topics("coldframe"), Duration.ofSeconds(2)))
                .isInstanceOfSatisfying(ArchiveCatalog.UnavailableException.class, e -> assertThat(e.kafkaUnreachable()).isTrue());
        assertThat(Duration.ofNanos(System.nanoTime() - started)).isLessThan(Duration.ofSeconds(20));
    }
}
