package io.coldframe.bench;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;

import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.bson.BsonDocument;
import org.bson.BsonString;

import io.coldframe.common.CommonConfigKeys;
import io.coldframe.common.MemoryDocuments;
import io.coldframe.common.Topics;
import io.coldframe.hotcache.DocumentCodec;
import io.coldframe.hotcache.HotCacheConfig;
import io.coldframe.hotcache.HotCacheListener;
import io.coldframe.hotcache.HotCacheService;
import io.coldframe.hotcache.RedisConfigKeys;
import io.coldframe.hotcache.RedisTierWriter;
import io.coldframe.local.EmbeddedKafka;
import io.coldframe.local.EmbeddedMongo;
import io.coldframe.local.EmbeddedRedis;
import io.coldframe.schemas.AvroSerde;
import io.coldframe.schemas.MemoryRecord;
import io.coldframe.schemas.Tier;
import io.coldframe.schemas.TierChange;
import io.coldframe.service.ArchiveService;
import io.coldframe.service.ArchiveServiceConfig;
import io.coldframe.store.SegmentStoreConfig;
import io.coldframe.testkit.MemoryGenerator;

import redis.clients.jedis.RedisClient;

/**
 * {@code coldframe bench hot-cache}: agents x per-agent demo memories on the hot tier topic of a real broker, then
 * the hot-cache ingests them into a real redis-server (timed from its start to the last committed batch), then the
 * archive service answers {@code GET /agents/{agent}/memories/recent?limit=10} for random agents (one client,
 * sequential, after a warm-up). Also what zstd and deflate save on the documents.
 */
public final class HotCacheBenchmark {

    private static final AvroSerde<TierChange> CHANGES = AvroSerde.of(TierChange.class);
    private static final int DISTINCT_DOCUMENTS = 2_000;
    private static final String PREFIX = "bench";
    private static final int HOT_PARTITIONS = 4;

    private HotCacheBenchmark() {
    }

    public record Settings(int agents, int perAgent, int requests, int warmup, Path workDir) {
    }

    public static Map<String, Object> run(Settings settings, Consumer<String> log) throws Exception {
        long memories = (long) settings.agents() * settings.perAgent();
        List<BsonDocument> pool = new MemoryGenerator(42, Instant.now()).generate(DISTINCT_DOCUMENTS);
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("agents", settings.agents());
        out.put("per_agent", settings.perAgent());
        out.put("memories", memories);
        out.put("cores", Runtime.getRuntime().availableProcessors());
        out.put("compression", compression(pool));
        Path workDir = Files.createDirectories(settings.workDir());
        try (EmbeddedKafka kafka = EmbeddedKafka.builder().workDir(workDir.resolve("kafka")).start();
             EmbeddedRedis redis = EmbeddedRedis.start();
             EmbeddedMongo mongo = EmbeddedMongo.start()) {
            Topics topics = new Topics(PREFIX);
            kafka.createTopic(topics.hot(), HOT_PARTITIONS, Map.of("cleanup.policy", "compact"));
            kafka.createTopic(topics.segmentsCommitted(), 1, Map.of());
            kafka.createTopic(topics.deadLetter(), 1, Map.of());
            kafka.createTopic(topics.catalog(), 1, Map.of("cleanup.policy", "compact")); // the archive service's index reads it
            kafka.createTopic(topics.statsDaily(), 1, Map.of("cleanup.policy", "compact")); // and its tier analytics
            log.accept("producing " + memories + " hot memories of " + settings.agents() + " agents ...");
            produce(kafka.bootstrapServers(), topics.hot(), pool, settings);
            log.accept("ingesting into Redis ...");
            out.putAll(ingest(kafka.bootstrapServers(), redis.url(), memories, settings.agents()));
            try (RedisClient client = RedisClient.create(URI.create(redis.url()))) {
                out.put("redis_used_memory_bytes", usedMemory(client.info("memory")));
                out.put("redis_keys", client.dbSize());
            }
            log.accept("reading recent-10 through the archive service ...");
            out.putAll(recentReads(kafka.bootstrapServers(), redis.url(), mongo.connectionString(), workDir, settings));
        }
        Map<String, Object> targets = new LinkedHashMap<>();
        targets.put("ingest_memories_per_s_at_least", 10_000);
        targets.put("recent_p95_ms_at_most", 5.0);
        targets.put("met", ((Number) out.get("ingest_memories_per_s")).doubleValue() >= 10_000
                && ((Number) out.get("recent_p95_ms")).doubleValue() <= 5.0);
        out.put("targets", targets);
        return out;
    }

