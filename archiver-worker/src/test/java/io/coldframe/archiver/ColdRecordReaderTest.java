package io.coldframe.archiver;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.bson.BsonBinaryWriter;
import org.bson.BsonDocument;
import org.bson.RawBsonDocument;
import org.bson.io.BasicOutputBuffer;
import org.junit.jupiter.api.Test;

import io.coldframe.archiver.redaction.RedactionPolicy;
import io.coldframe.common.MemoryDocuments;
import io.coldframe.schemas.AvroSerde;
import io.coldframe.schemas.MemoryRecord;
import io.coldframe.schemas.Tier;
import io.coldframe.schemas.TierChange;
import io.coldframe.segment.SegmentRecord;

class ColdRecordReaderTest {

    private static byte[] coldRecord(BsonDocument document, String statedVersion) {
        MemoryRecord memory = MemoryRecord.newBuilder().setId("\"m1\"").setAgent("agent-1")
                .setCreatedAt(Instant.EPOCH).setSizeBytes(10).setVersion(statedVersion)
                .setDocument(MemoryDocuments.toCanonicalJson(document)).build();
        return AvroSerde.of(TierChange.class).encode(TierChange.newBuilder().setMemoryId("\"m1\"").setAgent("agent-1")
                .setToTier(Tier.COLD).setRule("age-cold").setChangedAt(Instant.EPOCH).setMemory(memory).build());
    }

    /** As the tiering app writes cold records now: the document's exact BSON, no text. */
    private static byte[] coldBsonRecord(byte[] bson, String statedVersion) {
        MemoryRecord memory = MemoryRecord.newBuilder().setId("\"m1\"").setAgent("agent-1")
                .setCreatedAt(Instant.EPOCH).setSizeBytes(bson.length).setVersion(statedVersion)
                .setDocument("").setDocumentBson(java.nio.ByteBuffer.wrap(bson)).build();
        return AvroSerde.of(TierChange.class).encode(TierChange.newBuilder().setMemoryId("\"m1\"").setAgent("agent-1")
                .setToTier(Tier.COLD).setRule("age-cold").setChangedAt(Instant.EPOCH).setMemory(memory).build());
    }

    /** {_id: "m1", n: 1, n: "again"}: MongoDB stores documents whose key repeats. */
    private static byte[] repeatedKeyDocument() {
        BasicOutputBuffer out = new BasicOutputBuffer();
        try (BsonBinaryWriter writer = new BsonBinaryWriter(out)) {
            writer.writeStartDocument();
            writer.writeString("_id", "m1");
            writer.writeInt32("n", 1);
            writer.writeString("n", "again");
            writer.writeEndDocument();
        }
        return out.toByteArray();
    }

    private static ConsumerRecord<byte[], byte[]> at(long offset, byte[] value) {
        return new ConsumerRecord<>("coldframe.tier.cold", 2, offset, "agent-1".getBytes(StandardCharsets.UTF_8), value);
    }

    @Test
    void acceptsExactRecordsAndRejectsOthersNamingRecordAndField() {
        BsonDocument document = BsonDocument.parse("{_id: 'm1', agent_id: 'agent-1', n: {$numberInt: '1'}}");

        ColdRecordReader.Batch batch = new ColdRecordReader(Optional.empty()).read(List.of(
                at(5, coldRecord(document, MemoryDocuments.versionOf(document))),
                at(6, "garbage".getBytes(StandardCharsets.UTF_8)),
                at(7, coldRecord(document, "ff".repeat(32))),
                at(8, null)));

        assertThat(batch.records()).hasSize(1);
        assertThat(batch.memories()).singleElement().satisfies(m -> {
            assertThat(m.getId()).isEqualTo("\"m1\"");
            assertThat(m.getAgent()).isEqualTo("agent-1");
            assertThat(m.getVersion()).isEqualTo(MemoryDocuments.versionOf(document));
            assertThat(m.getStoredVersion()).as("stored as is").isNull();
        });
        assertThat(batch.redactionPolicy()).isNull();
        assertThat(batch.rejected()).extracting(ColdRecordReader.Rejected::reason).satisfiesExactly(
                reason -> assertThat(reason).contains("coldframe.tier.cold-2@6").contains("field value"),
                reason -> assertThat(reason).contains("coldframe.tier.cold-2@7").contains("memory.version"),
                reason -> assertThat(reason).contains("@8").contains("tombstone"));
    }

