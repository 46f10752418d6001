package io.coldframe.cli;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

import org.apache.kafka.common.config.ConfigException;

import io.coldframe.archiver.ArchiverConfig;
import io.coldframe.common.CommonConfigKeys;
import io.coldframe.store.SegmentStoreConfig;
import io.coldframe.store.SegmentStores;

import picocli.CommandLine.Option;

/**
 * The segment store and Kafka options of the commands that read the archive ({@code gc}, {@code scrub}), as a picocli
 * mixin: the same names and the same layering as the services (these options, else {@code COLDFRAME_<KEY>} environment
 * variables, else defaults).
 */
public final class StoreOptions {

    @Option(names = "--archive-dir", paramLabel = "DIR", description = "The local segment store (archiver.store.dir); implies --store-type local.")
    Path archiveDir;

    @Option(names = "--store-type", paramLabel = "TYPE", description = "local or s3 (archiver.store.type).")
    String storeType;

    @Option(names = "--s3-bucket", paramLabel = "BUCKET", description = "Bucket of the s3 store (archiver.s3.bucket); implies --store-type s3.")
    String s3Bucket;

    @Option(names = "--s3-prefix", paramLabel = "PREFIX", description = "Key prefix of the s3 store (archiver.s3.prefix).")
    String s3Prefix;

    @Option(names = "--s3-endpoint", paramLabel = "URL", description = "S3-compatible endpoint, e.g. http://minio:9000 (archiver.s3.endpoint).")
    String s3Endpoint;

    @Option(names = "--s3-region", paramLabel = "REGION", description = "Region of the bucket (archiver.s3.region).")
    String s3Region;

    @Option(names = "--s3-cache-dir", paramLabel = "DIR", description = "Where segments are downloaded (archiver.s3.cache.dir).")
    Path s3CacheDir;

    @Option(names = "--bootstrap-servers", paramLabel = "HOSTS", description = "Kafka, for the catalog (kafka.bootstrap.servers).")
    String bootstrapServers;

    @Option(names = "--topic-prefix", paramLabel = "PREFIX", description = "Prefix of the coldframe topics (topic.prefix).")
    String topicPrefix;

    @Option(names = "--kafka-timeout", paramLabel = "DURATION", defaultValue = "10s", converter = DurationArgument.class,
            description = "How long to wait for Kafka. Default: ${DEFAULT-VALUE}.")
    public Duration kafkaTimeout;

    @Option(names = {"-c", "--config"}, paramLabel = "KEY=VALUE",
            description = "Any archiver configuration key (repeatable; restore also takes the mongodb.* keys), "
                    + "e.g. -c archiver.s3.endpoint=http://minio:9000.")
    Map<String, String> config = new LinkedHashMap<>();

    /** The store and Kafka configuration these options, the environment and the defaults give; usage errors as such. */
    public ArchiverConfig archiverConfig() {
        return archiverConfig(Set.of());
    }

    /**
     * As {@link #archiverConfig()}, for a command that also takes {@code otherKeys} with {@code -c} (they are left to it,
     * see {@link #config()}).
     */
    public ArchiverConfig archiverConfig(Set<String> otherKeys) {
        if (archiveDir != null && s3Bucket != null) {
            throw new ToolCommand.Failure(ToolCommand.USAGE, "--archive-dir and --s3-bucket name two different stores: give one");
        }
        Map<String, Object> explicit = new HashMap<>();
        config.forEach((key, value) -> {
            if (ArchiverConfig.DEFINITION.names().contains(key) || key.startsWith(CommonConfigKeys.KAFKA_CLIENT_PREFIX)) {
                explicit.put(key, value);
            } else if (!otherKeys.contains(key)) {
                throw new ToolCommand.Failure(ToolCommand.USAGE, "unknown configuration key " + key);
            }
        });
        putIfSet(explicit, CommonConfigKeys.BOOTSTRAP_SERVERS, bootstrapServers);
        putIfSet(explicit, CommonConfigKeys.TOPIC_PREFIX, topicPrefix);
        if (archiveDir != null) {
            explicit.put(SegmentStoreConfig.STORE_TYPE, SegmentStores.LOCAL);
            explicit.put(SegmentStoreConfig.STORE_DIR, archiveDir.toString());
        }
        if (s3Bucket != null) {
            explicit.put(SegmentStoreConfig.STORE_TYPE, SegmentStores.S3);
            explicit.put(SegmentStoreConfig.S3_BUCKET, s3Bucket);
        }
        putIfSet(explicit, SegmentStoreConfig.STORE_TYPE, storeType);
        putIfSet(explicit, SegmentStoreConfig.S3_PREFIX, s3Prefix);
        putIfSet(explicit, SegmentStoreConfig.S3_ENDPOINT, s3Endpoint);
        putIfSet(explicit, SegmentStoreConfig.S3_REGION, s3Region);
        putIfSet(explicit, SegmentStoreConfig.S3_CACHE_DIR, s3CacheDir == null ? null : s3CacheDir.toString());
        ArchiverConfig archiver;
        try {
            archiver = ArchiverConfig.load(explicit);
        } catch (ConfigException e) {
            throw new ToolCommand.Failure(ToolCommand.USAGE, e.getMessage());
        }
        if (SegmentStores.LOCAL.equals(archiver.getString(SegmentStoreConfig.STORE_TYPE)) && !Files.isDirectory(SegmentStoreConfig.storeDir(archiver))) {
            throw new ToolCommand.Failure(ToolCommand.USAGE, "no archive directory " + SegmentStoreConfig.storeDir(archiver).toAbsolutePath()
                    + " (give --archive-dir, or COLDFRAME_ARCHIVER_STORE_DIR, or an s3 store)");
        }
        return archiver;
    }

    /** Every {@code -c KEY=VALUE} given. */
    public Map<String, String> config() {
        return Map.copyOf(config);
    }

    /** Puts {@code value} under {@code key} unless it is null (an option not given). */
    public static void putIfSet(Map<String, Object> values, String key, String value) {
        if (value != null) {
            values.put(key, value);
        }
    }
}
