package io.coldframe.archive.lifecycle;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;

import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.TopicPartition;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.coldframe.archive.AcknowledgedProducers;
import io.coldframe.archive.ArchiveCatalog;
import io.coldframe.common.KafkaConnection;
import io.coldframe.schemas.AvroSerde;
import io.coldframe.schemas.CatalogEntry;

/**
 * {@link CatalogUpdates} on the compacted catalog topic, in the archiver's format: {@link CatalogEntry} values keyed by
 * memory id (UTF-8), tombstones (null values) for dropped memories, which {@link ArchiveCatalog} and the archive
 * service's catalog stores read as "no longer archived".
 *
 * <p>The topic has no compare-and-set: an archiver may commit a newer entry for a memory between this class reading the
 * catalog and writing its update, which would then hide the newer one. So after writing, it reads the topic on (waiting
 * until open transactions before its writes have ended) and writes again, after its own, every record another writer
 * put between its read and its write for a memory it updated, until there is none.
 */
public final class KafkaCatalogUpdates implements CatalogUpdates {

    private static final Logger LOG = LoggerFactory.getLogger(KafkaCatalogUpdates.class);
    private static final AvroSerde<CatalogEntry> ENTRIES = AvroSerde.of(CatalogEntry.class);
    private static final int MAX_REASSERT_ROUNDS = 10;

    private final KafkaConnection kafka;
    private final String topic;
    private final Duration timeout;

    /** {@code timeout}: for reading the catalog and for each acknowledgement and wait. */
    public KafkaCatalogUpdates(KafkaConnection kafka, String catalogTopic, Duration timeout) {
        this.kafka = kafka;
        this.topic = catalogTopic;
        this.timeout = timeout;
    }

    @Override
    public void publish(Change change) throws IOException {
        CatalogMoves moves = new CatalogMoves(change);
        try (Consumer<byte[], byte[]> consumer = new KafkaConsumer<>(ArchiveCatalog.consumerProperties(kafka, timeout));
             Producer<byte[], byte[]> producer = new KafkaProducer<>(producerProperties())) {
            ArchiveCatalog affected = ArchiveCatalog.load(consumer, topic, timeout, moves::affects);
            Map<String, byte[]> updates = new LinkedHashMap<>();
            for (CatalogEntry entry : affected.entries()) {
                updates.put(entry.getMemoryId(), moves.replacement(entry).map(ENTRIES::encode).orElse(null));
            }
            for (int round = 0; !updates.isEmpty(); round++) {
                if (round == MAX_REASSERT_ROUNDS) {
                    throw new IOException("catalog " + topic + ": entries of " + updates.keySet() + " kept changing while segment "
                            + change.oldSegmentId() + " was being replaced; run the rewrite again");
                }
                Map<TopicPartition, Long> readUpTo = positions(consumer);
                Map<String, RecordMetadata> written = send(producer, updates);
                updates = shadowed(consumer, readUpTo, written);
                if (!updates.isEmpty()) {
                    LOG.info("catalog entries of {} were written by another writer meanwhile; writing them again after ours", updates.keySet());
                }
            }
        } catch (KafkaException e) {
            throw new IOException("could not update the catalog " + topic + " for segment " + change.oldSegmentId() + ": " + e.getMessage(), e);
        }
    }

    private static Map<TopicPartition, Long> positions(Consumer<byte[], byte[]> consumer) {
        Map<TopicPartition, Long> positions = new HashMap<>();
        for (TopicPartition partition : consumer.assignment()) {
            positions.put(partition, consumer.position(partition));
        }
        return positions;
    }

    /** Sends each update and waits for every acknowledgement (by all in-sync replicas). */
    private Map<String, RecordMetadata> send(Producer<byte[], byte[]> producer, Map<String, byte[]> updates) throws IOException {
        Map<String, Future<RecordMetadata>> sent = new LinkedHashMap<>();
        updates.forEach((memoryId, value) -> sent.put(memoryId, producer.send(new ProducerRecord<>(topic, utf8(memoryId), value))));
        producer.flush();
        Map<String, RecordMetadata> written = new HashMap<>();
        try {
            for (Map.Entry<String, Future<RecordMetadata>> future : sent.entrySet()) {
                written.put(future.getKey(), future.getValue().get());
            }
        } catch (ExecutionException e) {
            throw new IOException("could not write to the catalog " + topic + ": " + e.getCause().getMessage(), e.getCause());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while writing to the catalog " + topic, e);
        }
        return written;
    }

    /**
     * Records of other writers for the memories just written, between what was read before ({@code from}) and the write:
     * ours now hides them though they are newer than what we read. Reads until the topic's stable end passes every
     * write, so a transaction open before our writes (an archiver's) has committed or aborted first.
     */
    private Map<String, byte[]> shadowed(Consumer<byte[], byte[]> consumer, Map<TopicPartition, Long> from, Map<String, RecordMetadata> written)
            throws IOException {
        Map<TopicPartition, Long> mustPass = new HashMap<>();
        written.values().forEach(meta -> mustPass.merge(new TopicPartition(meta.topic(), meta.partition()), meta.offset(), Math::max));
        from.forEach(consumer::seek);
        Map<String, byte[]> hidden = new LinkedHashMap<>();
        long deadline = System.nanoTime() + timeout.toNanos();
        while (mustPass.entrySet().stream().anyMatch(end -> consumer.position(end.getKey()) <= end.getValue())) {
            if (System.nanoTime() > deadline) {
                throw new IOException("the catalog " + topic + " did not become readable past this rewrite's writes within " + timeout
                        + " (a transaction open for longer?); run the rewrite again");
            }
            for (ConsumerRecord<byte[], byte[]> record : consumer.poll(Duration.ofMillis(200))) {
                String memoryId = record.key() == null ? null : new String(record.key(), StandardCharsets.UTF_8);
                RecordMetadata ours = memoryId == null ? null : written.get(memoryId);
                if (ours != null && record.partition() == ours.partition() && record.offset() < ours.offset()) {
                    hidden.put(memoryId, record.value());
                }
            }
        }
        return hidden;
    }

    private Properties producerProperties() {
        return AcknowledgedProducers.properties(kafka, "coldframe-catalog-updates", timeout);
    }

    private static byte[] utf8(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }
}
