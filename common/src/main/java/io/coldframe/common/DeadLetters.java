package io.coldframe.common;

import java.nio.charset.StandardCharsets;

import org.apache.kafka.common.header.Headers;

/**
 * Header names of a dead-letter record. The value and key are the original bytes, untouched, so that the record
 * can be inspected or replayed once the cause is fixed.
 */
public final class DeadLetters {

    public static final String REASON = "coldframe.dlq.reason";
    public static final String STAGE = "coldframe.dlq.stage";
    public static final String SOURCE_TOPIC = "coldframe.dlq.source.topic";
    public static final String SOURCE_PARTITION = "coldframe.dlq.source.partition";
    public static final String SOURCE_OFFSET = "coldframe.dlq.source.offset";

    private DeadLetters() {
    }

    public static void describe(Headers headers, String stage, String reason, String topic, int partition, long offset) {
        headers.add(STAGE, utf8(stage));
        headers.add(REASON, utf8(reason));
        headers.add(SOURCE_TOPIC, utf8(topic));
        headers.add(SOURCE_PARTITION, utf8(Integer.toString(partition)));
        headers.add(SOURCE_OFFSET, utf8(Long.toString(offset)));
    }

    public static String header(Headers headers, String name) {
        var header = headers.lastHeader(name);
        return header == null ? null : new String(header.value(), StandardCharsets.UTF_8);
    }

    private static byte[] utf8(String value) {
        return value.getBytes(StandardCharsets.UTF_8);
    }
}
