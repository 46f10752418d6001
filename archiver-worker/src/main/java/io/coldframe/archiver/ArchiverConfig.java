package io.coldframe.archiver;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;

import org.apache.kafka.common.config.AbstractConfig;
import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.common.config.ConfigDef.Importance;
import org.apache.kafka.common.config.ConfigDef.Range;
import org.apache.kafka.common.config.ConfigDef.Type;
import org.apache.kafka.common.config.ConfigException;

import io.coldframe.archiver.redaction.RedactionPolicy;
import io.coldframe.archiver.redaction.RedactionPolicyException;
import io.coldframe.common.CommonConfigKeys;
import io.coldframe.common.ConfigLoader;
import io.coldframe.common.InstanceIds;
import io.coldframe.common.KafkaConnection;
import io.coldframe.common.RecordSizes;
import io.coldframe.common.Topics;
import io.coldframe.common.TransactionalClients;
import io.coldframe.segment.BlockCompression;
import io.coldframe.segment.SegmentOptions;
import io.coldframe.store.SegmentStoreConfig;

/** Configuration of an archiver worker. Every key: default, doc, env override COLDFRAME_&lt;KEY&gt;. */
public final class ArchiverConfig extends AbstractConfig {

    public static final String GROUP_ID = "archiver.group.id";
    public static final String INSTANCE_ID = "archiver.instance.id";
    public static final String BATCH_MAX_RECORDS = "archiver.batch.max.records";
    public static final String BATCH_MAX_BYTES = "archiver.batch.max.bytes";
    public static final String BATCH_LINGER_MS = "archiver.batch.linger.ms";
    public static final String STAGING_DIR = "archiver.staging.dir";
    public static final String SESSION_TIMEOUT_MS = "archiver.session.timeout.ms";
    public static final String REDACTION_POLICY_FILE = "archiver.redaction.policy.file";
    public static final String REDACTION_KEY = "archiver.redaction.key";
    public static final String SEGMENT_BLOCK_COMPRESSION = "archiver.segment.block.compression";

    public static final ConfigDef DEFINITION = RecordSizes.withMaxRecordBytes(
            SegmentStoreConfig.define(CommonConfigKeys.withOps(CommonConfigKeys.withKafka(new ConfigDef()))))
            .define(GROUP_ID, Type.STRING, "coldframe-archiver", new ConfigDef.NonEmptyString(), Importance.HIGH,
                    "Consumer group of all archiver workers; each worker owns some partitions of the cold topic.")
            .define(INSTANCE_ID, Type.STRING, "", Importance.MEDIUM,
                    "Unique id of this worker, used in its transactional id. Empty: the host name, else a random id.")
            .define(BATCH_MAX_RECORDS, Type.INT, 2000, Range.between(1, 1_000_000), Importance.HIGH,
                    "A partition's batch becomes a segment once it holds this many cold records.")
            .define(BATCH_MAX_BYTES, Type.LONG, 16L * 1024 * 1024, Range.atLeast(1), Importance.HIGH,
                    "... or once its documents add up to this many bytes.")
            .define(BATCH_LINGER_MS, Type.LONG, 30_000L, Range.atLeast(0), Importance.HIGH,
                    "... or once its first record waited this long, whichever comes first.")
            .define(STAGING_DIR, Type.STRING, Path.of(System.getProperty("java.io.tmpdir"), "coldframe-staging").toString(),
                    new ConfigDef.NonEmptyString(), Importance.MEDIUM,
                    "Local scratch directory where a segment is written and read back before it is stored.")
            .define(SESSION_TIMEOUT_MS, Type.INT, 45_000, Range.between(1, 3_600_000), Importance.LOW,
                    "How long the group waits for a silent (crashed) worker before its partitions go to the others. "
                            + "Shorter detects a killed worker sooner; the broker accepts 6000 to 1800000 by default.")
            .define(REDACTION_POLICY_FILE, Type.STRING, "", Importance.MEDIUM,
                    "A redaction policy (YAML or JSON; docs/privacy.md) applied to every cold memory before it is written to a "
                            + "segment: the archive then holds the redacted document, and restores return it. Empty: memories are "
                            + "archived exactly as MongoDB holds them.")
            .define(REDACTION_KEY, Type.PASSWORD, "", Importance.MEDIUM,
                    "Secret HMAC key (UTF-8, at least 16 bytes) the redaction policy hashes replaced values with; required with "
                            + REDACTION_POLICY_FILE + ". Keep it in a secret store: with it, a guessed value can be tested "
                            + "against the archive. Changing it changes the policy's fingerprint.")
            .define(SEGMENT_BLOCK_COMPRESSION, Type.STRING, SegmentOptions.DEFAULT_BLOCK_COMPRESSION.configName(),
                    ConfigDef.ValidString.in(BlockCompression.configNames()),
                    Importance.LOW, "How segment blocks are compressed: zstd-bzip2 (zstd, and bzip2 for the long text of "
                            + "each block: chat memories stored ~11% smaller than with zstd alone), zstd, or lzma2 "
                            + "(docs/segment-format.md section V2.11). Readers read all three, whatever this says.");

