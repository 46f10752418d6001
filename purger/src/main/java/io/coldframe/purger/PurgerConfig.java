package io.coldframe.purger;

import java.time.Duration;
import java.util.Map;
import java.util.Properties;

import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.common.config.AbstractConfig;
import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.common.config.ConfigDef.Importance;
import org.apache.kafka.common.config.ConfigDef.Range;
import org.apache.kafka.common.config.ConfigDef.Type;

import io.coldframe.common.CommonConfigKeys;
import io.coldframe.common.ConfigLoader;
import io.coldframe.common.InstanceIds;
import io.coldframe.common.KafkaConnection;
import io.coldframe.common.TransactionalClients;
import io.coldframe.common.Topics;
import io.coldframe.store.SegmentStoreConfig;

/** Configuration of the purger. Every key: default, doc, env override COLDFRAME_&lt;KEY&gt;. */
public final class PurgerConfig extends AbstractConfig {

    public static final String GROUP_ID = "purger.group.id";
    public static final String INSTANCE_ID = "purger.instance.id";
    public static final String RETRY_INITIAL_BACKOFF_MS = "purger.retry.initial.backoff.ms";
    public static final String RETRY_MAX_BACKOFF_MS = "purger.retry.max.backoff.ms";
    public static final String SESSION_TIMEOUT_MS = "purger.session.timeout.ms";

    // The store keys (archiver.store.*, archiver.s3.*) name the same store the archivers write: the purger confirms
    // every committed segment there before it deletes anything.
    // The index keys (mongodb.timestamp.field, mongodb.ttl.*) give the plan the readiness check compares with MongoDB.
    public static final ConfigDef DEFINITION = MemoryIndexes.define(SegmentStoreConfig.define(CommonConfigKeys.withOps(
            CommonConfigKeys.withMongo(CommonConfigKeys.withKafka(new ConfigDef())))))
            .define(GROUP_ID, Type.STRING, "coldframe-purger", new ConfigDef.NonEmptyString(), Importance.HIGH,
                    "Consumer group of the purgers on the segments-committed topic.")
            .define(INSTANCE_ID, Type.STRING, "", Importance.MEDIUM,
                    "Unique id of this purger instance, used in its transactional id. Empty: the host name, else a random id.")
            .define(RETRY_INITIAL_BACKOFF_MS, Type.LONG, 500L, Range.atLeast(1), Importance.MEDIUM,
                    "First wait before retrying a delete MongoDB did not acknowledge; doubles per attempt.")
            .define(RETRY_MAX_BACKOFF_MS, Type.LONG, 30_000L, Range.atLeast(1), Importance.MEDIUM,
                    "Longest wait between delete retries. A commit is retried until it succeeds, never skipped.")
            .define(SESSION_TIMEOUT_MS, Type.INT, 45_000, Range.between(1, 3_600_000), Importance.LOW,
                    "How long the group waits for a silent (crashed) purger before its partitions go to another. "
                            + "Shorter detects a killed purger sooner; the broker accepts 6000 to 1800000 by default.");

    private final String instanceId;
    private final MemoryIndexes indexes;

    public PurgerConfig(Map<String, ?> values) {
        super(DEFINITION, values);
        this.instanceId = InstanceIds.resolve(getString(INSTANCE_ID));
        this.indexes = MemoryIndexes.of(this);
    }

    public static PurgerConfig load(Map<String, ?> explicit) {
        return new PurgerConfig(ConfigLoader.resolve(DEFINITION, explicit));
    }

    public Topics topics() {
        return new Topics(getString(CommonConfigKeys.TOPIC_PREFIX));
    }

    /** The memory collection's index plan (built at start, so a TTL on the timestamp field fails there). */
    public MemoryIndexes indexes() {
        return indexes;
    }

    public String mongoUri() {
        return getPassword(CommonConfigKeys.MONGODB_URI).value();
    }

    String instanceId() {
        return instanceId;
    }


    Properties consumerProperties() {
        // Only commit events of committed archiver transactions: the segment is verified and stored. A commit is
        // retried until MongoDB acknowledges it, so the purger stays in the group for a long time per poll.
        Properties props = TransactionalClients.consumer(KafkaConnection.from(this), getString(GROUP_ID),
                getInt(SESSION_TIMEOUT_MS), Duration.ofMinutes(15));
        props.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, 20);
        return props;
    }

    Properties producerProperties() {
        return TransactionalClients.producer(KafkaConnection.from(this), getString(GROUP_ID) + "-" + instanceId());
    }
}
