package io.coldframe.archive;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Properties;
import java.util.function.Predicate;

import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.coldframe.common.KafkaConnection;
import io.coldframe.common.Topics;
import io.coldframe.schemas.AvroSerde;
import io.coldframe.schemas.CatalogEntry;

/**
 * Where archived memories live, read from the compacted catalog topic ({@link Topics#catalog()}) into memory: for each
 * memory id its latest {@link CatalogEntry} (the last one in the topic, which compaction keeps), answerable by memory
 * id and by agent.
 *
 * <p>The topic is read {@code read_committed} from the beginning up to its last stable offset at load time, so only
 * entries of committed archiver transactions count: an entry exists only together with its segment's commit event.
 * A load is a snapshot; entries committed later need a new load. A filter keeps memory use to what the caller needs
 * (one agent, some ids): the catalog then holds each memory's latest entry if that entry passes the filter.
 */
public final class ArchiveCatalog {

    private static final Logger LOG = LoggerFactory.getLogger(ArchiveCatalog.class);
    private static final AvroSerde<CatalogEntry> ENTRIES = AvroSerde.of(CatalogEntry.class);
    private static final Duration POLL = Duration.ofMillis(200);

    /** The catalog cannot be read; {@link #kafkaUnreachable()} tells a broker that did not answer from a missing topic. */
    public static final class UnavailableException extends IOException {
        private static final long serialVersionUID = 1L;
        private final boolean kafkaUnreachable;

        UnavailableException(String message, boolean kafkaUnreachable, Throwable cause) {
            super(message, cause);
            this.kafkaUnreachable = kafkaUnreachable;
        }

        public boolean kafkaUnreachable() {
            return kafkaUnreachable;
        }
    }

    private final String topic;
    private final Map<String, CatalogEntry> latestById = new HashMap<>();
    private long recordsRead;
    private long undecodable;

    private ArchiveCatalog(String topic) {
        this.topic = topic;
    }

    /** A catalog of the given entries (later entries of a memory replace earlier ones), for tests and tools. */
    static ArchiveCatalog of(String topic, List<CatalogEntry> entries) {
        ArchiveCatalog catalog = new ArchiveCatalog(topic);
        for (CatalogEntry entry : entries) {
            catalog.latestById.put(entry.getMemoryId(), entry);
        }
        return catalog;
    }

    /** Reads the whole catalog of {@code topics} from the Kafka cluster {@code kafka} reaches, giving up after {@code timeout}. */
    public static ArchiveCatalog load(KafkaConnection kafka, Topics topics, Duration timeout) throws UnavailableException {
        return load(kafka, topics, timeout, entry -> true);
    }

    /** As {@link #load(KafkaConnection, Topics, Duration)}, keeping only memories whose latest entry passes {@code keep}. */
    public static ArchiveCatalog load(KafkaConnection kafka, Topics topics, Duration timeout, Predicate<CatalogEntry> keep)
            throws UnavailableException {
        try (Consumer<byte[], byte[]> consumer = new KafkaConsumer<>(consumerProperties(kafka, timeout))) {
            return load(consumer, topics.catalog(), timeout, keep);
        } catch (KafkaException e) {
            throw new UnavailableException("cannot read the catalog " + topics.catalog() + ": " + e.getMessage(), true, e);
        }
    }

    /** Reads {@code topic} with the given consumer (which must read {@code read_committed}); the caller closes it. */
    public static ArchiveCatalog load(Consumer<byte[], byte[]> consumer, String topic, Duration timeout, Predicate<CatalogEntry> keep)
            throws UnavailableException {
        ArchiveCatalog catalog = new ArchiveCatalog(topic);
        long deadline = System.nanoTime() + timeout.toNanos();
        try {
            List<PartitionInfo> infos = consumer.partitionsFor(topic, timeout);
            if (infos == null || infos.isEmpty()) {
                throw new UnavailableException("the catalog topic " + topic + " does not exist", false, null);
            }
            List<TopicPartition> partitions = infos.stream().map(info -> new TopicPartition(topic, info.partition())).toList();
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            Map<TopicPartition, Long> end = consumer.endOffsets(partitions, remaining(deadline));
            while (!reachedEnd(consumer, partitions, end, deadline)) {
                for (ConsumerRecord<byte[], byte[]> record : consumer.poll(POLL)) {
                    catalog.apply(record.key(), record.value(), keep);
                }
            }
        } catch (org.apache.kafka.common.errors.TimeoutException e) {
            throw new UnavailableException("Kafka did not answer within " + timeout + " reading the catalog " + topic, true, e);
        } catch (KafkaException e) {
            throw new UnavailableException("cannot read the catalog " + topic + ": " + e.getMessage(), true, e);
        }
        if (catalog.undecodable > 0) {
            LOG.warn("{} records of {} are not catalog entries and were skipped", catalog.undecodable, topic);
        }
        return catalog;
    }