    private final String instanceId;

    private final Optional<RedactionPolicy> redactionPolicy;

    public ArchiverConfig(Map<String, ?> values) {
        super(DEFINITION, values);
        this.instanceId = InstanceIds.resolve(getString(INSTANCE_ID));
        this.redactionPolicy = loadRedactionPolicy();
    }

    public static ArchiverConfig load(Map<String, ?> explicit) {
        return new ArchiverConfig(ConfigLoader.resolve(DEFINITION, explicit));
    }

    public Topics topics() {
        return new Topics(getString(CommonConfigKeys.TOPIC_PREFIX));
    }

    public Path stagingDir() {
        return Path.of(getString(STAGING_DIR));
    }

    BatchLimits batchLimits() {
        return new BatchLimits(getInt(BATCH_MAX_RECORDS), getLong(BATCH_MAX_BYTES), Duration.ofMillis(getLong(BATCH_LINGER_MS)));
    }

    /** Writer settings of the segments: the library's defaults but for the configured block compression. */
    SegmentOptions segmentOptions() {
        return SegmentOptions.builder().blockCompression(BlockCompression.named(getString(SEGMENT_BLOCK_COMPRESSION))).build();
    }

    String instanceId() {
        return instanceId;
    }

    /** The redaction policy to apply before archiving, read and checked when the configuration is loaded. */
    Optional<RedactionPolicy> redactionPolicy() {
        return redactionPolicy;
    }

    private Optional<RedactionPolicy> loadRedactionPolicy() {
        String file = getString(REDACTION_POLICY_FILE);
        String key = getPassword(REDACTION_KEY).value();
        if (file.isBlank()) {
            if (!key.isEmpty()) {
                throw new ConfigException(REDACTION_KEY + " is set but " + REDACTION_POLICY_FILE + " is not: set both to redact, "
                        + "or neither to archive memories as MongoDB holds them");
            }
            return Optional.empty();
        }
        if (key.isEmpty()) {
            throw new ConfigException(REDACTION_POLICY_FILE + " is set but " + REDACTION_KEY + " is not (env "
                    + ConfigLoader.envName(REDACTION_KEY) + "): the policy needs its secret key");
        }
        try {
            return Optional.of(RedactionPolicy.fromFile(Path.of(file), key.getBytes(StandardCharsets.UTF_8)));
        } catch (IOException e) {
            throw new ConfigException(REDACTION_POLICY_FILE, file, "cannot read the redaction policy: " + e);
        } catch (RedactionPolicyException e) {
            throw new ConfigException(REDACTION_POLICY_FILE, file, e.getMessage());
        }
    }


    Properties consumerProperties() {
        // The cold topic is written by the exactly-once streams app; a batch may take minutes to archive.
        return TransactionalClients.consumer(KafkaConnection.from(this), getString(GROUP_ID),
                getInt(SESSION_TIMEOUT_MS), Duration.ofMinutes(10));
    }

    Properties producerProperties() {
        Properties props = TransactionalClients.producer(KafkaConnection.from(this), getString(GROUP_ID) + "-" + instanceId());
        // A cold record the worker cannot read goes to the dead-letter topic whole, document included.
        props.putAll(RecordSizes.producerSettings(getInt(RecordSizes.MAX_RECORD_BYTES)));
        return props;
    }
}