    @Test
    void aRecordCarryingBsonIsArchivedAsThoseBytesAndDamagedBytesAreRefusedNamingTheField() {
        byte[] bson = repeatedKeyDocument(); // no tree could hold it
        byte[] damaged = bson.clone();
        damaged[damaged.length - 2] = 'x'; // the last string's terminator
        String version = MemoryDocuments.sha256Hex(bson);

        ColdRecordReader.Batch batch = new ColdRecordReader(Optional.empty()).read(List.of(
                at(1, coldBsonRecord(bson, version)),
                at(2, coldBsonRecord(damaged, MemoryDocuments.sha256Hex(damaged)))));

        assertThat(MemoryDocuments.toBson(batch.records().get(0).document())).isEqualTo(bson);
        assertThat(batch.memories()).singleElement().satisfies(m -> assertThat(m.getVersion()).isEqualTo(version));
        assertThat(batch.rejected()).extracting(ColdRecordReader.Rejected::reason).singleElement()
                .satisfies(reason -> assertThat(reason).contains("coldframe.tier.cold-2@2").contains("memory.document_bson"));
    }

    /** MongoDB stores a document whose key repeats; its JSON keeps both, and so must the bytes archived from it. */
    @Test
    void aDocumentWithARepeatedKeyIsArchivedByteForByte() {
        byte[] bytes = repeatedKeyDocument();
        RawBsonDocument stored = new RawBsonDocument(bytes);

        ColdRecordReader.Batch batch = new ColdRecordReader(Optional.empty())
                .read(List.of(at(1, coldRecord(stored, MemoryDocuments.versionOf(stored)))));

        assertThat(batch.rejected()).isEmpty();
        assertThat(MemoryDocuments.toBson(batch.records().get(0).document())).isEqualTo(bytes);
    }

    @Test
    void underAPolicyTheSegmentGetsTheRedactedDocumentAndTheMemoryNamesBothVersions() {
        RedactionPolicy policy = RedactionPolicy.fromText("{version: 1, fields: [user.email]}", "policy.yaml",
                "0123456789abcdef0123456789abcdef".getBytes(StandardCharsets.UTF_8));
        BsonDocument withEmail = BsonDocument.parse("{_id: 'm1', agent_id: 'agent-1', user: {email: 'ann@example.com'}}");
        BsonDocument without = BsonDocument.parse("{_id: 'm1', agent_id: 'agent-1', text: 'nothing to redact'}");

        ColdRecordReader.Batch batch = new ColdRecordReader(Optional.of(policy)).read(List.of(
                at(1, coldRecord(withEmail, MemoryDocuments.versionOf(withEmail))),
                at(2, coldRecord(without, MemoryDocuments.versionOf(without))),
                at(3, coldRecord(withEmail, "ff".repeat(32)))));

        SegmentRecord stored = batch.records().get(0);
        assertThat(stored.document().getDocument("user").getString("email").getValue()).startsWith(RedactionPolicy.VALUE_PREFIX);
        assertThat(stored.version()).isEqualTo(MemoryDocuments.versionOf(stored.document()));
        assertThat(batch.memories().get(0).getVersion()).as("only the original may be deleted").isEqualTo(MemoryDocuments.versionOf(withEmail));
        assertThat(batch.memories().get(0).getStoredVersion()).isEqualTo(stored.version());
        assertThat(batch.records().get(1).document()).as("unchanged: stored as is").isEqualTo(without);
        assertThat(batch.memories().get(1).getStoredVersion()).isNull();
        assertThat(batch.redactionPolicy()).isEqualTo(policy.fingerprint());
        assertThat(batch.rejected()).as("the original's version is checked before redacting").singleElement()
                .satisfies(r -> assertThat(r.reason()).contains("@3").contains("memory.version"));
    }
}
