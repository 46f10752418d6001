package io.coldframe.streams;

import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.Map;
import java.util.Properties;

import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.config.AbstractConfig;
import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.common.config.ConfigDef.Importance;
import org.apache.kafka.common.config.ConfigDef.Range;
import org.apache.kafka.common.config.ConfigDef.Type;
import org.apache.kafka.common.config.ConfigException;
import org.apache.kafka.common.config.TopicConfig;
import org.apache.kafka.streams.StreamsConfig;

import io.coldframe.common.CommonConfigKeys;
import io.coldframe.common.ConfigLoader;
import io.coldframe.common.KafkaConnection;
import io.coldframe.common.RecordSizes;
import io.coldframe.common.Topics;
import io.coldframe.streams.rules.RuleSet;
import io.coldframe.streams.rules.RulesException;
import io.coldframe.streams.rules.RulesLoader;

/**
 * Configuration of the tiering streams app. Every key: default, doc, env override COLDFRAME_&lt;KEY&gt;. The tiering
 * rules are loaded and validated when the config is built, so a bad rules file fails the start with an error that
 * names the key, the rule and the field.
 */
public final class StreamsAppConfig extends AbstractConfig {

    public static final String APPLICATION_ID = "streams.application.id";
    public static final String STATE_DIR = "streams.state.dir";
    public static final String NUM_THREADS = "streams.num.threads";
    public static final String THREAD_REPLACEMENTS_MAX = "streams.thread.replacements.max";
    public static final String THREAD_REPLACEMENTS_WINDOW_MS = "streams.thread.replacements.window.ms";
    public static final String SESSION_TIMEOUT_MS = "streams.session.timeout.ms";
    public static final String COMMIT_INTERVAL_MS = "streams.commit.interval.ms";
    public static final String RULES_FILE = "tiering.rules.file";
    public static final String RULES_OVERRIDES = "tiering.rules.overrides";
    public static final String PUNCTUATION_INTERVAL_MS = "tiering.punctuation.interval.ms";
    public static final String PUNCTUATION_MAX_MEMORIES = "tiering.punctuation.max.memories";
    public static final String CENSUS_MAX_MEMORIES = "tiering.census.max.memories";
    public static final String CHANGE_MAX_BYTES = "tiering.change.max.bytes";
    public static final int DEFAULT_CHANGE_MAX_BYTES = 32 << 20;
    public static final String STATS_ENABLED = "stats.enabled";
    public static final String STATS_APPLICATION_ID = "stats.application.id";
    public static final String STATS_RETENTION_DAYS = "stats.retention.days";
    /**
     * A tier record and the memory store's changelog entry carry the change event's document plus at most a few hundred
     * bytes of fields: what {@link #CHANGE_MAX_BYTES} must leave below {@link RecordSizes#MAX_RECORD_BYTES}.
     */
    static final int TIER_RECORD_HEADROOM_BYTES = 1 << 20;

