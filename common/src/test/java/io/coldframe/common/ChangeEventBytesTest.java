package io.coldframe.common;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;

import org.bson.BsonDocument;
import org.bson.BsonInt64;
import org.bson.BsonString;
import org.bson.RawBsonDocument;
import org.junit.jupiter.api.Test;

class ChangeEventBytesTest {

    private static BsonDocument insertEvent(String text) {
        BsonDocument full = new BsonDocument("_id", new BsonString("m1")).append("n", new BsonInt64(5)).append("text", new BsonString(text));
        return new BsonDocument("operationType", new BsonString("insert")).append("fullDocument", full);
    }

    @Test
    void aBsonEventIsReadOverItsOwnBytesAndItsFullDocumentKeepsTheExactVersion() {
        BsonDocument event = insertEvent("hello");
        byte[] bson = MemoryDocuments.toBson(event);

        BsonDocument read = ChangeEventBytes.read(bson);

        assertThat(read).isInstanceOf(RawBsonDocument.class).isEqualTo(event);
        BsonDocument full = read.getDocument("fullDocument");
        assertThat(full).isInstanceOf(RawBsonDocument.class);
        assertThat(MemoryDocuments.versionOf(full)).isEqualTo(MemoryDocuments.versionOf(event.getDocument("fullDocument")));
        assertThat(MemoryDocuments.toBson(full)).isEqualTo(MemoryDocuments.toBson(event.getDocument("fullDocument")));
    }

    @Test
    void aJsonEventIsParsed() {
        BsonDocument event = insertEvent("hello");
        byte[] json = MemoryDocuments.toCanonicalJson(event).getBytes(StandardCharsets.UTF_8);

        assertThat(ChangeEventBytes.isBson(json)).isFalse();
        assertThat(ChangeEventBytes.read(json)).isEqualTo(event);
    }

    @Test
    void aBsonEventWhoseLengthStartsWithABraceIsStillBson() {
        // 123 is '{': the first byte alone cannot tell the formats apart.
        String text = "x";
        while (MemoryDocuments.toBson(insertEvent(text)).length < 123) {
            text += "x";
        }
        byte[] bson = MemoryDocuments.toBson(insertEvent(text));
        assertThat(bson[0]).isEqualTo((byte) '{');

        assertThat(ChangeEventBytes.isBson(bson)).isTrue();
        assertThat(ChangeEventBytes.read(bson)).isEqualTo(insertEvent(text));
    }

    @Test
    void bytesThatAreNeitherAreRefusedWithBothReasons() {
        byte[] bson = MemoryDocuments.toBson(insertEvent("hello"));
        byte[] truncated = java.util.Arrays.copyOf(bson, bson.length - 3);

        assertThatThrownBy(() -> ChangeEventBytes.read(truncated))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("neither a BSON document (" + truncated.length + " bytes, declares " + bson.length + ")")
                .hasMessageContaining("nor JSON");
        assertThatThrownBy(() -> ChangeEventBytes.read("no".getBytes(StandardCharsets.UTF_8)))
                .hasMessageContaining("shorter than any BSON document");
    }
}
