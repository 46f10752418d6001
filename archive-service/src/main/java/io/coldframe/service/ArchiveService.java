package io.coldframe.service;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicLong;

import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.common.utils.AppInfoParser;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.errors.InvalidStateStoreException;
import org.apache.kafka.streams.state.HostInfo;
import org.bson.RawBsonDocument;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import com.mongodb.client.MongoClient;
import com.mongodb.client.MongoClients;
import com.mongodb.internal.build.MongoDriverVersion;

import io.coldframe.archive.ArchiveReader;
import io.coldframe.archive.KafkaRestoreMarks;
import io.coldframe.archive.Restorer;
import io.coldframe.common.CommonConfigKeys;
import io.coldframe.common.KafkaConnection;
import io.coldframe.common.Progress;
import io.coldframe.hotcache.RecentMemories;
import io.coldframe.hotcache.RedisConnections;
import io.coldframe.schemas.CatalogEntry;
import io.coldframe.schemas.StatsDimension;
import io.coldframe.segment.SegmentReader;
import io.coldframe.segment.VerificationReport;
import io.coldframe.store.SegmentStore;
import io.coldframe.store.SegmentStoreConfig;
import io.coldframe.store.SegmentStores;
import io.javalin.Javalin;

import redis.clients.jedis.UnifiedJedis;

/**
 * The archive service (main class): the catalog index ({@link CatalogTopology} in Kafka Streams) and the HTTP API
 * ({@link ArchiveApi}) over it, MongoDB (reactive driver) and the segment store (ranged reads, {@link ArchiveReader}).
 */
public final class ArchiveService implements AutoCloseable, ArchiveApi.Backend {

    private static final Logger LOG = LoggerFactory.getLogger(ArchiveService.class);

    private final ArchiveServiceConfig config;
    private final SegmentStore store;
    private final ArchiveReader reader;
    private final MongoReads mongo;
    private final ExecutorService pool = Executors.newFixedThreadPool(8, r -> {
        Thread t = new Thread(r, "archive-service-read");
        t.setDaemon(true);
        return t;
    });
    private final GetTimings timings = new GetTimings();
    private final AtomicLong verifyFailures = new AtomicLong();
    private final HealthProbe health;
    private final OperatorApi operatorApi;
    private final Javalin http;
    private final KafkaStreams streams;
    private final CatalogIndex index;
    private final ServiceOps ops;
    private final Instant startedAt = Instant.now();
    private final StatsReport statsReport;
    private final UnifiedJedis redis;
    private final Optional<RecentMemories> recent;
    private volatile Instant readyAt;

    public ArchiveService(ArchiveServiceConfig config) throws IOException {
        this.config = config;
        this.store = SegmentStores.create(config);
        this.reader = new ArchiveReader(store, Path.of(config.getString(ArchiveServiceConfig.CACHE_DIR)),
                config.getLong(ArchiveServiceConfig.CACHE_BLOCK_BYTES), config.getInt(ArchiveServiceConfig.CACHE_SEGMENTS),
                config.getInt(ArchiveServiceConfig.CACHE_READERS), config.decodeThreads());
        this.mongo = new MongoReads(config.getPassword(CommonConfigKeys.MONGODB_URI).value(),
                config.getString(CommonConfigKeys.MONGODB_DATABASE), config.getString(CommonConfigKeys.MONGODB_COLLECTION));
        this.statsReport = new StatsReport(config.getDouble(ArchiveServiceConfig.STATS_GZIP_RATIO));
        this.redis = RedisConnections.configured(config) ? RedisConnections.open(config, "coldframe-archive-service") : null;
        this.recent = Optional.ofNullable(redis).map(RecentMemories::new);
        this.health = new HealthProbe(config, mongo, store, timings, verifyFailures::get, pool, Clock.systemUTC());
        this.operatorApi = new OperatorApi(health, timings, verifyFailures, facts(config), new DeadLetterTail(
                KafkaConnection.from(config), config.topics().deadLetter(),
                Duration.ofMillis(config.getInt(HealthConfig.TIMEOUT_MS))), store, pool);
        // the HTTP port must be known before Kafka Streams starts: it is the address other instances route to
        this.http = new ArchiveApi(this).create();
        http.start(config.getString(ArchiveServiceConfig.HTTP_HOST), config.getInt(ArchiveServiceConfig.HTTP_PORT));
        String advertised = config.getString(ArchiveServiceConfig.ADVERTISED_HOST);
        if (advertised.isBlank()) {
            String bind = config.getString(ArchiveServiceConfig.HTTP_HOST);
            advertised = "0.0.0.0".equals(bind) ? "127.0.0.1" : bind;
        }
        HostInfo self = new HostInfo(advertised, http.port());
        this.streams = new KafkaStreams(CatalogTopology.build(config.topics()), streamsProperties(config, self));
        streams.setStateListener((now, before) -> {
            if (now == KafkaStreams.State.RUNNING && readyAt == null) {
                readyAt = Instant.now();
                LOG.info("catalog index ready in {} ms", Duration.between(startedAt, readyAt).toMillis());
            }
        });
        this.index = new CatalogIndex(streams, self, config.topics().catalog());
        this.ops = new ServiceOps(config, streams, reader);
    }

