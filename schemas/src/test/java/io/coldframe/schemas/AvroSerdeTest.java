package io.coldframe.schemas;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Instant;

import org.apache.kafka.common.errors.SerializationException;
import org.junit.jupiter.api.Test;

class AvroSerdeTest {

    private static MemoryRecord memory() {
        return MemoryRecord.newBuilder()
                .setId("\"mem-1\"").setAgent("agent-7").setType("PLAN").setImportance("LOW")
                .setCreatedAt(Instant.ofEpochMilli(1_700_000_000_000L)).setSizeBytes(42)
                .setVersion("ab".repeat(32)).setDocument("{\"_id\": \"mem-1\"}")
                .build();
    }

    @Test
    void roundTripsATierChange() {
        TierChange change = TierChange.newBuilder()
                .setMemoryId("\"mem-1\"").setAgent("agent-7").setToTier(Tier.COLD).setRule("age")
                .setChangedAt(Instant.ofEpochMilli(1_700_000_100_000L)).setMemory(memory()).build();
        AvroSerde<TierChange> serde = AvroSerde.of(TierChange.class);

        byte[] bytes = serde.serializer().serialize("t", change);

        assertThat(bytes[0]).isEqualTo((byte) 0xC3); // single-object encoding marker
        assertThat(serde.deserializer().deserialize("t", bytes)).isEqualTo(change);
    }

    @Test
    void rejectsBytesOfAnotherSchemaNamingTheType() {
        byte[] memoryBytes = AvroSerde.of(MemoryRecord.class).encode(memory());

        assertThatThrownBy(() -> AvroSerde.of(SegmentCommitted.class).decode(memoryBytes))
                .isInstanceOf(SerializationException.class)
                .hasMessageContaining("SegmentCommitted");
    }

    @Test
    void passesNullThroughForTombstones() {
        AvroSerde<TierChange> serde = AvroSerde.of(TierChange.class);
        assertThat(serde.serializer().serialize("t", null)).isNull();
        assertThat(serde.deserializer().deserialize("t", null)).isNull();
    }

    @Test
    void readsCatalogEntriesWrittenBeforeCreatedAtExisted() throws Exception {
        org.apache.avro.Schema v1;
        try (java.io.InputStream in = CatalogEntry.class.getResourceAsStream("history/CatalogEntry-1.avsc")) {
            v1 = new org.apache.avro.Schema.Parser().parse(in);
        }
        org.apache.avro.generic.GenericData.Record old = new org.apache.avro.generic.GenericData.Record(v1);
        old.put("memory_id", "\"m-1\"");
        old.put("agent", "a");
        old.put("version", "v");
        old.put("segment_id", "s");
        old.put("location", "file:///s.mkv");
        old.put("block_index", 2);
        old.put("first_frame", 3);
        old.put("last_frame", 4);
        old.put("archived_at", 1000L);
        java.nio.ByteBuffer bytes = new org.apache.avro.message.BinaryMessageEncoder<org.apache.avro.generic.GenericData.Record>(
                org.apache.avro.generic.GenericData.get(), v1).encode(old);
        byte[] encoded = new byte[bytes.remaining()];
        bytes.get(encoded);

        CatalogEntry entry = AvroSerde.of(CatalogEntry.class).decode(encoded);

        assertThat(entry.getMemoryId()).isEqualTo("\"m-1\"");
        assertThat(entry.getBlockIndex()).isEqualTo(2);
        assertThat(entry.getArchivedAt()).isEqualTo(Instant.ofEpochMilli(1000));
        assertThat(entry.getCreatedAt()).isNull();
    }