    public static final ConfigDef DEFINITION = RecordSizes.withMaxRecordBytes(CommonConfigKeys.withOps(CommonConfigKeys.withKafka(new ConfigDef())))
            .define(APPLICATION_ID, Type.STRING, "coldframe-tiering", new ConfigDef.NonEmptyString(), Importance.HIGH,
                    "Kafka Streams application id: consumer group, transactional id and internal topic prefix.")
            .define(STATE_DIR, Type.STRING, Path.of(System.getProperty("java.io.tmpdir"), "coldframe-streams").toString(),
                    Importance.HIGH, "Directory of the RocksDB state stores; persistent in production so restarts need no restore.")
            .define(NUM_THREADS, Type.INT, 1, Range.atLeast(1), Importance.MEDIUM, "Stream threads in this instance.")
            .define(THREAD_REPLACEMENTS_MAX, Type.INT, 3, Range.atLeast(0), Importance.LOW,
                    "A failed stream thread is replaced at most this many times within " + THREAD_REPLACEMENTS_WINDOW_MS
                            + "; one more failure stops Kafka Streams, /health/live answers 503 and the process exits 1 "
                            + "(a permanent error would otherwise be retried for ever behind a live process).")
            .define(THREAD_REPLACEMENTS_WINDOW_MS, Type.LONG, 600_000L, Range.atLeast(1), Importance.LOW,
                    "The window of " + THREAD_REPLACEMENTS_MAX + ", in milliseconds.")
            .define(SESSION_TIMEOUT_MS, Type.INT, 45_000, Range.atLeast(1_000), Importance.LOW,
                    "Consumer session timeout: a killed instance's tasks move (or its restart is let in) after this long.")
            .define(COMMIT_INTERVAL_MS, Type.LONG, 1_000L, Range.atLeast(1), Importance.LOW,
                    "How often tiering commits its transaction: tier records become visible to the archivers and analytics "
                            + "(read_committed) about this long after their change. Kafka Streams' exactly-once default of 100 ms "
                            + "cost the broker 20-40% more CPU in bench pipeline (bench/README.md).")
            .define(RULES_FILE, Type.STRING, "", Importance.HIGH,
                    "Path of the tiering rules file (YAML, format in docs/tiering.md). Empty: the built-in defaults "
                            + "(hot up to 7 days, warm up to 30, cold after; CRITICAL never cold; LOW cold after 7 days; "
                            + "idle and large-document rules). Validated at start.")
            .define(RULES_OVERRIDES, Type.STRING, "", Importance.MEDIUM,
                    "Changes to the rules, applied on top of the file: ';'-separated path=value, each value YAML, e.g. "
                            + "'age-hot.age.at_most=3d; age-warm.age.at_most=14d; low-cold-after-7d.tier=WARM; "
                            + "timestamp_field=updated_at'. A value of ~ removes a condition.")
            .define(PUNCTUATION_INTERVAL_MS, Type.LONG, 10_000L, Range.atLeast(10), Importance.MEDIUM,
                    "How often, in wall-clock milliseconds, memories that are due are re-tiered without a new event.")
            .define(PUNCTUATION_MAX_MEMORIES, Type.INT, 10_000, Range.atLeast(1), Importance.MEDIUM,
                    "At most this many due memories are re-tiered per punctuation; the rest wait for the next one. After a "
                            + "rules change, stored memories are re-evaluated within the same budget.")
            .define(CENSUS_MAX_MEMORIES, Type.INT, TieringTopology.DEFAULT_CENSUS_PER_PUNCTUATION, Range.atLeast(1), Importance.LOW,
                    "After a start, memories per tier are counted (for the metrics) by one pass over the store, at most "
                            + "this many per punctuation.")
            .define(CHANGE_MAX_BYTES, Type.INT, DEFAULT_CHANGE_MAX_BYTES, Range.atLeast(1024), Importance.MEDIUM,
                    "Largest change event that is tiered, in bytes as published (BSON or Extended JSON), and largest "
                            + "document in canonical Extended JSON, which its tier record carries. A larger one goes to the "
                            + "dead-letter topic with its key (the document's _id) and size, and its document stays in MongoDB, unarchived. "
                            + "At most kafka.max.record.bytes minus 1 MiB, so its tier record and changelog entry always fit.")
            .define(STATS_ENABLED, Type.BOOLEAN, true, Importance.MEDIUM,
                    "Run the tier analytics (StatsTopology) beside tiering: daily counters per tier, agent, type and importance, "
                            + "and archived, purged and restored, to <prefix>.stats.daily (docs/console.md).")
            .define(STATS_APPLICATION_ID, Type.STRING, "", Importance.MEDIUM,
                    "Kafka Streams application id of the tier analytics: its own consumer group, transactional ids and internal "
                            + "topics, so analytics never hold up tiering. Empty: " + APPLICATION_ID + " followed by '-stats' "
                            + "(coldframe-tiering-stats), which the tiering app's prefixed ACLs cover too.")
            .define(STATS_RETENTION_DAYS, Type.INT, 400, Range.between(1, 36_600), Importance.MEDIUM,
                    "Days of daily counters kept in the analytics' window store; a record of an older day is not counted. "
                            + "Bounds the state to this many days of cells. Keep the stats topic's retention.ms alike.");

    private final RuleSet rules;

    public StreamsAppConfig(Map<String, ?> values) {
        super(DEFINITION, values);
        this.rules = loadRules();
        int recordLimit = getInt(RecordSizes.MAX_RECORD_BYTES);
        if (maxChangeBytes() > recordLimit - TIER_RECORD_HEADROOM_BYTES) {
            throw new ConfigException(CHANGE_MAX_BYTES, maxChangeBytes(), "must be at most " + RecordSizes.MAX_RECORD_BYTES + " ("
                    + recordLimit + ") minus " + TIER_RECORD_HEADROOM_BYTES + ": a tier record carries the whole document");
        }
    }

    public static StreamsAppConfig load(Map<String, ?> explicit) {
        return new StreamsAppConfig(ConfigLoader.resolve(DEFINITION, explicit));
    }

