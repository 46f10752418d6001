package io.coldframe.archiver;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;

import org.apache.kafka.clients.consumer.ConsumerRebalanceListener;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.ProducerFencedException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.coldframe.common.DeadLetters;
import io.coldframe.common.KafkaConnection;
import io.coldframe.common.Topics;
import io.coldframe.common.ops.LoopControl;
import io.coldframe.common.ops.ServiceLoop;
import io.coldframe.schemas.AvroSerde;
import io.coldframe.schemas.CatalogEntry;
import io.coldframe.schemas.SegmentCommitted;
import io.coldframe.segment.SegmentWriter;
import io.coldframe.store.SegmentConflictException;
import io.coldframe.store.SegmentStore;
import io.coldframe.store.SegmentStores;

/**
 * Entry point of an archiver worker. Workers share one consumer group on the cold topic, so each owns some
 * partitions; per partition it batches records, archives a closed batch into a verified stored segment, then
 * publishes the segment-committed event and the consumer offset in one Kafka transaction. A batch open when its
 * partition is revoked is dropped, never committed half: the next owner re-reads it from the committed offset.
 */
public final class ArchiverWorker implements ServiceLoop {

    private static final Logger LOG = LoggerFactory.getLogger(ArchiverWorker.class);
    private static final AvroSerde<SegmentCommitted> COMMITS = AvroSerde.of(SegmentCommitted.class);
    private static final AvroSerde<CatalogEntry> CATALOG = AvroSerde.of(CatalogEntry.class);
    private static final Duration RETRY_BACKOFF = Duration.ofSeconds(1);

    private final Topics topics;
    private final BatchLimits limits;
    private final SegmentStore store;
    private final BatchArchiver archiver;
    private final ColdRecordReader coldRecords;
    private final KafkaConsumer<byte[], byte[]> consumer;
    private final KafkaProducer<byte[], byte[]> producer;
    private final Map<TopicPartition, PartitionBatch> openBatches = new HashMap<>();
    private final LoopControl loop = new LoopControl("archive", ArchiverWorker.class);
    private final AtomicLong archivedTotal = new AtomicLong();
    private final AtomicLong segmentsTotal = new AtomicLong();
    private final ArchiveProgressListener listener;
    private final TopicIds topicIds;

    public ArchiverWorker(ArchiverConfig config) throws IOException {
        this(config, ArchiveProgressListener.NONE);
    }

    /** A worker that reports each step of its commit protocol to {@code listener} (metrics, fault tests). */
    public ArchiverWorker(ArchiverConfig config, ArchiveProgressListener listener) throws IOException {
        this.listener = listener;
        this.topics = config.topics();
        this.limits = config.batchLimits();
        this.coldRecords = new ColdRecordReader(config.redactionPolicy());
        config.redactionPolicy().ifPresent(policy -> LOG.info("redacting every memory before archiving it, policy {} from {}",
                policy.fingerprint(), policy.source()));
        this.store = SegmentStores.create(config);
        this.archiver = new BatchArchiver(new SegmentWriter(config.segmentOptions()), store,
                config.stagingDir().resolve(config.instanceId()), listener);
        archiver.clearStaging();
        this.consumer = new KafkaConsumer<>(config.consumerProperties());
        this.producer = new KafkaProducer<>(config.producerProperties());
        this.topicIds = TopicIds.fromCluster(KafkaConnection.from(config), Duration.ofSeconds(30));
    }

    /** True while the archive loop runs (or has yet to start); false once it ended, for whatever reason. */
    public boolean isAlive() {
        return loop.alive();
    }

    /** True once {@link #close} asked the loop to stop: its end is then expected, not a failure. */
    public boolean stopRequested() {
        return loop.stopRequested();
    }

    public long archivedTotal() {
        return archivedTotal.get();
    }

    public long segmentsTotal() {
        return segmentsTotal.get();
    }

