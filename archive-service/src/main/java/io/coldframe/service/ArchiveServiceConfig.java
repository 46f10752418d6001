package io.coldframe.service;

import java.nio.file.Path;
import java.util.Map;

import org.apache.kafka.common.config.AbstractConfig;
import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.common.config.ConfigDef.Importance;
import org.apache.kafka.common.config.ConfigDef.Type;

import io.coldframe.common.CommonConfigKeys;
import io.coldframe.common.ConfigLoader;
import io.coldframe.common.Topics;
import io.coldframe.hotcache.RedisConfigKeys;
import io.coldframe.store.SegmentStoreConfig;

/**
 * Every key of the archive service: name, default, doc; each can be set from the environment as
 * {@code COLDFRAME_<KEY>} ({@link ConfigLoader}) and is validated at start. The shared Kafka, MongoDB, ops and
 * segment-store keys are the same as the other services'.
 */
public final class ArchiveServiceConfig extends AbstractConfig {

    public static final String APPLICATION_ID = "service.application.id";
    public static final String STATE_DIR = "service.state.dir";
    public static final String HTTP_HOST = "service.http.host";
    public static final String HTTP_PORT = "service.http.port";
    public static final String ADVERTISED_HOST = "service.advertised.host";
    public static final String WRITE_TOKEN = "service.write.token";
    public static final String CACHE_DIR = "service.cache.dir";
    public static final String CACHE_BLOCK_BYTES = "service.cache.block.bytes";
    public static final String CACHE_SEGMENTS = "service.cache.segments";
    public static final String CACHE_READERS = "service.cache.readers";
    public static final String DECODE_THREADS = "service.decode.threads";
    public static final String STREAM_THREADS = "service.stream.threads";
    public static final String STANDBY_REPLICAS = "service.standby.replicas";
    public static final String STATS_GZIP_RATIO = "service.stats.gzip.ratio";
    /** gzip -9 bytes of the demo corpus against its BSON bytes (bench/results/segment.json: 6,392,825 / 10,935,451). */
    static final double DEFAULT_GZIP_RATIO = 0.585;

    public static final ConfigDef DEFINITION = definition();

    public ArchiveServiceConfig(Map<String, ?> values) {
        super(DEFINITION, values);
    }

    /** Defaults, then the environment, then {@code explicit}; validated. */
    public static ArchiveServiceConfig load(Map<String, ?> explicit) {
        return new ArchiveServiceConfig(ConfigLoader.resolve(DEFINITION, explicit));
    }

    private static ConfigDef definition() {
        ConfigDef def = new ConfigDef();
        CommonConfigKeys.withKafka(def);
        CommonConfigKeys.withMongo(def);
        CommonConfigKeys.withOps(def);
        SegmentStoreConfig.define(def);
        // optional: GET /agents/{agent}/memories/recent reads the hot-cache's Redis when redis.url is set
        RedisConfigKeys.withRedis(def, "");
        HealthConfig.define(def);
        return def
                .define(APPLICATION_ID, Type.STRING, "coldframe-archive-service", new ConfigDef.NonEmptyString(), Importance.HIGH,
                        "Kafka Streams application id of the catalog index: instances with the same id share the catalog "
                                + "partitions (scale out by adding instances, up to the catalog topic's partition count).")
                .define(STATE_DIR, Type.STRING, Path.of(System.getProperty("java.io.tmpdir"), "coldframe-archive-service").toString(),
                        new ConfigDef.NonEmptyString(), Importance.HIGH,
                        "Directory of the RocksDB catalog stores. Keep it across restarts (a volume): a restart then reads only the "
                                + "catalog records written since, not the whole topic.")
                .define(HTTP_HOST, Type.STRING, "127.0.0.1", new ConfigDef.NonEmptyString(), Importance.HIGH,
                        "Address the HTTP API binds to. 127.0.0.1 by default; 0.0.0.0 in a container.")
                .define(HTTP_PORT, Type.INT, 8090, ConfigDef.Range.between(0, 65535), Importance.HIGH,
                        "Port of the HTTP API (0: any free port).")
                .define(ADVERTISED_HOST, Type.STRING, "", Importance.MEDIUM,
                        "Host name other instances reach this one at, for queries routed to the instance owning a catalog "
                                + "partition. Empty: " + HTTP_HOST + " (or 127.0.0.1 when that is 0.0.0.0).")
                .define(WRITE_TOKEN, Type.PASSWORD, "", Importance.HIGH,
                        "Bearer token that POST /restore and POST /segments/{id}/verify require. Empty: the service is read-only "
                                + "and refuses them. Treated as a secret: never logged.")
                .define(CACHE_DIR, Type.STRING, Path.of(System.getProperty("java.io.tmpdir"), "coldframe-archive-service-cache").toString(),
                        new ConfigDef.NonEmptyString(), Importance.LOW,
                        "Directory of the partial (sparse) copies of segment videos and their manifests.")
                .define(CACHE_BLOCK_BYTES, Type.LONG, 256L << 20, ConfigDef.Range.atLeast(0), Importance.MEDIUM,
                        "Bound of the cache of recently decoded blocks, in bytes of their decompressed record bodies.")
                .define(CACHE_SEGMENTS, Type.INT, 1024, ConfigDef.Range.atLeast(1), Importance.LOW,
                        "Segments whose manifest and frame index are kept.")
                .define(CACHE_READERS, Type.INT, 16, ConfigDef.Range.atLeast(1), Importance.LOW,
                        "Segments whose segment reader stays open between reads (the video opened, its index decoded), least "
                                + "recently read closed first. Each holds its video open and up to a few MiB of decoded frames.")
                .define(DECODE_THREADS, Type.INT, 0, ConfigDef.Range.between(0, 64), Importance.LOW,
                        "Threads that PNG- and QR-decode the frames of a block being read, while one more thread reads the "
                                + "frames' bytes: a cold get's latency is mostly this decoding. 0: one per core.")
                .define(STREAM_THREADS, Type.INT, 1, ConfigDef.Range.atLeast(1), Importance.LOW,
                        "Kafka Streams threads of the catalog index.")
                .define(STANDBY_REPLICAS, Type.INT, 0, ConfigDef.Range.atLeast(0), Importance.LOW,
                        "Standby replicas of the catalog stores: another instance keeps a warm copy, so a moved partition is "
                                + "answered at once.")
                .define(STATS_GZIP_RATIO, Type.DOUBLE, DEFAULT_GZIP_RATIO, ConfigDef.Range.between(0.0, 1.0), Importance.LOW,
                        "GET /stats estimates what gzip would have made of the archived documents as their BSON bytes times this "
                                + "(segments record no gzip size). Default: gzip -9 of the demo corpus against its BSON bytes "
                                + "(bench/results/segment.json); measure your own corpus for a better estimate.");
    }

    public Topics topics() {
        return new Topics(getString(CommonConfigKeys.TOPIC_PREFIX));
    }

    /** {@link #DECODE_THREADS}, with 0 resolved to one per core. */
    public int decodeThreads() {
        int configured = getInt(DECODE_THREADS);
        return configured > 0 ? configured : Runtime.getRuntime().availableProcessors();
    }
}
