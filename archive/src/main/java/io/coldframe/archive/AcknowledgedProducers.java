package io.coldframe.archive;

import java.time.Duration;
import java.util.Properties;

import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.serialization.ByteArraySerializer;

import io.coldframe.common.KafkaConnection;

/**
 * Producer settings of the read-side tools (restore marks, erasure, retention, catalog updates): every record
 * acknowledged by all in-sync replicas, without duplicates on retry, and every wait bounded by the tool's timeout, so
 * a command facing an unreachable broker fails in time and says so instead of hanging.
 */
public final class AcknowledgedProducers {

    private AcknowledgedProducers() {
    }

    public static Properties properties(KafkaConnection kafka, String clientId, Duration timeout) {
        int timeoutMs = (int) Math.min(Integer.MAX_VALUE / 2, Math.max(1000, timeout.toMillis()));
        Properties props = kafka.properties();
        props.put(ProducerConfig.CLIENT_ID_CONFIG, clientId);
        props.put(ProducerConfig.ACKS_CONFIG, "all");
        props.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
        props.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, timeoutMs);
        props.put(ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, timeoutMs);
        props.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, 2 * timeoutMs);
        props.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class);
        props.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class);
        return props;
    }
}