    private static boolean reachedEnd(Consumer<byte[], byte[]> consumer, List<TopicPartition> partitions, Map<TopicPartition, Long> end,
            long deadline) {
        for (TopicPartition partition : partitions) {
            if (consumer.position(partition, remaining(deadline)) < end.getOrDefault(partition, 0L)) {
                if (System.nanoTime() > deadline) {
                    throw new org.apache.kafka.common.errors.TimeoutException("catalog not read to its end in time");
                }
                return false;
            }
        }
        return true;
    }

    private static Duration remaining(long deadline) {
        return Duration.ofNanos(Math.max(1_000_000L, deadline - System.nanoTime()));
    }

    public static Properties consumerProperties(KafkaConnection kafka, Duration timeout) {
        Properties props = kafka.properties();
        // Only entries of committed archiver transactions: those whose commit event exists too.
        props.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        props.put(ConsumerConfig.CLIENT_ID_CONFIG, "coldframe-catalog-reader");
        int timeoutMs = (int) Math.min(Integer.MAX_VALUE, Math.max(1000, timeout.toMillis()));
        props.put(ConsumerConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, timeoutMs);
        props.put(ConsumerConfig.REQUEST_TIMEOUT_MS_CONFIG, timeoutMs);
        props.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class);
        props.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class);
        return props;
    }

    /** One catalog record: the latest entry of its key replaces any earlier one; a tombstone removes the memory. */
    public void apply(byte[] key, byte[] value, Predicate<CatalogEntry> keep) {
        recordsRead++;
        CatalogEntry entry = null;
        if (value != null) {
            try {
                entry = ENTRIES.decode(value);
            } catch (SerializationException e) {
                undecodable++;
                return;
            }
        }
        String memoryId = key != null ? new String(key, StandardCharsets.UTF_8) : entry != null ? entry.getMemoryId() : null;
        if (memoryId == null) {
            return;
        }
        if (entry != null && keep.test(entry)) {
            latestById.put(memoryId, entry);
        } else {
            latestById.remove(memoryId);
        }
    }

    /** The latest entry of a memory: the segment holding its most recently archived version. */
    public Optional<CatalogEntry> latest(String memoryId) {
        return Optional.ofNullable(latestById.get(memoryId));
    }

    /** The latest entry of each memory of an agent, by memory id. */
    public List<CatalogEntry> byAgent(String agent) {
        return latestById.values().stream().filter(entry -> Objects.equals(agent, entry.getAgent()))
                .sorted(Comparator.comparing(CatalogEntry::getMemoryId)).toList();
    }

    /** The latest entry of each memory whose latest entry lies in the segment, by memory id. */
    public List<CatalogEntry> bySegment(String segmentId) {
        return latestById.values().stream().filter(entry -> segmentId.equals(entry.getSegmentId()))
                .sorted(Comparator.comparing(CatalogEntry::getMemoryId)).toList();
    }

    /** Every memory's latest entry (in no particular order). */
    public Collection<CatalogEntry> entries() {
        return java.util.Collections.unmodifiableCollection(latestById.values());
    }

    /** Memories in the catalog (after the filter). */
    public int size() {
        return latestById.size();
    }

    /** Catalog records read, tombstones and superseded entries included. */
    public long recordsRead() {
        return recordsRead;
    }

    public String topic() {
        return topic;
    }
}