    @Test
    void readsCommitEventsAndCatalogEntriesWrittenBeforeRedactionExisted() throws Exception {
        org.apache.avro.Schema v1 = history(SegmentCommitted.class, "SegmentCommitted-1");
        org.apache.avro.Schema memorySchema = v1.getField("memories").schema().getElementType();
        org.apache.avro.generic.GenericData.Record memory = new org.apache.avro.generic.GenericData.Record(memorySchema);
        memory.put("id", "\"m-1\"");
        memory.put("agent", "a");
        memory.put("version", "v1");
        org.apache.avro.generic.GenericData.Record commit = new org.apache.avro.generic.GenericData.Record(v1);
        commit.put("segment_id", "s");
        commit.put("format_version", 2);
        commit.put("location", "file:///s.mkv");
        commit.put("sha256", "00");
        commit.put("source_topic", "t");
        commit.put("source_partition", 0);
        commit.put("first_offset", 0L);
        commit.put("last_offset", 0L);
        commit.put("raw_bytes", 1L);
        commit.put("archive_bytes", 1L);
        commit.put("committed_at", 1000L);
        commit.put("memories", java.util.List.of(memory));

        SegmentCommitted decoded = AvroSerde.of(SegmentCommitted.class).decode(encode(v1, commit));

        assertThat(decoded.getRedactionPolicy()).isNull();
        assertThat(decoded.getMemories()).singleElement().satisfies(m -> {
            assertThat(m.getVersion()).isEqualTo("v1");
            assertThat(m.getStoredVersion()).as("stored as is").isNull();
        });

        org.apache.avro.Schema v2 = history(CatalogEntry.class, "CatalogEntry-2");
        org.apache.avro.generic.GenericData.Record entry = new org.apache.avro.generic.GenericData.Record(v2);
        entry.put("memory_id", "\"m-1\"");
        entry.put("version", "v");
        entry.put("segment_id", "s");
        entry.put("location", "file:///s.mkv");
        entry.put("block_index", 0);
        entry.put("first_frame", 0);
        entry.put("last_frame", 1);
        entry.put("archived_at", 1000L);
        entry.put("created_at", 500L);

        CatalogEntry decodedEntry = AvroSerde.of(CatalogEntry.class).decode(encode(v2, entry));

        assertThat(decodedEntry.getCreatedAt()).isEqualTo(Instant.ofEpochMilli(500));
        assertThat(decodedEntry.getRedactionPolicy()).isNull();
    }

    @Test
    void tierRecordsAndTieringStateWrittenBeforeDocumentBsonDecodeWithTheirDocumentText() throws Exception {
        org.apache.avro.Schema v1 = history(TierChange.class, "TierChange-1");
        org.apache.avro.generic.GenericData.Record memory = new org.apache.avro.generic.GenericData.Record(v1.getField("memory").schema());
        memory.put("id", "\"m-1\"");
        memory.put("created_at", 500L);
        memory.put("access_count", 0L);
        memory.put("size_bytes", 22);
        memory.put("version", "v");
        memory.put("document", "{\"_id\": \"m-1\"}");
        org.apache.avro.generic.GenericData.Record change = new org.apache.avro.generic.GenericData.Record(v1);
        change.put("memory_id", "\"m-1\"");
        change.put("to_tier", new org.apache.avro.generic.GenericData.EnumSymbol(v1.getField("to_tier").schema(), "COLD"));
        change.put("rule", "age-cold");
        change.put("changed_at", 1000L);
        change.put("memory", memory);

        TierChange decoded = AvroSerde.of(TierChange.class).decode(encode(v1, change));

        assertThat(decoded.getMemory().getDocument()).isEqualTo("{\"_id\": \"m-1\"}");
        assertThat(decoded.getMemory().getDocumentBson()).isNull();

        org.apache.avro.Schema stateV1 = history(io.coldframe.schemas.internal.TieringState.class, "TieringState-1");
        org.apache.avro.generic.GenericData.Record state = new org.apache.avro.generic.GenericData.Record(stateV1);
        state.put("memory", memory);
        state.put("tier", new org.apache.avro.generic.GenericData.EnumSymbol(stateV1.getField("tier").schema(), "HOT"));
        state.put("rule", "age-hot");

        assertThat(AvroSerde.of(io.coldframe.schemas.internal.TieringState.class).decode(encode(stateV1, state)).getMemory().getDocument())
                .isEqualTo("{\"_id\": \"m-1\"}");
    }

    private static org.apache.avro.Schema history(Class<?> type, String name) throws java.io.IOException {
        try (java.io.InputStream in = type.getResourceAsStream("history/" + name + ".avsc")) {
            return new org.apache.avro.Schema.Parser().parse(in);
        }
    }

    private static byte[] encode(org.apache.avro.Schema schema, org.apache.avro.generic.GenericData.Record record) throws java.io.IOException {
        java.nio.ByteBuffer bytes = new org.apache.avro.message.BinaryMessageEncoder<org.apache.avro.generic.GenericData.Record>(
                org.apache.avro.generic.GenericData.get(), schema).encode(record);
        byte[] encoded = new byte[bytes.remaining()];
        bytes.get(encoded);
        return encoded;
    }
}
