package io.coldframe.hotcache;

import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.ConsumerRebalanceListener;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.coldframe.common.DeadLetters;
import io.coldframe.common.InvalidRecordException;
import io.coldframe.common.Topics;
import io.coldframe.common.ops.LoopControl;
import io.coldframe.common.ops.ServiceLoop;
import io.coldframe.schemas.ArchivedMemory;
import io.coldframe.schemas.SegmentCommitted;

import redis.clients.jedis.UnifiedJedis;
import redis.clients.jedis.exceptions.JedisException;

/**
 * Entry point of the hot-cache: a consumer group on the hot tier topic (and warm, when configured) and the
 * segments-committed topic that keeps Redis equal to the tier. Each poll is written to Redis in pipelines
 * ({@link RedisTierWriter}); only after Redis acknowledged them are the offsets committed, so a crash replays
 * the batch, which is harmless. A partition whose resync marker Redis lost (a restart without persistence) is
 * replayed from the start of its compacted topic.
 */
public final class HotCacheService implements ServiceLoop {

    private static final Logger LOG = LoggerFactory.getLogger(HotCacheService.class);

    private final HotCacheConfig config;
    private final Topics topics;
    private final Map<String, String> tierOfTopic = new HashMap<>();
    private final UnifiedJedis redis;
    private final RedisTierWriter writer;
    private final Consumer<byte[], byte[]> consumer;
    private final KafkaProducer<byte[], byte[]> deadLetters;
    private final HotCacheListener listener;
    private final String group;
    private final LoopControl loop = new LoopControl("hot-cache", HotCacheService.class);
    private long lastMarkerCheck;
    /** Consecutive batches Redis did not acknowledge: the backoff grows with them. */
    private int attempts;

    public HotCacheService(HotCacheConfig config) {
        this(config, HotCacheListener.NONE);
    }

    public HotCacheService(HotCacheConfig config, HotCacheListener listener) {
        this(config, listener, new KafkaConsumer<>(config.consumerProperties()));
    }

    /** With a consumer of the caller's: tests drive the group's answers (a failed commit, a rebalance). */
    HotCacheService(HotCacheConfig config, HotCacheListener listener, Consumer<byte[], byte[]> consumer) {
        this.config = config;
        this.listener = listener;
        this.topics = config.topics();
        tierOfTopic.put(topics.hot(), HotKeys.HOT);
        tierOfTopic.put(topics.warm(), HotKeys.WARM);
        this.group = config.getString(HotCacheConfig.GROUP_ID);
        this.redis = RedisConnections.open(config, "coldframe-hot-cache");
        this.writer = new RedisTierWriter(redis, new DocumentCodec(config.getString(HotCacheConfig.COMPRESSION)),
                config.getInt(HotCacheConfig.AGENT_CAP));
        this.consumer = consumer;
        this.deadLetters = new KafkaProducer<>(config.deadLetterProducerProperties());
    }

    /** True while the loop runs (or has yet to start). */
    public boolean isAlive() {
        return loop.alive();
    }

    public boolean stopRequested() {
        return loop.stopRequested();
    }

    /** The client this service writes with (health checks share it). */
    public UnifiedJedis redis() {
        return redis;
    }

    @Override
    public void run() {
        loop.run(() -> {
            List<String> subscribed = new ArrayList<>(config.tierTopics());
            subscribed.add(topics.segmentsCommitted());
            consumer.subscribe(subscribed, new ConsumerRebalanceListener() {
                @Override
                public void onPartitionsRevoked(Collection<TopicPartition> partitions) {
                }

                @Override
                public void onPartitionsAssigned(Collection<TopicPartition> partitions) {
                    lastMarkerCheck = 0; // check the new partitions' markers at the next idle poll
                }
            });
            while (loop.running()) {
                ConsumerRecords<byte[], byte[]> records = consumer.poll(Duration.ofMillis(200));
                if (records.isEmpty()) {
                    checkMarkersWhenDue();
                } else {
                    writeAndCommit(records);
                }
            }
        }, () -> {
            loop.closeQuietly(consumer);
            loop.closeQuietly(deadLetters);
            loop.closeQuietly(redis);
        });
    }

