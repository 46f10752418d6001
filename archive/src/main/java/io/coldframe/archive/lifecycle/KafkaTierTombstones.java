package io.coldframe.archive.lifecycle;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;

import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.KafkaException;

import io.coldframe.archive.AcknowledgedProducers;
import io.coldframe.common.KafkaConnection;
import io.coldframe.common.Topics;

/**
 * Tombstones (null values keyed by memory id) on the hot and warm tier topics, as the tiering engine writes when a
 * memory leaves a tier: the compacted views, and the hot cache that follows the hot one, drop the memory.
 */
public final class KafkaTierTombstones implements MemoryErasure.TierViews {

    private final KafkaConnection kafka;
    private final Topics topics;
    private final Duration timeout;

    public KafkaTierTombstones(KafkaConnection kafka, Topics topics, Duration timeout) {
        this.kafka = kafka;
        this.topics = topics;
        this.timeout = timeout;
    }

    @Override
    public List<String> tombstone(Collection<String> memoryIds) throws IOException {
        List<String> views = List.of(topics.hot(), topics.warm());
        try (Producer<byte[], byte[]> producer = new KafkaProducer<>(properties())) {
            List<Future<RecordMetadata>> sent = new ArrayList<>();
            for (String topic : views) {
                for (String id : memoryIds) {
                    sent.add(producer.send(new ProducerRecord<>(topic, id.getBytes(StandardCharsets.UTF_8), null)));
                }
            }
            producer.flush();
            for (Future<RecordMetadata> future : sent) {
                future.get();
            }
            return views;
        } catch (ExecutionException e) {
            throw new IOException("could not tombstone the tier views " + views + ": " + e.getCause().getMessage(), e.getCause());
        } catch (KafkaException e) {
            throw new IOException("could not tombstone the tier views " + views + ": " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while tombstoning the tier views", e);
        }
    }

    private Properties properties() {
        return AcknowledgedProducers.properties(kafka, "coldframe-erase", timeout);
    }
}
