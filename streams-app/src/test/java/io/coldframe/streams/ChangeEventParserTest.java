package io.coldframe.streams;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;

import org.junit.jupiter.api.Test;

import io.coldframe.common.InvalidRecordException;

class ChangeEventParserTest {

    private static final byte[] KEY = utf8("{\"_id\": \"big-1\"}");

    private static byte[] utf8(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }

    private static byte[] insertOf(String text) {
        return utf8("{\"operationType\": \"insert\", \"fullDocument\": {\"_id\": \"big-1\", \"text\": \"" + text + "\"}}");
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
    void aHugeKeyIsCutInTheReason() {
        byte[] event = insertOf("x".repeat(100));
        assertThatThrownBy(() -> new ChangeEventParser(10).parse("changes-0@7", utf8("k".repeat(10_000)), event))
                .hasMessageContaining("k".repeat(200) + "...)").hasMessageNotContaining("k".repeat(201));
    }
}