    private void writeAndCommit(ConsumerRecords<byte[], byte[]> records) throws InterruptedException {
        List<TierRecord> tierRecords = new ArrayList<>();
        Map<String, Long> lastArchived = new LinkedHashMap<>();
        boolean deadLettered = false;
        for (ConsumerRecord<byte[], byte[]> record : records) {
            try {
                String tier = tierOfTopic.get(record.topic());
                if (tier != null) {
                    tierRecords.add(TierRecords.tier(tier, record));
                } else {
                    noteArchived(TierRecords.commit(record), lastArchived);
                }
            } catch (InvalidRecordException e) {
                deadLetter(record, e);
                deadLettered = true;
            }
        }
        Set<String> markers = markersOf(records.partitions());
        RedisTierWriter.Outcome outcome;
        try {
            outcome = writer.apply(tierRecords, lastArchived, markers);
        } catch (JedisException e) {
            retryLater(records, e);
            return;
        }
        if (deadLettered) {
            deadLetters.flush(); // the dead letters are durable before the offsets move past their records
        }
        Set<TopicPartition> lost = partitionsOf(outcome.missingMarkers(), records.partitions());
        Map<TopicPartition, OffsetAndMetadata> offsets = new HashMap<>();
        for (TopicPartition partition : records.partitions()) {
            if (!lost.contains(partition)) {
                offsets.put(partition, new OffsetAndMetadata(consumer.position(partition)));
            }
        }
        try {
            consumer.commitSync(offsets);
        } catch (KafkaException e) {
            if (e instanceof WakeupException) {
                throw e;
            }
            // Redis holds the batch already; the replay from the last committed offsets writes it again, harmlessly.
            LOG.warn("could not commit offsets; replaying from the committed ones: {}", e.getMessage());
            rewind(records);
            return;
        }
        attempts = 0;
        if (!lost.isEmpty()) {
            resync(lost);
        }
        listener.committed(outcome, records.count());
    }

    private static void noteArchived(SegmentCommitted commit, Map<String, Long> lastArchived) {
        long at = commit.getCommittedAt().toEpochMilli();
        for (ArchivedMemory memory : commit.getMemories()) {
            if (HotKeys.cacheable(memory.getAgent())) {
                lastArchived.merge(memory.getAgent(), at, Math::max);
            }
        }
    }

    private void deadLetter(ConsumerRecord<byte[], byte[]> record, InvalidRecordException e) {
        LOG.error("dead-lettering {}: {}", TierRecords.ref(record), e.getMessage());
        ProducerRecord<byte[], byte[]> letter = new ProducerRecord<>(topics.deadLetter(), record.key(), record.value());
        DeadLetters.describe(letter.headers(), "hot-cache", e.getMessage(), record.topic(), record.partition(), record.offset());
        deadLetters.send(letter);
        listener.deadLettered(e.field(), e.getMessage());
    }

    /** Redis did not acknowledge: wait, then poll the same records again (polling keeps this member in the group). */
    private void retryLater(ConsumerRecords<byte[], byte[]> records, JedisException e) throws InterruptedException {
        long initial = config.getLong(HotCacheConfig.RETRY_INITIAL_BACKOFF_MS);
        long backoff = Math.min(config.getLong(HotCacheConfig.RETRY_MAX_BACKOFF_MS), initial << Math.min(20, attempts));
        attempts++;
        LOG.warn("Redis did not acknowledge a batch of {} records (attempt {}); retrying in {} ms: {}", records.count(), attempts, backoff,
                e.getMessage());
        listener.redisRetrying(attempts, backoff, e.getMessage());
        rewind(records);
        Thread.sleep(backoff);
    }

