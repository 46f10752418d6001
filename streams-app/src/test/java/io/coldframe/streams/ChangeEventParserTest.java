package io.coldframe.streams;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.SplittableRandom;

import org.bson.BsonArray;
import org.bson.BsonDateTime;
import org.bson.BsonDocument;
import org.bson.BsonDouble;
import org.bson.BsonInt64;
import org.bson.BsonString;
import org.bson.RawBsonDocument;
import org.junit.jupiter.api.Test;

import io.coldframe.common.InvalidRecordException;
import io.coldframe.common.MemoryDocuments;

class ChangeEventParserTest {

    private static final byte[] KEY = utf8("{\"_id\": \"big-1\"}");
    private static final int NO_LIMIT = Integer.MAX_VALUE;

    private static byte[] utf8(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }

    private static byte[] insertOf(String text) {
        return utf8("{\"operationType\": \"insert\", \"fullDocument\": {\"_id\": \"big-1\", \"text\": \"" + text + "\"}}");
    }

    private static BsonDocument memory(String id) {
        return new BsonDocument("_id", new BsonString(id))
                .append("agent_id", new BsonString("agent-1"))
                .append("importance", new BsonString("LOW"))
                .append("created_at", new BsonDateTime(1_700_000_000_000L))
                .append("access_count", new BsonInt64(3))
                .append("embedding", new BsonArray(Arrays.asList(new BsonDouble(0.25), new BsonDouble(-0.0), new BsonDouble(1e-300))));
    }

    private static BsonDocument event(String operation, BsonDocument fullDocument) {
        BsonDocument event = new BsonDocument("operationType", new BsonString(operation))
                .append("documentKey", new BsonDocument("_id", fullDocument.get("_id")));
        return operation.equals("delete") ? event : event.append("fullDocument", fullDocument);
    }

    private static byte[] bson(BsonDocument event) {
        return MemoryDocuments.toBson(event);
    }

    private static byte[] json(BsonDocument event) {
        return utf8(MemoryDocuments.toCanonicalJson(event));
    }

    @Test
    void aBsonInsertIsReadOverTheRecordsBytesWithTheDocumentsExactVersion() {
        BsonDocument document = memory("m1");

        ChangeEvent parsed = new ChangeEventParser(NO_LIMIT).parse("changes-0@7", KEY, bson(event("insert", document)));

        assertThat(parsed.operation()).isEqualTo(ChangeEvent.Operation.UPSERT);
        assertThat(parsed.memoryId()).isEqualTo("\"m1\"");
        assertThat(parsed.fullDocument()).isInstanceOf(RawBsonDocument.class).isEqualTo(document);
        assertThat(MemoryDocuments.toBson(parsed.fullDocument())).isEqualTo(MemoryDocuments.toBson(document));
    }

    @Test
    void aJsonEventReadsAsTheSameBsonEventDoes() {
        BsonDocument document = memory("m1");
        ChangeEventParser parser = new ChangeEventParser(NO_LIMIT);

        ChangeEvent fromJson = parser.parse("changes-0@7", KEY, json(event("update", document)));
        ChangeEvent fromBson = parser.parse("changes-0@8", KEY, bson(event("update", document)));

        assertThat(fromJson.memoryId()).isEqualTo(fromBson.memoryId());
        assertThat(MemoryDocuments.versionOf(fromJson.fullDocument())).isEqualTo(MemoryDocuments.versionOf(fromBson.fullDocument()))
                .isEqualTo(MemoryDocuments.versionOf(document));
    }

    @Test
    void deletesOfEitherFormatNameTheDocumentKey() {
        ChangeEventParser parser = new ChangeEventParser(NO_LIMIT);
        for (byte[] value : new byte[][] {bson(event("delete", memory("m2"))), json(event("delete", memory("m2")))}) {
            ChangeEvent parsed = parser.parse("changes-0@9", KEY, value);
            assertThat(parsed.operation()).isEqualTo(ChangeEvent.Operation.DELETE);
            assertThat(parsed.memoryId()).isEqualTo("\"m2\"");
        }
    }

    @Test
    void aBsonEventWithoutAnIdIsRefusedNamingTheField() {
        BsonDocument noId = memory("m1");
        noId.remove("_id");
        BsonDocument event = new BsonDocument("operationType", new BsonString("insert")).append("fullDocument", noId);

        assertThatThrownBy(() -> new ChangeEventParser(NO_LIMIT).parse("changes-0@7", KEY, bson(event)))
                .isInstanceOf(InvalidRecordException.class)
                .hasMessageContaining("record changes-0@7, field fullDocument._id: missing");
    }