    private static Map<String, Object> compression(List<BsonDocument> pool) {
        long raw = 0;
        long zstd = 0;
        long deflate = 0;
        DocumentCodec zstdCodec = new DocumentCodec(DocumentCodec.ZSTD);
        DocumentCodec deflateCodec = new DocumentCodec(DocumentCodec.DEFLATE);
        for (BsonDocument document : pool) {
            String json = MemoryDocuments.toCanonicalJson(document);
            raw += json.getBytes(StandardCharsets.UTF_8).length;
            zstd += zstdCodec.encode(json).length;
            deflate += deflateCodec.encode(json).length;
        }
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("documents", pool.size());
        out.put("canonical_json_bytes_per_memory", Results.round((double) raw / pool.size(), 1));
        out.put("zstd3_bytes_per_memory", Results.round((double) zstd / pool.size(), 1));
        out.put("deflate6_bytes_per_memory", Results.round((double) deflate / pool.size(), 1));
        out.put("zstd3_saving", Results.round(1 - (double) zstd / raw, 3));
        out.put("deflate6_saving", Results.round(1 - (double) deflate / raw, 3));
        return out;
    }

    /** Memory {@code a}-{@code i}: a demo document with its own _id and agent, created i seconds after a base time. */
    private static void produce(String bootstrap, String topic, List<BsonDocument> pool, Settings settings) {
        Map<String, Object> props = new HashMap<>();
        props.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        props.put(ProducerConfig.COMPRESSION_TYPE_CONFIG, "zstd");
        props.put(ProducerConfig.LINGER_MS_CONFIG, 20);
        props.put(ProducerConfig.BATCH_SIZE_CONFIG, 512 * 1024);
        props.put(ProducerConfig.ACKS_CONFIG, "1");
        Instant base = Instant.now().minus(Duration.ofDays(1));
        Random random = new Random(7);
        try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(props, new ByteArraySerializer(), new ByteArraySerializer())) {
            for (int i = 0; i < settings.perAgent(); i++) {
                for (int a = 0; a < settings.agents(); a++) {
                    String agent = "agent-" + a;
                    String id = "\"" + agent + "-" + i + "\"";
                    BsonDocument document = pool.get(random.nextInt(pool.size())).clone();
                    document.put("_id", new BsonString(agent + "-" + i));
                    document.put("agent_id", new BsonString(agent));
                    Instant created = base.plusSeconds(i);
                    String json = MemoryDocuments.toCanonicalJson(document);
                    MemoryRecord memory = MemoryRecord.newBuilder().setId(id).setAgent(agent).setCreatedAt(created)
                            .setSizeBytes(json.length()).setVersion(Integer.toHexString(json.hashCode())).setDocument(json).build();
                    TierChange change = TierChange.newBuilder().setMemoryId(id).setAgent(agent).setToTier(Tier.HOT).setRule("bench")
                            .setChangedAt(created).setMemory(memory).build();
                    producer.send(new ProducerRecord<>(topic, id.getBytes(StandardCharsets.UTF_8), CHANGES.encode(change)));
                }
            }
            producer.flush();
        }
    }

    private static Map<String, Object> ingest(String bootstrap, String redisUrl, long memories, int agents) throws Exception {
        AtomicLong committed = new AtomicLong();
        CountDownLatch done = new CountDownLatch(1);
        HotCacheListener listener = new HotCacheListener() {
            @Override
            public void committed(RedisTierWriter.Outcome outcome, int records) {
                if (committed.addAndGet(outcome.upserts()) >= memories) {
                    done.countDown();
                }
            }
        };
        HotCacheConfig config = HotCacheConfig.load(Map.of(CommonConfigKeys.BOOTSTRAP_SERVERS, bootstrap, CommonConfigKeys.TOPIC_PREFIX, PREFIX,
                CommonConfigKeys.OPS_PORT, "0", RedisConfigKeys.URL, redisUrl));
        HotCacheService service = new HotCacheService(config, listener);
        Thread thread = new Thread(service, "bench-hot-cache");
        long start = System.nanoTime();
        long end;
        thread.start();
        try (RedisClient client = RedisClient.create(URI.create(redisUrl))) {
            if (!done.await(30, TimeUnit.MINUTES)) {
                throw new IllegalStateException("the hot-cache did not ingest " + memories + " memories in 30 minutes");
            }
            // the count includes the first batch's replay, so wait until Redis holds every memory: a memory key and
            // an owner key each, a sorted set and a metadata hash per agent, a resync marker per partition
            long expectedKeys = 2 * memories + 2L * agents + HOT_PARTITIONS + 1;
            while (client.dbSize() < expectedKeys) {
                Thread.sleep(5);
            }
            end = System.nanoTime();
        } finally {
            service.close();
            thread.join();
        }
        double seconds = (end - start) / 1e9;
        Map<String, Object> out = new LinkedHashMap<>();
        // from the service's start until Redis holds every memory: includes joining the group and the first start's
        // replay of its first batch (its resync markers are new)
        out.put("ingest_elapsed_s", Results.round(seconds, 2));
        out.put("ingest_memories_per_s", Results.round(memories / seconds, 0));
        out.put("ingest_writes_including_replays", committed.get());
        return out;
    }

    private static Map<String, Object> recentReads(String bootstrap, String redisUrl, String mongoUri, Path workDir, Settings settings)
            throws Exception {
        Map<String, Object> values = new HashMap<>();
        values.put(CommonConfigKeys.BOOTSTRAP_SERVERS, bootstrap);
        values.put(CommonConfigKeys.TOPIC_PREFIX, PREFIX);
        values.put(CommonConfigKeys.MONGODB_URI, mongoUri);
        values.put(CommonConfigKeys.OPS_PORT, "0");
        values.put(SegmentStoreConfig.STORE_DIR, workDir.resolve("store").toString());
        values.put(ArchiveServiceConfig.STATE_DIR, workDir.resolve("service-state").toString());
        values.put(ArchiveServiceConfig.CACHE_DIR, workDir.resolve("service-cache").toString());
        values.put(ArchiveServiceConfig.HTTP_PORT, "0");
        values.put(RedisConfigKeys.URL, redisUrl);
        HttpClient http = HttpClient.newHttpClient();
        Random random = new Random(11);
        double[] latencies = new double[settings.requests()];
        long fromRedis = 0;
        try (ArchiveService service = new ArchiveService(ArchiveServiceConfig.load(values))) {
            service.start();
            for (int i = -settings.warmup(); i < settings.requests(); i++) {
                String agent = "agent-" + random.nextInt(settings.agents());
                HttpRequest request = HttpRequest.newBuilder(URI.create(service.url() + "/agents/" + agent + "/memories/recent?limit=10")).build();
                long t0 = System.nanoTime();
                HttpResponse<String> response = http.send(request, HttpResponse.BodyHandlers.ofString());
                long t1 = System.nanoTime();
                if (response.statusCode() != 200) {
                    throw new IllegalStateException("recent read of " + agent + " answered " + response.statusCode() + ": " + response.body());
                }
                if (i >= 0) {
                    latencies[i] = (t1 - t0) / 1e6;
                    if (response.body().contains("\"source\":\"redis\"")) {
                        fromRedis++;
                    }
                }
            }
        }
        Arrays.sort(latencies);
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("recent_requests", settings.requests());
        out.put("recent_served_by_redis", fromRedis);
        out.put("recent_p50_ms", Results.round(percentile(latencies, 0.50), 3));
        out.put("recent_p95_ms", Results.round(percentile(latencies, 0.95), 3));
        out.put("recent_p99_ms", Results.round(percentile(latencies, 0.99), 3));
        return out;
    }

    private static double percentile(double[] sorted, double p) {
        return sorted[Math.min(sorted.length - 1, (int) Math.ceil(p * sorted.length) - 1)];
    }

    private static long usedMemory(String info) {
        for (String line : info.split("\r?\n")) {
            if (line.startsWith("used_memory:")) {
                return Long.parseLong(line.substring("used_memory:".length()).strip());
            }
        }
        return -1;
    }
}