    @Override
    public void run() {
        loop.run(() -> {
            try {
                producer.initTransactions();
                consumer.subscribe(List.of(topics.cold()), new DropBatchesOnRevoke());
                while (loop.running()) {
                    for (ConsumerRecord<byte[], byte[]> record : consumer.poll(Duration.ofMillis(200))) {
                        TopicPartition partition = new TopicPartition(record.topic(), record.partition());
                        openBatches.computeIfAbsent(partition, p -> new PartitionBatch(p, Instant.now())).add(record);
                    }
                    archiveDueBatches();
                }
            } catch (ProducerFencedException e) {
                LOG.error("another archiver took over this worker's transactional id; stopping", e);
            }
        }, () -> {
            if (!openBatches.isEmpty()) {
                List<TopicPartition> dropped = List.copyOf(openBatches.keySet());
                openBatches.clear();
                LOG.info("stopping with open batches of {}; none is committed, the next owner re-reads them", dropped);
                listener.batchesDropped(dropped);
            }
            loop.closeQuietly(consumer);
            loop.closeQuietly(producer);
            loop.closeQuietly(topicIds);
            loop.closeQuietly(store);
        });
    }

    private void archiveDueBatches() {
        Instant now = Instant.now();
        for (Iterator<PartitionBatch> batches = openBatches.values().iterator(); batches.hasNext(); ) {
            PartitionBatch batch = batches.next();
            if (batch.isDue(limits, now)) {
                batches.remove();
                archiveAndCommit(batch);
            }
        }
    }

    private void archiveAndCommit(PartitionBatch batch) {
        String segmentId = batch.partition() + "@" + batch.firstOffset();
        ColdRecordReader.Batch contents = coldRecords.read(batch.records());
        try {
            segmentId = batch.segmentId(topicIds.idOf(batch.partition().topic()));
            SegmentCommitted commit = null;
            BatchArchiver.StoredSegment stored = null;
            if (!contents.records().isEmpty()) {
                stored = archiver.archive(segmentId, contents.records());
                commit = commitEvent(segmentId, batch, stored, contents);
            }
            producer.beginTransaction();
            if (commit != null) {
                for (CatalogEntry entry : CatalogEntries.of(commit, stored.manifest(), contents.createdAt())) {
                    producer.send(new ProducerRecord<>(topics.catalog(), utf8(entry.getMemoryId()), CATALOG.encode(entry)));
                }
                producer.send(new ProducerRecord<>(topics.segmentsCommitted(), utf8(segmentId), COMMITS.encode(commit)));
            }
            for (ColdRecordReader.Rejected rejected : contents.rejected()) {
                producer.send(deadLetter(rejected));
            }
            producer.sendOffsetsToTransaction(Map.of(batch.partition(), new OffsetAndMetadata(nextOffset(batch))),
                    consumer.groupMetadata());
            if (commit != null) {
                listener.beforeCommit(segmentId);
            }
            producer.commitTransaction();
            if (commit != null) {
                listener.committed(segmentId, contents.records().size());
                archivedTotal.addAndGet(contents.records().size());
                segmentsTotal.incrementAndGet();
                LOG.info("committed segment {} with {} memories", segmentId, contents.records().size());
            }
        } catch (ProducerFencedException e) {
            throw e;
        } catch (SegmentConflictException e) {
            LOG.error("segment id {} is taken by a stored segment with other bytes; nothing was replaced or committed, and the batch is "
                    + "retried from offset {}. Two segments got the same id: see docs/operations.md, \"Segment ids\"", segmentId,
                    batch.firstOffset(), e);
            listener.segmentConflict(segmentId);
            retryLater(batch);
        } catch (KafkaException e) {
            if (fatal(e)) {
                throw e;
            }
            LOG.error("could not archive segment {}; it is retried from offset {}", segmentId, batch.firstOffset(), e);
            retryLater(batch);
        } catch (IOException e) {
            LOG.error("could not archive segment {}; it is retried from offset {}", segmentId, batch.firstOffset(), e);
            retryLater(batch);
        }
    }

    /** A producer error no retry cures: fenced, or an epoch another instance owns now (possibly as a cause). */
    static boolean fatal(Throwable e) {
        for (Throwable cause = e; cause != null; cause = cause.getCause()) {
            if (cause instanceof ProducerFencedException || cause instanceof org.apache.kafka.common.errors.InvalidProducerEpochException
                    || cause instanceof org.apache.kafka.common.errors.TransactionalIdAuthorizationException) {
                return true;
            }
        }
        return false;
    }

