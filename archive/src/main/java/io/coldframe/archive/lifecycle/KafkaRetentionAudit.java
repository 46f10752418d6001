package io.coldframe.archive.lifecycle;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.ExecutionException;

import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.KafkaException;

import io.coldframe.archive.AcknowledgedProducers;
import io.coldframe.common.KafkaConnection;
import io.coldframe.schemas.AvroSerde;
import io.coldframe.schemas.RetentionAction;

/** Retention audit events on {@code <prefix>.lifecycle.audit}, keyed by segment id; each acknowledged before the pass goes on. */
public final class KafkaRetentionAudit implements RetentionPass.AuditLog, AutoCloseable {

    private static final AvroSerde<RetentionAction> SERDE = AvroSerde.of(RetentionAction.class);

    private final String topic;
    private final Producer<byte[], byte[]> producer;

    public KafkaRetentionAudit(KafkaConnection kafka, String topic, Duration timeout) {
        this.topic = topic;
        this.producer = new KafkaProducer<>(AcknowledgedProducers.properties(kafka, "coldframe-retention", timeout));
    }

    @Override
    public void record(RetentionAction action) throws IOException {
        try {
            producer.send(new ProducerRecord<>(topic, action.getSegmentId().getBytes(StandardCharsets.UTF_8), SERDE.encode(action))).get();
        } catch (ExecutionException e) {
            throw new IOException("could not write the retention audit event of " + action.getSegmentId() + " to " + topic + ": "
                    + e.getCause().getMessage(), e.getCause());
        } catch (KafkaException e) {
            throw new IOException("could not write the retention audit event of " + action.getSegmentId() + " to " + topic + ": "
                    + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while writing the retention audit event of " + action.getSegmentId(), e);
        }
    }

    @Override
    public void close() {
        producer.close(Duration.ofSeconds(5));
    }
}