    private static OperatorApi.Facts facts(ArchiveServiceConfig config) {
        Map<String, String> versions = new LinkedHashMap<>();
        versions.put("coldframe", ownVersion());
        versions.put("java", Runtime.version().toString());
        versions.put("kafka_clients", AppInfoParser.getVersion());
        versions.put("mongodb_driver", MongoDriverVersion.VERSION);
        return new OperatorApi.Facts(config.getString(SegmentStoreConfig.STORE_TYPE), SegmentStores.describe(config),
                config.getPassword(ArchiveServiceConfig.WRITE_TOKEN).value().isEmpty(), config.getString(CommonConfigKeys.MONGODB_DATABASE),
                config.getString(CommonConfigKeys.MONGODB_COLLECTION), versions);
    }

    /** The version Maven packaged (pom.properties in the jar); run from classes there is none. */
    private static String ownVersion() {
        try (var in = ArchiveService.class.getResourceAsStream("/META-INF/maven/io.coldframe/coldframe-archive-service/pom.properties")) {
            if (in == null) {
                return "development build";
            }
            Properties pom = new Properties();
            pom.load(in);
            return pom.getProperty("version", "unknown");
        } catch (IOException e) {
            return "unknown";
        }
    }

    static Properties streamsProperties(ArchiveServiceConfig config, HostInfo self) {
        Properties p = KafkaConnection.from(config).properties();
        p.put(StreamsConfig.APPLICATION_ID_CONFIG, config.getString(ArchiveServiceConfig.APPLICATION_ID));
        p.put(StreamsConfig.STATE_DIR_CONFIG, config.getString(ArchiveServiceConfig.STATE_DIR));
        p.put(StreamsConfig.APPLICATION_SERVER_CONFIG, self.host() + ":" + self.port());
        p.put(StreamsConfig.NUM_STREAM_THREADS_CONFIG, config.getInt(ArchiveServiceConfig.STREAM_THREADS));
        p.put(StreamsConfig.NUM_STANDBY_REPLICAS_CONFIG, config.getInt(ArchiveServiceConfig.STANDBY_REPLICAS));
        // only entries of committed archiver transactions, like ArchiveCatalog
        p.put(StreamsConfig.consumerPrefix(ConsumerConfig.ISOLATION_LEVEL_CONFIG), "read_committed");
        p.put(StreamsConfig.consumerPrefix(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG), "earliest");
        p.put(StreamsConfig.COMMIT_INTERVAL_MS_CONFIG, 1000);
        return p;
    }

    public void start() {
        try {
            ops.start(index, streams, mongo);
        } catch (IOException e) {
            // answering matters more than its metrics: keep running
            LOG.error("cannot serve the ops endpoint on port {} ({}); set {} to a free port, or 0 to disable",
                    config.getInt(CommonConfigKeys.OPS_PORT), e.getMessage(), CommonConfigKeys.OPS_PORT);
        }
        streams.start();
    }

