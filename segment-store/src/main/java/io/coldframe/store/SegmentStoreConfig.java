package io.coldframe.store;

import java.nio.file.Path;
import java.util.Map;

import org.apache.kafka.common.config.AbstractConfig;
import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.common.config.ConfigDef.Importance;
import org.apache.kafka.common.config.ConfigDef.Type;

import io.coldframe.common.ConfigLoader;

/**
 * The keys that name a segment store, shared by every service that writes or reads segments. A service adds them to
 * its own {@link ConfigDef} with {@link #define}, so they are validated and overridden from the environment like
 * its other keys. The names keep their historical {@code archiver.} prefix: deployments set them under that name.
 */
public final class SegmentStoreConfig {

    public static final String STORE_TYPE = "archiver.store.type";
    public static final String STORE_DIR = "archiver.store.dir";
    public static final String S3_BUCKET = "archiver.s3.bucket";
    public static final String S3_PREFIX = "archiver.s3.prefix";
    public static final String S3_ENDPOINT = "archiver.s3.endpoint";
    public static final String S3_REGION = "archiver.s3.region";
    public static final String S3_ACCESS_KEY = "archiver.s3.access.key";
    public static final String S3_SECRET_KEY = "archiver.s3.secret.key";
    public static final String S3_CACHE_DIR = "archiver.s3.cache.dir";

    private SegmentStoreConfig() {
    }

    /** The store keys alone, layered like every service's (defaults, environment, {@code explicit}) and validated. */
    public static AbstractConfig load(Map<String, ?> explicit) {
        ConfigDef definition = define(new ConfigDef());
        return new AbstractConfig(definition, ConfigLoader.resolve(definition, explicit));
    }

    /** The directory of a local store. */
    public static Path storeDir(AbstractConfig config) {
        return Path.of(config.getString(STORE_DIR));
    }

    /** Adds the store keys to {@code definition} and returns it. */
    public static ConfigDef define(ConfigDef definition) {
        return definition
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
                                + "a cached video is re-used while its SHA-256 matches its manifest.");
    }
}
