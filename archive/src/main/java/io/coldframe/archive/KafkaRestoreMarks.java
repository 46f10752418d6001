package io.coldframe.archive;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;

import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.KafkaException;

import io.coldframe.common.KafkaConnection;
import io.coldframe.schemas.AvroSerde;
import io.coldframe.schemas.RestoreMark;

/**
 * Publishes {@link RestoreMark}s to the compacted restores topic, keyed by memory id, and waits until every one is
 * acknowledged by all in-sync replicas: only then may the documents be inserted. The producer is created on first use.
 */
public final class KafkaRestoreMarks implements Restorer.Marks, AutoCloseable {

    private static final AvroSerde<RestoreMark> MARKS = AvroSerde.of(RestoreMark.class);

    private final KafkaConnection kafka;
    private final String topic;
    private final Duration timeout;
    private KafkaProducer<byte[], byte[]> producer;

    public KafkaRestoreMarks(KafkaConnection kafka, String topic, Duration timeout) {
        this.kafka = kafka;
        this.topic = topic;
        this.timeout = timeout;
    }

    @Override
    public void publish(List<String> memoryIds, Instant restoredAt, Instant holdUntil) throws IOException {
        try {
            if (producer == null) {
                producer = new KafkaProducer<>(properties());
            }
            List<Future<RecordMetadata>> sent = new ArrayList<>(memoryIds.size());
            for (String id : memoryIds) {
                RestoreMark mark = new RestoreMark(id, restoredAt, holdUntil);
                sent.add(producer.send(new ProducerRecord<>(topic, id.getBytes(StandardCharsets.UTF_8), MARKS.encode(mark))));
            }
            producer.flush();
            for (Future<RecordMetadata> future : sent) {
                future.get();
            }
        } catch (ExecutionException e) {
            throw new IOException("could not publish restore marks to " + topic + ": " + e.getCause().getMessage(), e.getCause());
        } catch (KafkaException e) {
            throw new IOException("could not publish restore marks to " + topic + ": " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while publishing restore marks", e);
        }
    }

    private Properties properties() {
        Properties props = AcknowledgedProducers.properties(kafka, "coldframe-restore", timeout);
        props.put(ProducerConfig.LINGER_MS_CONFIG, 0);
        return props;
    }

    @Override
    public void close() {
        if (producer != null) {
            producer.close(Duration.ofSeconds(5));
        }
    }
}