    @Test
    void malformedBsonIsRefusedNamingRecordAndTheFieldBeingRead() {
        byte[] value = bson(event("insert", memory("m1")));
        // The first element is operationType; a type byte that is no BSON type breaks the read of that field.
        value[4] = 0x20;

        assertThatThrownBy(() -> new ChangeEventParser(NO_LIMIT).parse("changes-0@7", KEY, value))
                .isInstanceOf(InvalidRecordException.class)
                .hasMessageContaining("record changes-0@7, field operationType: malformed BSON");
    }

    @Test
    void corruptedBsonIsEitherReadOrRefusedAsAnInvalidRecordNeverAnythingElse() {
        byte[] valid = bson(event("insert", memory("m1")));
        ChangeEventParser parser = new ChangeEventParser(NO_LIMIT);
        MemoryRecordMapper mapper = new MemoryRecordMapper(MemoryFacts.Fields.DEFAULT);
        SplittableRandom random = new SplittableRandom(16);
        int refused = 0;
        for (int i = 0; i < 5_000; i++) {
            byte[] value = valid.clone();
            // Keep the declared length and terminator, so that the value is taken for BSON and its inside is at stake.
            int at = 4 + random.nextInt(value.length - 5);
            value[at] = (byte) random.nextInt(256);
            try {
                ChangeEvent parsed = parser.parse("changes-0@" + i, KEY, value);
                if (parsed.operation() == ChangeEvent.Operation.UPSERT) {
                    mapper.map(parsed.memoryId(), parsed.fullDocument());
                }
            } catch (InvalidRecordException e) {
                refused++;
                assertThat(e.getMessage()).contains("field ");
            }
        }
        assertThat(refused).as("corruptions refused").isPositive();
    }

    @Test
    void anEventUpToTheLimitIsParsed() {
        byte[] event = insertOf("x".repeat(100));
        ChangeEvent parsed = new ChangeEventParser(event.length).parse("changes-0@7", KEY, event);
        assertThat(parsed.memoryId()).isEqualTo("\"big-1\"");
    }

    @Test
    void anEventOverTheLimitIsRefusedNamingRecordKeyAndLimit() {
        byte[] event = insertOf("x".repeat(100));
        assertThatThrownBy(() -> new ChangeEventParser(event.length - 1).parse("changes-0@7", KEY, event))
                .isInstanceOf(InvalidRecordException.class)
                .hasMessageContaining("changes-0@7 (key {\"_id\": \"big-1\"})")
                .hasMessageContaining("change event of " + event.length + " bytes is over tiering.change.max.bytes (" + (event.length - 1) + ")");
    }

    @Test
    void aBsonEventUnderTheLimitWhoseDocumentsJsonIsOverItIsRefused() {
        BsonArray doubles = new BsonArray();
        for (int i = 0; i < 2_000; i++) {
            doubles.add(new BsonDouble(i / 7.0));
        }
        BsonDocument document = memory("big-1").append("samples", doubles);
        byte[] value = bson(event("insert", document));
        String documentJson = MemoryDocuments.toCanonicalJson(document);
        int limit = value.length + 1;
        assertThat(documentJson.length()).as("doubles take more room as Extended JSON").isGreaterThan(2 * limit);
        ChangeEventParser parser = new ChangeEventParser(limit);

        parser.parse("changes-0@7", KEY, value);
        assertThatThrownBy(() -> parser.checkDocumentSize("changes-0@7", KEY, documentJson))
                .isInstanceOf(InvalidRecordException.class)
                .hasMessageContaining("changes-0@7 (key {\"_id\": \"big-1\"}), field fullDocument")
                .hasMessageContaining("document of " + documentJson.length() + " bytes of Extended JSON is over tiering.change.max.bytes (" + limit + ")");
        parser.checkDocumentSize("changes-0@7", KEY, documentJson.substring(0, limit));
    }

    @Test
    void aHugeKeyIsCutInTheReason() {
        byte[] event = insertOf("x".repeat(100));
        assertThatThrownBy(() -> new ChangeEventParser(10).parse("changes-0@7", utf8("k".repeat(10_000)), event))
                .hasMessageContaining("k".repeat(200) + "...)").hasMessageNotContaining("k".repeat(201));
    }
}
