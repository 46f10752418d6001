package io.coldframe.purger;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;

import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.InterruptException;
import org.apache.kafka.common.errors.InvalidProducerEpochException;
import org.apache.kafka.common.errors.ProducerFencedException;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.errors.WakeupException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import com.mongodb.MongoException;
import com.mongodb.client.MongoClient;
import com.mongodb.client.MongoClients;

import io.coldframe.common.CommonConfigKeys;
import io.coldframe.common.DeadLetters;
import io.coldframe.common.KafkaConnection;
import io.coldframe.common.Topics;
import io.coldframe.common.ops.LoopControl;
import io.coldframe.common.ops.ServiceLoop;
import io.coldframe.schemas.AvroSerde;
import io.coldframe.schemas.PurgeResult;
import io.coldframe.schemas.SegmentCommitted;
import io.coldframe.store.SegmentStore;
import io.coldframe.store.SegmentStores;

/**
 * Entry point of the purger: for every committed segment, deletes exactly the archived versions from MongoDB,
 * then publishes the purge result and its consumer offset in one transaction. The offset is never committed
 * before MongoDB acknowledged the delete, so a crash replays the commit, which deletes nothing more.
 */
public final class Purger implements ServiceLoop {

    private static final Logger LOG = LoggerFactory.getLogger(Purger.class);
    private static final AvroSerde<SegmentCommitted> COMMITS = AvroSerde.of(SegmentCommitted.class);
    private static final AvroSerde<PurgeResult> RESULTS = AvroSerde.of(PurgeResult.class);

    private final PurgerConfig config;
    private final Topics topics;
    private final MongoClient mongo;
    /** Made at the first purge: it asks MongoDB whether it has transactions, and MongoDB may be down at start. */
    private VersionGuardedDeleter deleter;
    private final KafkaConsumer<byte[], byte[]> consumer;
    private final KafkaProducer<byte[], byte[]> producer;
    private final LoopControl loop = new LoopControl("purge", Purger.class);
    private final AtomicLong deletedTotal = new AtomicLong();
    private final SegmentStore store;
    private final SegmentCheck segmentCheck;
    private final RestoreMarksView restoreMarks;
    private final PurgeProgressListener listener;

    public Purger(PurgerConfig config) throws java.io.IOException {
        this(config, PurgeProgressListener.NONE);
    }

    /** A purger that reports each step of its protocol to {@code listener} (metrics, fault tests). */
    public Purger(PurgerConfig config, PurgeProgressListener listener) throws java.io.IOException {
        this.listener = listener;
        this.config = config;
        this.topics = config.topics();
        this.mongo = MongoClients.create(config.mongoUri());
        this.store = SegmentStores.create(config);
        this.segmentCheck = new SegmentCheck(store);
        this.restoreMarks = new RestoreMarksView(KafkaConnection.from(config), topics.restores());
        this.consumer = new KafkaConsumer<>(config.consumerProperties());
        this.producer = new KafkaProducer<>(config.producerProperties());
    }

    /** True while the purge loop runs (or has yet to start); false once it ended, for whatever reason. */
    public boolean isAlive() {
        return loop.alive();
    }

    /** True once {@link #close} asked the loop to stop: its end is then expected, not a failure. */
    public boolean stopRequested() {
        return loop.stopRequested();
    }

    /** Memories this instance deleted since it started. */
    public long deletedTotal() {
        return deletedTotal.get();
    }

    @Override
    public void run() {
        loop.run(() -> {
            producer.initTransactions();
            consumer.subscribe(List.of(topics.segmentsCommitted()));
            while (loop.running()) {
                ConsumerRecords<byte[], byte[]> records = consumer.poll(Duration.ofMillis(500));
                if (!records.isEmpty()) {
                    purgeInTransaction(records);
                }
            }
        }, () -> {
            loop.closeQuietly(consumer);
            loop.closeQuietly(producer);
            loop.closeQuietly(restoreMarks);
            loop.closeQuietly(mongo);
            loop.closeQuietly(store);
        });
    }

