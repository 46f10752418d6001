package io.coldframe.common;

import java.util.Map;

import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.common.config.ConfigDef.Importance;
import org.apache.kafka.common.config.ConfigDef.Range;
import org.apache.kafka.common.config.ConfigDef.Type;

/**
 * How large a Kafka record coldframe writes and its topics accept (docs/operations.md, "Big documents"). MongoDB holds
 * documents up to 16 MiB of BSON, but the connector publishes each change as canonical Extended JSON text: as large for
 * text, 2.6 to 3 times as large for numbers (a double in an array is 14 to 16 bytes of BSON and about 42 of JSON), so a 16 MiB
 * document of doubles is a ~41 MiB change event. 64 MiB covers that with headroom and stays below the broker's
 * {@code socket.request.max.bytes} (100 MiB by default), which bounds any produce request. Kafka's defaults (1 MiB)
 * stopped the connector at the first document over 1 MiB of JSON.
 *
 * <p>The same number is every coldframe topic's {@code max.message.bytes} (where coldframe creates topics: the topic
 * script, the Strimzi KafkaTopics, the connector's topic creation, local mode) and the Connect worker's
 * {@code producer.max.request.size}; deploy/'s ManifestConsistencyTest keeps them equal to {@link #DEFAULT_MAX_RECORD_BYTES}.
 * Consumers need no setting: their fetch sizes are soft limits, a larger first batch is still returned.
 */
public final class RecordSizes {

    public static final String MAX_RECORD_BYTES = "kafka.max.record.bytes";
    public static final int DEFAULT_MAX_RECORD_BYTES = 64 << 20;
    /** Kafka's default producer buffer; a larger limit needs a buffer that holds one record. */
    private static final long DEFAULT_BUFFER_MEMORY = 32L << 20;

    private RecordSizes() {
    }

    public static ConfigDef withMaxRecordBytes(ConfigDef definition) {
        return definition.define(MAX_RECORD_BYTES, Type.INT, DEFAULT_MAX_RECORD_BYTES, Range.between(1 << 20, 1 << 30), Importance.MEDIUM,
                "Largest Kafka record this service writes (its producer's max.request.size): a change event, a tier record "
                        + "or a dead letter carrying a whole document as Extended JSON. Keep it equal to the topics' "
                        + "max.message.bytes and below the brokers' socket.request.max.bytes (docs/operations.md, \"Big documents\").");
    }

    /** Producer settings for records up to {@code maxRecordBytes}: the request size, and a buffer that can hold such a record. */
    public static Map<String, Object> producerSettings(int maxRecordBytes) {
        return Map.of(ProducerConfig.MAX_REQUEST_SIZE_CONFIG, maxRecordBytes,
                ProducerConfig.BUFFER_MEMORY_CONFIG, Math.max(DEFAULT_BUFFER_MEMORY, maxRecordBytes));
    }
}