    /** Nothing of the batch is committed: abort, read it again, and read the topic id again (it may be what changed). */
    private void retryLater(PartitionBatch batch) {
        topicIds.forget();
        abortQuietly();
        consumer.seek(batch.partition(), batch.firstOffset());
        sleep(RETRY_BACKOFF);
    }

    /**
     * The batch holds every record fetched from its partition, so the consumer position is its end; unlike
     * lastOffset + 1 it also steps over the transaction markers that follow, so a drained partition shows no lag.
     */
    private long nextOffset(PartitionBatch batch) {
        return Math.max(batch.lastOffset() + 1, consumer.position(batch.partition()));
    }

    private static SegmentCommitted commitEvent(String segmentId, PartitionBatch batch, BatchArchiver.StoredSegment stored,
            ColdRecordReader.Batch contents) {
        return SegmentCommitted.newBuilder()
                .setSegmentId(segmentId)
                .setFormatVersion(stored.manifest().formatVersion())
                .setLocation(stored.location())
                .setSha256(stored.manifest().videoSha256())
                .setSourceTopic(batch.partition().topic())
                .setSourcePartition(batch.partition().partition())
                .setFirstOffset(batch.firstOffset())
                .setLastOffset(batch.lastOffset())
                .setRawBytes(stored.manifest().rawBytes())
                .setArchiveBytes(stored.manifest().videoBytes())
                .setCommittedAt(Instant.now())
                .setMemories(contents.memories())
                .setRedactionPolicy(contents.redactionPolicy())
                .build();
    }

    private ProducerRecord<byte[], byte[]> deadLetter(ColdRecordReader.Rejected rejected) {
        ConsumerRecord<byte[], byte[]> source = rejected.record();
        ProducerRecord<byte[], byte[]> letter = new ProducerRecord<>(topics.deadLetter(), source.key(), source.value());
        DeadLetters.describe(letter.headers(), "archiver", rejected.reason(), source.topic(), source.partition(), source.offset());
        return letter;
    }

    private void abortQuietly() {
        try {
            producer.abortTransaction();
        } catch (IllegalStateException | KafkaException e) {
            LOG.debug("no transaction to abort", e);
        }
    }

    private final class DropBatchesOnRevoke implements ConsumerRebalanceListener {
        @Override
        public void onPartitionsRevoked(Collection<TopicPartition> partitions) {
            List<TopicPartition> dropped = new ArrayList<>();
            for (TopicPartition partition : partitions) {
                if (openBatches.remove(partition) != null) {
                    dropped.add(partition);
                }
            }
            if (!dropped.isEmpty()) {
                LOG.info("dropped open batches of revoked partitions {}; their next owner re-reads them", dropped);
                listener.batchesDropped(dropped);
            }
        }

        @Override
        public void onPartitionsAssigned(Collection<TopicPartition> partitions) {
            // a topic deleted and recreated comes back through a new assignment: read its (new) id again
            topicIds.forget();
        }
    }

    @Override
    public void close() {
        loop.stop(consumer);
    }

    private static void sleep(Duration duration) {
        try {
            Thread.sleep(duration.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static byte[] utf8(String value) {
        return value.getBytes(StandardCharsets.UTF_8);
    }

    /**
     * Runs the worker with its ops endpoint until the loop ends. Returns the exit code: 0 after a requested stop,
     * 1 when the loop ended by itself (fenced producer, an error); {@code /health/live} answers 503 from then on.
     */
    public static int serve(ArchiverConfig config) throws IOException {
        ArchiverOps ops = new ArchiverOps(config);
        ArchiverWorker worker = new ArchiverWorker(config, ops);
        ops.liveness(worker::isAlive);
        ops.start();
        return ServiceLoop.serve("archive", worker, ops);
    }

    public static void main(String[] args) throws IOException {
        int code = serve(ArchiverConfig.load(Map.of()));
        if (code != 0) {
            System.exit(code);
        }
    }
}