    private void purgeInTransaction(ConsumerRecords<byte[], byte[]> records) throws InterruptedException {
        try {
            producer.beginTransaction();
            Map<TopicPartition, OffsetAndMetadata> offsets = new HashMap<>();
            List<String> segmentIds = new ArrayList<>();
            for (ConsumerRecord<byte[], byte[]> record : records) {
                if (!loop.running()) {
                    producer.abortTransaction();
                    return;
                }
                segmentIds.add(purgeOne(record));
            }
            // The position also steps over the transaction markers after the last commit event.
            for (TopicPartition partition : records.partitions()) {
                offsets.put(partition, new OffsetAndMetadata(consumer.position(partition)));
            }
            producer.sendOffsetsToTransaction(offsets, consumer.groupMetadata());
            listener.beforeOffsetCommit(segmentIds);
            producer.commitTransaction();
            listener.committed(segmentIds);
        } catch (WakeupException | InterruptException | ProducerFencedException | InvalidProducerEpochException e) {
            throw e;
        } catch (KafkaException e) {
            if (fatal(e)) {
                // Fenced (another purger took over this transactional id) or otherwise unusable: the loop must end
                // so that liveness says so and the process exits, never retry for ever with a dead producer.
                throw e;
            }
            // Deletes already acknowledged stay done; the replay from the committed offsets finds them absent.
            LOG.warn("could not commit the purge results; replaying from the committed offsets: {}", e.getMessage());
            abortQuietly();
            rewind(records);
            Thread.sleep(config.getLong(PurgerConfig.RETRY_INITIAL_BACKOFF_MS));
        }
    }

    /** A producer error no retry cures: fenced, or an epoch another instance owns now (possibly as a cause). */
    static boolean fatal(Throwable e) {
        for (Throwable cause = e; cause != null; cause = cause.getCause()) {
            if (cause instanceof ProducerFencedException || cause instanceof InvalidProducerEpochException
                    || cause instanceof org.apache.kafka.common.errors.TransactionalIdAuthorizationException
                    || cause instanceof org.apache.kafka.common.errors.UnsupportedVersionException) {
                return true;
            }
        }
        return false;
    }

    private void abortQuietly() {
        try {
            producer.abortTransaction();
        } catch (IllegalStateException | KafkaException e) {
            LOG.debug("no transaction to abort", e);
        }
    }

    /** Seeks back to the first record of this poll per partition: everything after the last committed offset. */
    private void rewind(ConsumerRecords<byte[], byte[]> records) {
        for (TopicPartition partition : records.partitions()) {
            consumer.seek(partition, records.records(partition).get(0).offset());
        }
    }

    /** Purges one commit event into the open transaction; returns its segment id (or a reference to a dead letter). */
    private String purgeOne(ConsumerRecord<byte[], byte[]> record) throws InterruptedException {
        SegmentCommitted commit;
        try {
            commit = COMMITS.decode(record.value());
        } catch (SerializationException e) {
            return deadLetter(record, null, "undecodable", "record " + record.topic() + "-" + record.partition() + "@" + record.offset()
                    + ", field value: " + e.getMessage());
        }
        // Only a segment that is stored, byte for byte the committed one (or its verified rewrite), and holds the
        // id@version may be purged.
        SegmentCheck.Confirmation confirmation = untilAnswered(commit, "confirm segment " + commit.getSegmentId() + " in the store",
                () -> segmentCheck.confirm(commit));
        if (confirmation.problem() != null) {
            return deadLetter(record, commit, "segment-unconfirmed", confirmation.problem() + "; nothing deleted");
        }
        if (!confirmation.segmentId().equals(commit.getSegmentId())) {
            LOG.info("segment {} was rewritten as {} before its purge: purging the {} memories it kept, not the {} it dropped (erased or "
                    + "past retention)", commit.getSegmentId(), confirmation.segmentId(), confirmation.held().size(), confirmation.dropped().size());
        }
        listener.beforeDelete(commit.getSegmentId(), confirmation.held().size());
        PurgeOutcome outcome;
        try {
            outcome = untilAnswered(commit, "purge segment " + commit.getSegmentId(), () -> deleter().purge(confirmation.held(),
                    candidates -> restoreMarks.restoredAfter(candidates, commit.getCommittedAt())));
        } catch (PermanentPurgeException e) {
            return deadLetter(record, commit, "delete-rejected", e.getMessage());
        }
        listener.deleteAcknowledged(commit.getSegmentId(), outcome.deleted().size(), outcome.skipped().size());
        if (!outcome.protectedIds().isEmpty()) {
            LOG.info("segment {}: kept {} memories restored after the commit", commit.getSegmentId(), outcome.protectedIds().size());
            listener.protectedByRestore(commit.getSegmentId(), outcome.protectedIds().size());
        }
        deletedTotal.addAndGet(outcome.deleted().size());
        LOG.info("segment {}: deleted {}, kept {}", commit.getSegmentId(), outcome.deleted().size(), outcome.skipped().size());
        PurgeResult result = new PurgeResult(commit.getSegmentId(), outcome.deleted(), outcome.skipped(), Instant.now());
        producer.send(new ProducerRecord<>(topics.purgeResults(), commit.getSegmentId().getBytes(StandardCharsets.UTF_8), RESULTS.encode(result)));
        return commit.getSegmentId();
    }