    /** The base URL of the HTTP API. */
    public String url() {
        return "http://" + config.getString(ArchiveServiceConfig.HTTP_HOST).replace("0.0.0.0", "127.0.0.1") + ":" + http.port();
    }

    public int port() {
        return http.port();
    }

    public boolean ready() {
        return index.ready();
    }

    /** Milliseconds from construction to the index's first RUNNING state, or -1. */
    public long readyAfterMs() {
        return readyAt == null ? -1 : Duration.between(startedAt, readyAt).toMillis();
    }

    public ArchiveReader archiveReader() {
        return reader;
    }

    public KafkaStreams streams() {
        return streams;
    }

    @Override
    public CatalogIndex index() {
        return index;
    }

    @Override
    public MongoReads mongo() {
        return mongo;
    }

    @Override
    public ArchiveReader reader() {
        return reader;
    }

    @Override
    public ExecutorService pool() {
        return pool;
    }

    @Override
    public Optional<RecentMemories> recent() {
        return recent;
    }

    @Override
    public String writeToken() {
        return config.getPassword(ArchiveServiceConfig.WRITE_TOKEN).value();
    }

    @Override
    public String mongoDescription() {
        return config.getString(CommonConfigKeys.MONGODB_DATABASE) + "." + config.getString(CommonConfigKeys.MONGODB_COLLECTION);
    }

    @Override
    public Map<String, Object> verify(String segmentId) throws Exception {
        try (SegmentReader segment = SegmentReader.open(store.fetch(segmentId))) {
            VerificationReport report = segment.verify();
            Map<String, Object> out = new LinkedHashMap<>();
            out.put("segment_id", segmentId);
            out.put("ok", report.ok());
            out.put("frames_read", report.framesRead());
            out.put("records_verified", report.recordsVerified());
            out.put("problems", report.problems());
            return out;
        }
    }

    @Override
    public Map<String, Object> restore(Map<String, Object> request) throws Exception {
        List<CatalogEntry> entries = new ArrayList<>();
        List<String> notFound = new ArrayList<>();
        if (request.get("ids") instanceof List<?> ids) {
            for (Object raw : ids) {
                org.bson.BsonValue id = ArchiveApi.parseId(String.valueOf(raw));
                if (id == null) {
                    throw new IllegalArgumentException("malformed memory id " + raw);
                }
                String memoryId = io.coldframe.common.MemoryDocuments.idOf(id);
                index.byId(memoryId).ifPresentOrElse(entries::add, () -> notFound.add(memoryId));
            }
        } else if (request.get("agent") instanceof String agent) {
            entries.addAll(index.timeline(agent, Instant.EPOCH, Instant.parse("9999-12-31T00:00:00Z"), Integer.MAX_VALUE));
        } else if (request.get("segment") instanceof String segment) {
            entries.addAll(index.bySegment(segment, Integer.MAX_VALUE));
        } else {
            throw new IllegalArgumentException("give one of ids (a list), agent or segment");
        }
        boolean dryRun = Boolean.TRUE.equals(request.get("dry_run"));
        Restorer.Result result = new Restorer.Result();
        try (MongoClient client = MongoClients.create(config.getPassword(CommonConfigKeys.MONGODB_URI).value());
             KafkaRestoreMarks marks = new KafkaRestoreMarks(KafkaConnection.from(config),
                     config.topics().restores(), Duration.ofSeconds(30))) {
            Restorer restorer = new Restorer(store, client.getDatabase(config.getString(CommonConfigKeys.MONGODB_DATABASE))
                    .getCollection(config.getString(CommonConfigKeys.MONGODB_COLLECTION), RawBsonDocument.class),
                    marks, Duration.ofDays(7), dryRun, note -> LOG.info("restore: {}", note), Progress.SILENT, Clock.systemUTC());
            restorer.restore(entries.stream().map(Restorer::target).toList(), result);
        }
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("requested", entries.size() + notFound.size());
        out.put("restored", result.restored());
        out.put("redacted", result.redacted());
        out.put("redaction_policies", List.copyOf(result.redactionPolicies()));
        out.put("already_present", result.alreadyPresent());
        out.put("superseded", result.superseded());
        out.put("failed", result.failed());
        List<String> missing = new ArrayList<>(notFound);
        missing.addAll(result.notFound());
        out.put("not_found", missing);
        out.put("dry_run", dryRun);
        out.put("aborted", result.aborted());
        return out;
    }