    private RuleSet loadRules() {
        String file = getString(RULES_FILE).trim();
        String overrides = getString(RULES_OVERRIDES);
        try {
            return file.isEmpty() ? RulesLoader.defaults(overrides) : RulesLoader.fromFile(Path.of(file), overrides);
        } catch (RulesException e) {
            throw new ConfigException(e.fromOverride() ? RULES_OVERRIDES : RULES_FILE, e.fromOverride() ? overrides : file, e.getMessage());
        }
    }

    public Topics topics() {
        return new Topics(getString(CommonConfigKeys.TOPIC_PREFIX));
    }

    /** The validated tiering rules: the configured file (or the defaults) with the overrides applied. */
    public RuleSet rules() {
        return rules;
    }

    public TierPolicy policy() {
        return new RuleBasedPolicy(rules);
    }

    public Duration punctuationInterval() {
        return Duration.ofMillis(getLong(PUNCTUATION_INTERVAL_MS));
    }

    public int maxDuePerPunctuation() {
        return getInt(PUNCTUATION_MAX_MEMORIES);
    }

    public int censusPerPunctuation() {
        return getInt(CENSUS_MAX_MEMORIES);
    }

    /** Change events larger than this are dead-lettered instead of tiered. */
    public int maxChangeBytes() {
        return getInt(CHANGE_MAX_BYTES);
    }

    /** The handler of failed stream threads: replacements within the configured budget, then the client's end. */
    StreamThreadFailures threadFailures() {
        return new StreamThreadFailures(getInt(THREAD_REPLACEMENTS_MAX), Duration.ofMillis(getLong(THREAD_REPLACEMENTS_WINDOW_MS)),
                Clock.systemUTC());
    }

    public boolean statsEnabled() {
        return getBoolean(STATS_ENABLED);
    }

    public Duration statsRetention() {
        return Duration.ofDays(getInt(STATS_RETENTION_DAYS));
    }

    public String statsApplicationId() {
        String id = getString(STATS_APPLICATION_ID).trim();
        return id.isEmpty() ? getString(APPLICATION_ID) + "-stats" : id;
    }

    /** The tier analytics' Kafka Streams settings: tiering's, under the analytics' own application id. */
    public Properties statsProperties() {
        Properties props = streamsProperties();
        props.put(StreamsConfig.APPLICATION_ID_CONFIG, statsApplicationId());
        return props;
    }

    public int metricsPort() {
        return getInt(CommonConfigKeys.OPS_PORT);
    }

    public Properties streamsProperties() {
        // Unprefixed, the connection's settings reach every client Streams creates (consumers, producers, admin).
        Properties props = KafkaConnection.from(this).properties();
        props.put(StreamsConfig.APPLICATION_ID_CONFIG, getString(APPLICATION_ID));
        props.put(StreamsConfig.STATE_DIR_CONFIG, getString(STATE_DIR));
        props.put(StreamsConfig.NUM_STREAM_THREADS_CONFIG, getInt(NUM_THREADS));
        props.put(StreamsConfig.PROCESSING_GUARANTEE_CONFIG, StreamsConfig.EXACTLY_ONCE_V2);
        props.put(StreamsConfig.COMMIT_INTERVAL_MS_CONFIG, getLong(COMMIT_INTERVAL_MS));
        props.put(StreamsConfig.consumerPrefix(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG), "earliest");
        props.put(StreamsConfig.consumerPrefix(ConsumerConfig.SESSION_TIMEOUT_MS_CONFIG), getInt(SESSION_TIMEOUT_MS));
        // The tier topics and the memory store's changelog carry whole documents (hot and warm as Extended JSON text):
        // zstd stores them in a third to a half of the bytes (the connector's producer compresses the change topic too).
        props.put(StreamsConfig.producerPrefix(ProducerConfig.COMPRESSION_TYPE_CONFIG), "zstd");
        // Tier records, changelog entries and dead letters carry whole documents: size the producer and the internal
        // topics it creates (changelogs) for them, as the coldframe topics are.
        int recordLimit = getInt(RecordSizes.MAX_RECORD_BYTES);
        RecordSizes.producerSettings(recordLimit).forEach((key, value) -> props.put(StreamsConfig.producerPrefix(key), value));
        props.put(StreamsConfig.topicPrefix(TopicConfig.MAX_MESSAGE_BYTES_CONFIG), Integer.toString(recordLimit));
        return props;
    }
}