    private void rewind(ConsumerRecords<byte[], byte[]> records) {
        for (TopicPartition partition : records.partitions()) {
            consumer.seek(partition, records.records(partition).get(0).offset());
        }
    }

    private void checkMarkersWhenDue() throws InterruptedException {
        long now = System.currentTimeMillis();
        if (now - lastMarkerCheck < config.getLong(HotCacheConfig.RESYNC_CHECK_MS) || consumer.assignment().isEmpty()) {
            return;
        }
        lastMarkerCheck = now;
        Set<TopicPartition> assigned = consumer.assignment();
        RedisTierWriter.Outcome outcome;
        try {
            outcome = writer.apply(List.of(), Map.of(), markersOf(assigned));
        } catch (JedisException e) {
            LOG.warn("Redis does not answer the resync check: {}", e.getMessage());
            listener.redisRetrying(++attempts, 0, e.getMessage());
            return;
        }
        attempts = 0;
        Set<TopicPartition> lost = partitionsOf(outcome.missingMarkers(), assigned);
        if (!lost.isEmpty()) {
            resync(lost);
        }
    }

    /**
     * Replays {@code partitions} from their start: first their committed offsets go back (a crash mid-replay then
     * resumes the replay), then the markers are set again. When the group refuses the commit (a rebalance) or Redis
     * does not answer, the markers stay missing, so the next batch or marker check of those partitions starts the
     * replay again: the loop goes on.
     */
    private void resync(Set<TopicPartition> partitions) {
        try {
            Map<TopicPartition, Long> beginnings = consumer.beginningOffsets(partitions);
            Map<TopicPartition, OffsetAndMetadata> offsets = new HashMap<>();
            beginnings.forEach((partition, offset) -> {
                LOG.warn("Redis lost {} (restarted without persistence, or flushed): replaying it from offset {}", partition, offset);
                listener.resyncing(partition.topic(), partition.partition());
                offsets.put(partition, new OffsetAndMetadata(offset));
                consumer.seek(partition, offset);
            });
            consumer.commitSync(offsets);
            try (var pipeline = redis.pipelined()) {
                for (TopicPartition partition : partitions) {
                    pipeline.set(HotKeys.syncMarker(group, partition.topic(), partition.partition()), "1");
                }
                pipeline.sync();
            }
        } catch (WakeupException e) {
            throw e;
        } catch (KafkaException | JedisException e) {
            LOG.warn("could not start replaying {}; trying again at its next batch or marker check: {}", partitions, e.getMessage());
            lastMarkerCheck = 0;
        }
    }

    private Set<String> markersOf(Collection<TopicPartition> partitions) {
        Set<String> markers = new LinkedHashSet<>();
        for (TopicPartition partition : partitions) {
            markers.add(HotKeys.syncMarker(group, partition.topic(), partition.partition()));
        }
        return markers;
    }

    private Set<TopicPartition> partitionsOf(Set<String> markers, Collection<TopicPartition> among) {
        Set<TopicPartition> out = new LinkedHashSet<>();
        for (TopicPartition partition : among) {
            if (markers.contains(HotKeys.syncMarker(group, partition.topic(), partition.partition()))) {
                out.add(partition);
            }
        }
        return out;
    }

    @Override
    public void close() {
        loop.stop(consumer);
    }

    /** Runs the hot-cache with its ops endpoint until the loop ends; 0 after a requested stop, 1 otherwise. */
    public static int serve(HotCacheConfig config) throws IOException {
        HotCacheOps ops = new HotCacheOps(config);
        HotCacheService service = new HotCacheService(config, ops);
        ops.start(service::isAlive, service.redis());
        return ServiceLoop.serve("hot-cache", service, ops);
    }

    public static void main(String[] args) throws IOException {
        int code = serve(HotCacheConfig.load(Map.of()));
        if (code != 0) {
            System.exit(code);
        }
    }
}
