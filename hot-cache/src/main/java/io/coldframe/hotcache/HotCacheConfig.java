package io.coldframe.hotcache;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;

import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.RangeAssignor;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.config.AbstractConfig;
import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.common.config.ConfigDef.Importance;
import org.apache.kafka.common.config.ConfigDef.Range;
import org.apache.kafka.common.config.ConfigDef.Type;
import org.apache.kafka.common.serialization.ByteArraySerializer;

import io.coldframe.common.CommonConfigKeys;
import io.coldframe.common.ConfigLoader;
import io.coldframe.common.KafkaConnection;
import io.coldframe.common.Topics;
import io.coldframe.common.TransactionalClients;

/** Configuration of the hot-cache. Every key: default, doc, env override COLDFRAME_&lt;KEY&gt;. */
public final class HotCacheConfig extends AbstractConfig {

    public static final String GROUP_ID = "hotcache.group.id";
    public static final String INCLUDE_WARM = "hotcache.include.warm";
    public static final String AGENT_CAP = "hotcache.agent.cap";
    public static final String COMPRESSION = "hotcache.compression";
    public static final String BATCH_MAX_RECORDS = "hotcache.batch.max.records";
    public static final String RESYNC_CHECK_MS = "hotcache.resync.check.ms";
    public static final String RETRY_INITIAL_BACKOFF_MS = "hotcache.retry.initial.backoff.ms";
    public static final String RETRY_MAX_BACKOFF_MS = "hotcache.retry.max.backoff.ms";
    public static final String SESSION_TIMEOUT_MS = "hotcache.session.timeout.ms";

    public static final ConfigDef DEFINITION = RedisConfigKeys.withRedis(
            CommonConfigKeys.withOps(CommonConfigKeys.withKafka(new ConfigDef())), "redis://localhost:6379")
            .define(GROUP_ID, Type.STRING, "coldframe-hot-cache", new ConfigDef.NonEmptyString(), Importance.HIGH,
                    "Consumer group of the hot-cache instances on the tier topics; also names its resync markers in Redis.")
            .define(INCLUDE_WARM, Type.BOOLEAN, false, Importance.HIGH,
                    "Also keep the warm tier in Redis. Give Redis persistence (AOF) then: the warm tier is large and a "
                            + "rebuild from the topic takes correspondingly long (docs/hot-cache.md).")
            .define(AGENT_CAP, Type.INT, 1_000, Range.atLeast(1), Importance.MEDIUM,
                    "Most memories kept per agent in Redis; beyond it the oldest (by created_at) are trimmed from Redis and "
                            + "stay in MongoDB.")
            .define(COMPRESSION, Type.STRING, DocumentCodec.ZSTD, ConfigDef.ValidString.in(DocumentCodec.ZSTD, DocumentCodec.DEFLATE,
                            DocumentCodec.NONE), Importance.LOW,
                    "How each memory's document is compressed in Redis: zstd, deflate or none. Readers decode all three.")
            .define(BATCH_MAX_RECORDS, Type.INT, 2_000, Range.atLeast(1), Importance.LOW,
                    "Most tier records per poll, written to Redis in one pipeline before their offsets are committed.")
            .define(RESYNC_CHECK_MS, Type.LONG, 1_000L, Range.atLeast(1), Importance.LOW,
                    "How often an idle hot-cache checks that Redis still holds its partitions' resync markers; a Redis that "
                            + "lost them (restart without persistence, FLUSHALL) is rebuilt from the compacted topics.")
            .define(RETRY_INITIAL_BACKOFF_MS, Type.LONG, 200L, Range.atLeast(1), Importance.LOW,
                    "First wait before retrying a pipeline Redis did not acknowledge; doubles per attempt.")
            .define(RETRY_MAX_BACKOFF_MS, Type.LONG, 10_000L, Range.atLeast(1), Importance.LOW,
                    "Longest wait between Redis retries. A batch is retried until Redis acknowledges it, never skipped.")
            .define(SESSION_TIMEOUT_MS, Type.INT, 45_000, Range.between(1, 3_600_000), Importance.LOW,
                    "How long the group waits for a silent (crashed) hot-cache before its partitions go to another.");

    public HotCacheConfig(Map<String, ?> values) {
        super(DEFINITION, values);
    }

    public static HotCacheConfig load(Map<String, ?> explicit) {
        return new HotCacheConfig(ConfigLoader.resolve(DEFINITION, explicit));
    }

    public Topics topics() {
        return new Topics(getString(CommonConfigKeys.TOPIC_PREFIX));
    }

    /** The tier topics kept in Redis: hot, and warm when configured. */
    public List<String> tierTopics() {
        List<String> topics = new ArrayList<>(List.of(topics().hot()));
        if (getBoolean(INCLUDE_WARM)) {
            topics.add(topics().warm());
        }
        return topics;
    }

    Properties consumerProperties() {
        Properties props = TransactionalClients.consumer(KafkaConnection.from(this), getString(GROUP_ID),
                getInt(SESSION_TIMEOUT_MS), Duration.ofMinutes(5));
        props.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, getInt(BATCH_MAX_RECORDS));
        // Partition N of hot and of warm go to the same instance (both are keyed by memory id with the same partition
        // count), so one instance sees both records of a memory that moves between them.
        props.put(ConsumerConfig.PARTITION_ASSIGNMENT_STRATEGY_CONFIG, RangeAssignor.class.getName());
        return props;
    }

    /** Dead letters: idempotent, acknowledged by every replica before the offsets move past them. */
    Properties deadLetterProducerProperties() {
        Properties props = KafkaConnection.from(this).properties();
        props.put(ProducerConfig.ACKS_CONFIG, "all");
        props.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
        props.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class);
        props.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class);
        return props;
    }
}