    /** Sends the commit event as it came to the dead-letter topic, in the open transaction, and raises the alert. */
    private String deadLetter(ConsumerRecord<byte[], byte[]> record, SegmentCommitted commit, String kind, String reason) {
        LOG.error("dead-lettering commit event {}-{}@{} ({}): {}", record.topic(), record.partition(), record.offset(), kind, reason);
        ProducerRecord<byte[], byte[]> letter = new ProducerRecord<>(topics.deadLetter(), record.key(), record.value());
        DeadLetters.describe(letter.headers(), "purger", reason, record.topic(), record.partition(), record.offset());
        producer.send(letter);
        listener.deadLettered(commit == null ? null : commit.getSegmentId(), kind, reason);
        return "dead-letter:" + record.topic() + "-" + record.partition() + "@" + record.offset();
    }

    private interface Attempt<T> {
        T run() throws java.io.IOException;
    }

    /** Retries with backoff while MongoDB or the store does not answer; never skips. */
    private <T> T untilAnswered(SegmentCommitted commit, String what, Attempt<T> attempt) throws InterruptedException {
        long backoff = config.getLong(PurgerConfig.RETRY_INITIAL_BACKOFF_MS);
        long maxBackoff = config.getLong(PurgerConfig.RETRY_MAX_BACKOFF_MS);
        int attempts = 0;
        while (true) {
            try {
                return attempt.run();
            } catch (MongoException | java.io.IOException | java.io.UncheckedIOException e) {
                if (!loop.running()) {
                    throw new InterruptedException("stopping before segment " + commit.getSegmentId() + " was purged");
                }
                LOG.warn("could not {}; retrying in {} ms: {}", what, backoff, e.getMessage());
                listener.deleteRetrying(commit.getSegmentId(), ++attempts, backoff);
                Thread.sleep(backoff);
                backoff = Math.min(maxBackoff, backoff * 2);
            }
        }
    }

    private VersionGuardedDeleter deleter() {
        if (deleter == null) {
            deleter = new VersionGuardedDeleter(mongo, mongo.getDatabase(config.getString(CommonConfigKeys.MONGODB_DATABASE))
                    .getCollection(config.getString(CommonConfigKeys.MONGODB_COLLECTION)), MongoDeployment.detect(mongo),
                    VersionGuardedDeleter.DEFAULT_MAX_BATCH_BYTES);
        }
        return deleter;
    }

    @Override
    public void close() {
        loop.stop(consumer);
    }

    /**
     * Runs the purger with its ops endpoint until the loop ends. Returns the exit code: 0 after a requested stop,
     * 1 when the loop ended by itself (fenced producer, an error). The ops endpoint stays up then, answering
     * {@code /health/live} 503, until the process exits.
     */
    public static int serve(PurgerConfig config) throws java.io.IOException {
        PurgerOps ops = new PurgerOps(config);
        Purger purger = new Purger(config, ops);
        ops.liveness(purger::isAlive);
        ops.start();
        return ServiceLoop.serve("purge", purger, ops);
    }

    public static void main(String[] args) throws java.io.IOException {
        int code = serve(PurgerConfig.load(Map.of()));
        if (code != 0) {
            System.exit(code);
        }
    }
}