    @Override
    public Map<String, Object> stats(StatsReport.Period period, int days, StatsDimension by) throws Exception {
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("ready", index.ready());
        out.put("state", streams.state().toString());
        out.put("ready_after_ms", readyAfterMs());
        out.put("indexed_here_approx", index.localApproximateSize());
        Map<String, Object> reads = new LinkedHashMap<>();
        reads.put("gets", reader.gets());
        reads.put("block_cache_hits", reader.cacheHits());
        reads.put("cached_blocks", reader.cachedBlocks());
        reads.put("frame_bytes_fetched", reader.framesBytesFetched());
        reads.put("metadata_bytes_fetched", reader.metadataBytesFetched());
        out.put("archive_reads", reads);
        out.put("store", SegmentStores.describe(config));
        out.put("read_only", writeToken().isEmpty());
        try {
            out.putAll(tierStats(period, days, by));
        } catch (InvalidStateStoreException e) {
            // starting or rebalancing: the service's own counters above still answer
            out.put("tiers_unavailable", "the catalog index is not ready (" + e.getMessage() + "); retry shortly");
        }
        return out;
    }

    private Map<String, Object> tierStats(StatsReport.Period period, int days, StatsDimension by) throws Exception {
        Map<String, Object> out = new LinkedHashMap<>();
        Map<String, Long> inTiers = index.counts(CatalogTopology.TIER_COUNT_KIND);
        Map<String, Long> archived = index.counts("a");
        Set<String> agents = new TreeSet<>(archived.keySet());
        long hot = 0;
        long warm = 0;
        for (Map.Entry<String, Long> e : inTiers.entrySet()) {
            String agentAndTier = e.getKey();
            int sep = agentAndTier.lastIndexOf(CatalogTopology.SEP);
            agents.add(agentAndTier.substring(0, sep));
            String tier = agentAndTier.substring(sep + 1);
            hot += TierIndexer.HOT.equals(tier) ? e.getValue() : 0;
            warm += TierIndexer.WARM.equals(tier) ? e.getValue() : 0;
        }
        agents.remove(CatalogTopology.NO_AGENT);
        long cold = archived.values().stream().mapToLong(Long::longValue).sum();
        LocalDate today = LocalDate.now(ZoneOffset.UTC);
        out.putAll(statsReport.report(index.dailyStats(StatsDimension.ALL), new StatsReport.TierCounts(hot, warm, cold), agents.size(),
                period, days, today));
        if (by != null) {
            out.put("by", StatsReport.breakdown(index.dailyStats(by), by, today.minusDays(days - 1L), today));
        }
        return out;
    }

    @Override
    public OperatorApi operatorApi() {
        return operatorApi;
    }

    @Override
    public void close() {
        // leave the group: Kafka Streams otherwise keeps the member until its session times out (45 s), and the
        // partitions of a stopped instance would wait that long for another instance or a restart
        streams.close(new KafkaStreams.CloseOptions().leaveGroup(true).timeout(Duration.ofSeconds(30)));
        ops.close();
        http.stop();
        health.close();
        mongo.close();
        if (redis != null) {
            redis.close();
        }
        reader.close();
        pool.shutdownNow();
        try {
            store.close();
        } catch (IOException e) {
            LOG.debug("closing the store: {}", e.getMessage());
        }
    }

    public static void main(String[] args) throws Exception {
        ArchiveService service = new ArchiveService(ArchiveServiceConfig.load(Map.of()));
        Runtime.getRuntime().addShutdownHook(new Thread(service::close, "archive-service-shutdown"));
        service.start();
        System.out.println("service: " + service.url());
    }
}
