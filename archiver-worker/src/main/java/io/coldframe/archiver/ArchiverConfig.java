package io.coldframe.archiver;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Properties;

import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.config.AbstractConfig;
import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.common.config.ConfigDef.Importance;
import org.apache.kafka.common.config.ConfigDef.Range;
import org.apache.kafka.common.config.ConfigDef.Type;

import io.coldframe.common.CommonConfigKeys;
import io.coldframe.common.ConfigLoader;
import io.coldframe.common.InstanceIds;
import io.coldframe.common.TransactionalClients;
import io.coldframe.common.Topics;

/** Configuration of an archiver worker. Every key: default, doc, env override COLDFRAME_&lt;KEY&gt;. */
public final class ArchiverConfig extends AbstractConfig {

    public static final String GROUP_ID = "archiver.group.id";
    public static final String INSTANCE_ID = "archiver.instance.id";
    public static final String BATCH_MAX_RECORDS = "archiver.batch.max.records";
    public static final String BATCH_MAX_BYTES = "archiver.batch.max.bytes";
    public static final String BATCH_LINGER_MS = "archiver.batch.linger.ms";
    public static final String STORE_TYPE = "archiver.store.type";
    public static final String STORE_DIR = "archiver.store.dir";
    public static final String S3_BUCKET = "archiver.s3.bucket";
    public static final String S3_PREFIX = "archiver.s3.prefix";
    public static final String S3_ENDPOINT = "archiver.s3.endpoint";
    public static final String S3_REGION = "archiver.s3.region";
    public static final String S3_ACCESS_KEY = "archiver.s3.access.key";
    public static final String S3_SECRET_KEY = "archiver.s3.secret.key";
    public static final String S3_CACHE_DIR = "archiver.s3.cache.dir";
    public static final String STAGING_DIR = "archiver.staging.dir";
    public static final String SESSION_TIMEOUT_MS = "archiver.session.timeout.ms";

    public static final ConfigDef DEFINITION = CommonConfigKeys.withOps(CommonConfigKeys.withKafka(new ConfigDef()))
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
            .define(STORE_TYPE, Type.STRING, SegmentStores.LOCAL, ConfigDef.ValidString.in(SegmentStores.LOCAL, SegmentStores.S3),
                    Importance.HIGH, "Where verified segments are stored: 'local' (a directory, " + STORE_DIR + ") or 's3' "
                            + "(an S3-compatible bucket, " + S3_BUCKET + ").")
            .define(STORE_DIR, Type.STRING, "coldframe-archive", new ConfigDef.NonEmptyString(), Importance.HIGH,
                    "Directory where verified segments are stored (video and manifest side by side).")
            .define(S3_BUCKET, Type.STRING, "", Importance.HIGH,
                    "Bucket of the s3 store; required when " + STORE_TYPE + "=s3.")
            .define(S3_PREFIX, Type.STRING, "segments", Importance.MEDIUM,
                    "Key prefix of the s3 store: a segment is <prefix>/<segment id>.mkv beside <prefix>/<segment id>.manifest.json. "
                            + "Empty: the bucket's top level.")
            .define(S3_ENDPOINT, Type.STRING, "", Importance.MEDIUM,
                    "Endpoint URL of an S3-compatible service (MinIO, Ceph, ...), e.g. http://minio:9000; addressed path-style. "
                            + "Empty: AWS S3 of " + S3_REGION + ".")
            .define(S3_REGION, Type.STRING, "us-east-1", new ConfigDef.NonEmptyString(), Importance.MEDIUM,
                    "Region of the bucket (signing region for S3-compatible services).")
            .define(S3_ACCESS_KEY, Type.PASSWORD, "", Importance.MEDIUM,
                    "Access key id of the s3 store, with " + S3_SECRET_KEY + ". Empty: the AWS default credentials chain "
                            + "(AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY, profile, web identity, container or instance role). "
                            + "Treated as a secret: never logged.")
            .define(S3_SECRET_KEY, Type.PASSWORD, "", Importance.MEDIUM,
                    "Secret access key of the s3 store, with " + S3_ACCESS_KEY + ". Treated as a secret: never logged.")
            .define(S3_CACHE_DIR, Type.STRING, Path.of(System.getProperty("java.io.tmpdir"), "coldframe-s3-cache").toString(),
                    new ConfigDef.NonEmptyString(), Importance.LOW,
                    "Local directory where segments read from the s3 store are downloaded (video and manifest side by side); "
                            + "a cached video is re-used while its SHA-256 matches its manifest.")
            .define(STAGING_DIR, Type.STRING, Path.of(System.getProperty("java.io.tmpdir"), "coldframe-staging").toString(),
                    new ConfigDef.NonEmptyString(), Importance.MEDIUM,
                    "Local scratch directory where a segment is written and read back before it is stored.")
            .define(SESSION_TIMEOUT_MS, Type.INT, 45_000, Range.between(1, 3_600_000), Importance.LOW,
                    "How long the group waits for a silent (crashed) worker before its partitions go to the others. "
                            + "Shorter detects a killed worker sooner; the broker accepts 6000 to 1800000 by default.");

    private final String instanceId;

    public ArchiverConfig(Map<String, ?> values) {
        super(DEFINITION, values);
        this.instanceId = InstanceIds.resolve(getString(INSTANCE_ID));
    }

    public static ArchiverConfig load(Map<String, ?> explicit) {
        return new ArchiverConfig(ConfigLoader.resolve(DEFINITION, explicit));
    }

    public Topics topics() {
        return new Topics(getString(CommonConfigKeys.TOPIC_PREFIX));
    }

    public Path storeDir() {
        return Path.of(getString(STORE_DIR));
    }

    public Path stagingDir() {
        return Path.of(getString(STAGING_DIR));
    }

    BatchLimits batchLimits() {
        return new BatchLimits(getInt(BATCH_MAX_RECORDS), getLong(BATCH_MAX_BYTES), Duration.ofMillis(getLong(BATCH_LINGER_MS)));
    }

    String instanceId() {
        return instanceId;
    }


    Properties consumerProperties() {
        // The cold topic is written by the exactly-once streams app; a batch may take minutes to archive.
        return TransactionalClients.consumer(getString(CommonConfigKeys.BOOTSTRAP_SERVERS), getString(GROUP_ID),
                getInt(SESSION_TIMEOUT_MS), Duration.ofMinutes(10));
    }

    Properties producerProperties() {
        Properties props = TransactionalClients.producer(getString(CommonConfigKeys.BOOTSTRAP_SERVERS), getString(GROUP_ID) + "-" + instanceId());
        props.put(ProducerConfig.MAX_REQUEST_SIZE_CONFIG, 8 * 1024 * 1024);
        return props;
    }
}
