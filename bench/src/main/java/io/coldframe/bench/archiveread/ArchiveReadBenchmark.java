package io.coldframe.bench.archiveread;

import java.lang.management.ManagementFactory;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.function.Consumer;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.coldframe.archive.ArchiveReader;
import io.coldframe.bench.Results;
import io.coldframe.common.CommonConfigKeys;
import io.coldframe.common.MemoryDocuments;
import io.coldframe.local.LocalStack;
import io.coldframe.service.ArchiveService;
import io.coldframe.segment.SegmentOptions;
import io.coldframe.service.ArchiveServiceConfig;
import io.coldframe.store.SegmentStore;
import io.coldframe.store.SegmentStoreConfig;
import io.coldframe.store.SegmentStores;

/**
 * Reads through the archive service at scale: an archive of N memories in an in-JVM S3-compatible store
 * ({@link ArchiveBuilder}, the archiver's batch size and catalog entries), then random gets by id over HTTP with a
 * cold block cache (every get asks for a block not read before) and a warm one, agent timeline queries, and the
 * catalog's restart to ready on the same state directory. The client runs in the same JVM as the service.
 */
public final class ArchiveReadBenchmark {

    /**
     * @param memories  memories in the archive
     * @param gets      gets by id per phase (cold, warm)
     * @param timelines timeline queries
     * @param blockBytes the segment writer's block target (its default unless exploring the trade-off)
     * @param workDir   broker-independent state: S3 directory, service state and cache (null: a fresh temporary directory)
     * @param note      a remark for the results (null: none)
     */
    public record Settings(int memories, int gets, int timelines, int blockBytes, long seed, Path workDir, String note) {
    }

    private static final String PREFIX = "bench";
    private static final Instant ANCHOR = Instant.parse("2026-01-01T00:00:00Z");
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final int WARM_BLOCKS = 100;
    /** Gets before the measured ones, to blocks the measured gets do not ask for: a running service's JIT is warm. */
    private static final int WARM_UP_GETS = 50;

    private final Settings settings;
    private final Consumer<String> progress;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    public ArchiveReadBenchmark(Settings settings, Consumer<String> progress) {
        this.settings = settings;
        this.progress = progress;
    }

    public Map<String, Object> run() throws Exception {
        Path work = settings.workDir() != null ? Files.createDirectories(settings.workDir()) : Files.createTempDirectory("coldframe-bench-read");
        Map<String, Object> r = new LinkedHashMap<>();
        r.put("benchmark", "archive-read");
        r.put("memories", settings.memories());
        r.put("environment", environment());
        if (settings.note() != null) {
            r.put("note", settings.note());
        }
        progress.accept("starting the embedded broker, the MongoDB stand-in and an in-JVM S3 server");
        try (LocalStack stack = LocalStack.builder().topicPrefix(PREFIX).start(); InJvmS3 s3 = new InJvmS3(work.resolve("s3"))) {
            Map<String, Object> storeKeys = s3.storeKeys(work.resolve("writer-cache"));
            int expectedSegments = (settings.memories() + ArchiveBuilder.RECORDS_PER_SEGMENT - 1) / ArchiveBuilder.RECORDS_PER_SEGMENT;
            int blocksPerSegment = Math.max(1, (int) Math.ceil((settings.gets() * 1.2 + WARM_UP_GETS) / expectedSegments));
            progress.accept(String.format("archiving %,d memories in segments of %,d (the archiver's default batch)", settings.memories(),
                    ArchiveBuilder.RECORDS_PER_SEGMENT));
            ArchiveBuilder.Built built;
            try (SegmentStore store = SegmentStores.create(SegmentStoreConfig.load(storeKeys))) {
                built = new ArchiveBuilder(store, stack.bootstrapServers(), stack.topics(), work.resolve("staging"), progress)
                        .build(settings.memories(), settings.seed(), ANCHOR, blocksPerSegment, settings.blockBytes());
            }
            r.put("archive", archive(built, settings.blockBytes()));

            Map<String, Object> config = serviceConfig(stack, storeKeys, work);
            long t0 = System.nanoTime();
            Gets coldGets;
            ArchiveService service = new ArchiveService(ArchiveServiceConfig.load(config));
            try {
                service.start();
                awaitIndexed(service, settings.memories(), Duration.ofMinutes(30));
                Map<String, Object> catalog = new LinkedHashMap<>();
                catalog.put("index_from_empty_ms", (System.nanoTime() - t0) / 1_000_000);
                catalog.put("index_from_empty_note", "a fresh state directory: the whole catalog topic read and indexed");
                r.put("catalog", catalog);

                List<ArchiveBuilder.Sample> shuffled = shuffledBlocks(built.sampledBlocks());
                // the warm-up's blocks are set aside first: a small archive has too few blocks for both, and cold gets in a
                // JVM that never read a block measure the JIT, not the service
                int warmUpCount = Math.min(WARM_UP_GETS, shuffled.size() / 3);
                List<ArchiveBuilder.Sample> warmUp = shuffled.subList(0, warmUpCount);
                List<ArchiveBuilder.Sample> cold = shuffled.subList(warmUpCount, warmUpCount + Math.min(settings.gets(), shuffled.size() - warmUpCount));
                progress.accept(String.format("%,d gets to warm the JVM up (other blocks), then %,d gets by id, each to a block not read before",
                        warmUp.size(), cold.size()));
                Gets warmUpGets = gets(service, warmUp, new HashSet<>());
                coldGets = gets(service, cold, warmUpGets.segmentsSeen);
                List<ArchiveBuilder.Sample> warm = warmSamples(built.sampledBlocks(), cold);
                progress.accept(String.format("%,d gets by id to %d blocks already decoded", warm.size(), Math.min(WARM_BLOCKS, cold.size())));
                Gets warmGets = gets(service, warm, new HashSet<>(coldGets.segmentsSeen));
                progress.accept(String.format("%,d timeline queries", settings.timelines()));
                Map<String, Object> timeline = timelines(service);

                r.put("get_by_id_p95_ms", Results.round(coldGets.all.percentile(95), 2));
                r.put("get_by_id", Map.of("cold_cache", coldGets.summary(), "warm_cache", warmGets.summary(), "warm_up_gets", warmUp.size()));
                r.put("bytes_fetched_per_get", coldGets.bytes());
                r.put("blocks_per_get", Map.of("cold_cache", coldGets.blocksPerGet(), "warm_cache", warmGets.blocksPerGet()));
                r.put("timeline", timeline);
            } finally {
                service.close();
            }

            progress.accept("restarting the service on the same state directory");
            long restartStart = System.nanoTime();
            ArchiveService restarted = new ArchiveService(ArchiveServiceConfig.load(config));
            try {
                restarted.start();
                awaitReady(restarted, Duration.ofMinutes(5));
                long ready = (System.nanoTime() - restartStart) / 1_000_000;
                ArchiveBuilder.Sample probe = built.sampledBlocks().get(0).get(0);
                int status = get(restarted.url() + "/memories/" + hex(probe.memoryId())).statusCode();
                long answering = (System.nanoTime() - restartStart) / 1_000_000;
                long indexed = indexed(restarted);
                r.put("restart_to_ready_ms", ready);
                Map<String, Object> restart = new LinkedHashMap<>();
                restart.put("to_ready_ms", ready);
                restart.put("to_first_get_answered_ms", answering);
                restart.put("first_get_status", status);
                restart.put("memories_indexed_after_restart", indexed);
                restart.put("method", "the service closed (leaving the group), a new instance on the same state directory: from its "
                        + "construction to Kafka Streams RUNNING with every catalog partition assigned, then to the first get by id answered");
                r.put("restart", restart);
            } finally {
                restarted.close();
            }
            r.put("targets", targets(coldGets, ((Number) r.get("restart_to_ready_ms")).longValue()));
            r.put("notes", notes());
        }
        return r;
    }

    // ------------------------------------------------------------------------------------------------ gets

    /** One sampled memory of each sampled block, shuffled: no two of them ask for the same block. */
    private List<ArchiveBuilder.Sample> shuffledBlocks(List<List<ArchiveBuilder.Sample>> blocks) {
        List<ArchiveBuilder.Sample> firsts = new ArrayList<>(blocks.stream().map(b -> b.get(0)).toList());
        ArchiveBuilder.shuffle(firsts, new SplittableRandom(settings.seed() + 2));
        return firsts;
    }

    /** Gets of the last blocks read cold (still in the block cache), the other sampled memory of each too, round robin. */
    private List<ArchiveBuilder.Sample> warmSamples(List<List<ArchiveBuilder.Sample>> blocks, List<ArchiveBuilder.Sample> cold) {
        Map<String, List<ArchiveBuilder.Sample>> byBlock = new HashMap<>();
        blocks.forEach(b -> byBlock.put(b.get(0).segmentId() + "#" + b.get(0).block(), b));
        List<ArchiveBuilder.Sample> recent = cold.subList(Math.max(0, cold.size() - WARM_BLOCKS), cold.size());
        List<ArchiveBuilder.Sample> pool = new ArrayList<>();
        recent.forEach(s -> pool.addAll(byBlock.get(s.segmentId() + "#" + s.block())));
        List<ArchiveBuilder.Sample> out = new ArrayList<>();
        SplittableRandom random = new SplittableRandom(settings.seed() + 3);
        while (out.size() < settings.gets() && !pool.isEmpty()) {
            out.add(pool.get(random.nextInt(pool.size())));
        }
        return out;
    }

    /** {@code segmentsSeen}: segments the service has read before (their manifest and container head are cached). */
    private Gets gets(ArchiveService service, List<ArchiveBuilder.Sample> samples, Set<String> segmentsSeen) throws Exception {
        ArchiveReader reader = service.archiveReader();
        Gets g = new Gets(segmentsSeen);
        for (ArchiveBuilder.Sample s : samples) {
            long frames = reader.framesBytesFetched();
            long metadata = reader.metadataBytesFetched();
            long decodedBefore = reader.gets() - reader.cacheHits();
            boolean first = g.segmentsSeen.add(s.segmentId());
            long t = System.nanoTime();
            HttpResponse<String> response = get(service.url() + "/memories/" + hex(s.memoryId()));
            long nanos = System.nanoTime() - t;
            JsonNode body = JSON.readTree(response.body());
            if (response.statusCode() != 200 || !"archive".equals(body.path("location").path("source").asText())) {
                throw new IllegalStateException("GET /memories/" + hex(s.memoryId()) + " answered " + response.statusCode() + ": " + response.body());
            }
            long frameBytes = reader.framesBytesFetched() - frames;
            long blockBytes = Math.round(s.blockFrames() * s.segmentBytesPerFrame());
            g.add(nanos, first, frameBytes, reader.metadataBytesFetched() - metadata, blockBytes,
                    reader.gets() - reader.cacheHits() - decodedBefore);
        }
        return g;
    }

    /** Per-get figures of one phase. */
    private static final class Gets {
        final Latencies all = new Latencies();
        final Latencies firstOfSegment = new Latencies();
        final Latencies laterOfSegment = new Latencies();
        final Set<String> segmentsSeen;
        final List<Double> blocksWorth = new ArrayList<>();
        long frameBytes;
        long metadataBytes;
        long firstFrameBytes;
        long firstMetadataBytes;
        long blocksDecoded;

        Gets(Set<String> segmentsSeen) {
            this.segmentsSeen = segmentsSeen;
        }

        void add(long nanos, boolean first, long frames, long metadata, long blockBytes, long decoded) {
            all.add(nanos);
            (first ? firstOfSegment : laterOfSegment).add(nanos);
            frameBytes += frames;
            metadataBytes += metadata;
            if (first) {
                firstFrameBytes += frames;
                firstMetadataBytes += metadata;
            }
            blocksWorth.add(frames / (double) Math.max(1, blockBytes));
            blocksDecoded += decoded;
        }

        Map<String, Object> summary() {
            Map<String, Object> m = all.summary();
            m.put("first_get_of_a_segment", firstOfSegment.summary());
            m.put("later_gets_of_a_segment", laterOfSegment.summary());
            return m;
        }

        double blocksPerGet() {
            return Results.round(blocksDecoded / (double) Math.max(1, all.count()), 3);
        }

        Map<String, Object> bytes() {
            int n = Math.max(1, all.count());
            int firsts = firstOfSegment.count();
            int laters = laterOfSegment.count();
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("frames_mean", Math.round(frameBytes / (double) n));
            m.put("metadata_mean", Math.round(metadataBytes / (double) n));
            m.put("first_get_of_a_segment", Map.of("gets", firsts,
                    "frames_mean", firsts == 0 ? 0 : Math.round(firstFrameBytes / (double) firsts),
                    "metadata_mean", firsts == 0 ? 0 : Math.round(firstMetadataBytes / (double) firsts)));
            m.put("later_gets_of_a_segment", Map.of("gets", laters,
                    "frames_mean", laters == 0 ? 0 : Math.round((frameBytes - firstFrameBytes) / (double) laters),
                    "metadata_mean", laters == 0 ? 0 : Math.round((metadataBytes - firstMetadataBytes) / (double) laters)));
            double[] worth = blocksWorth.stream().mapToDouble(Double::doubleValue).sorted().toArray();
            m.put("frames_in_blocks_worth_mean", Results.round(blocksWorth.stream().mapToDouble(Double::doubleValue).average().orElse(0), 3));
            m.put("frames_in_blocks_worth_p95", Results.round(worth.length == 0 ? 0 : worth[Math.max(0, (int) Math.ceil(0.95 * worth.length) - 1)], 3));
            m.put("frames_in_blocks_worth_max", Results.round(worth.length == 0 ? 0 : worth[worth.length - 1], 3));
            return m;
        }
    }

    // ------------------------------------------------------------------------------------------------ timelines

    private Map<String, Object> timelines(ArchiveService service) throws Exception {
        SplittableRandom random = new SplittableRandom(settings.seed() + 4);
        Latencies latencies = new Latencies();
        long returned = 0;
        for (int i = 0; i < settings.timelines(); i++) {
            String agent = String.format("agent-%03d", random.nextInt(50));
            Instant to = ANCHOR.minus(Duration.ofDays(random.nextInt(335)));
            Instant from = to.minus(Duration.ofDays(30));
            long t = System.nanoTime();
            HttpResponse<String> response = get(service.url() + "/agents/" + agent + "/memories?from=" + from + "&to=" + to + "&limit=100");
            latencies.add(System.nanoTime() - t);
            if (response.statusCode() != 200) {
                throw new IllegalStateException("timeline of " + agent + " answered " + response.statusCode() + ": " + response.body());
            }
            returned += JSON.readTree(response.body()).path("memories").size();
        }
        Map<String, Object> m = latencies.summary();
        m.put("memories_returned_mean", Results.round(returned / (double) Math.max(1, settings.timelines()), 1));
        m.put("query", "GET /agents/{agent}/memories?from=&to=&limit=100: a random agent of 50, a random 30-day window of the year");
        return m;
    }

    // ------------------------------------------------------------------------------------------------ results

    private static Map<String, Object> targets(Gets cold, long restartMs) {
        double p95 = cold.all.percentile(95);
        double worth = ((Number) cold.bytes().get("frames_in_blocks_worth_p95")).doubleValue();
        Map<String, Object> t = new LinkedHashMap<>();
        t.put("get_by_id_p95_ms_at_most", 50);
        t.put("frames_in_blocks_worth_per_get_at_most", 2);
        t.put("restart_to_ready_ms_at_most", 30_000);
        Map<String, Object> met = new LinkedHashMap<>();
        met.put("get_by_id_p95_ms", p95 <= 50);
        met.put("frames_in_blocks_worth_p95", worth <= 2);
        met.put("restart_to_ready_ms", restartMs <= 30_000);
        t.put("met", met);
        return t;
    }

    private static List<String> notes() {
        return List.of(
                "get_by_id_p95_ms is the cold-cache figure: every get asks for a block not decoded before (one sampled memory per "
                        + "sampled block), through HTTP GET /memories/{24 hex digits}, the MongoDB lookup (a miss) included.",
                "A cold get that is the first of its segment also fetches the segment's manifest and its container head, tail and "
                        + "cues, and the frames of the segment's index section: get_by_id.cold_cache.first_get_of_a_segment and "
                        + "bytes_fetched_per_get.first_get_of_a_segment show that cost apart from later gets of the segment.",
                "frames_in_blocks_worth: frame bytes fetched by a get divided by the bytes of its block's own frames (frames of the "
                        + "block times the segment's mean bytes per frame); metadata (manifest, container head/tail) is counted apart.",
                "Before the cold gets, up to " + WARM_UP_GETS + " gets to other blocks warm the JVM up (their segments then count as "
                        + "read before).",
                "blocks_per_get: blocks decoded per get (the block cache answers warm gets without decoding).",
                "Warm-cache gets ask for memories of the last " + WARM_BLOCKS + " blocks read cold, so their blocks are in the block "
                        + "cache (service.cache.block.bytes, 256 MiB by default).",
                "Broker, MongoDB stand-in, S3 server, service and the measuring client share one JVM and the machine's 2 cores.");
    }

    // ------------------------------------------------------------------------------------------------ helpers

    private HttpResponse<String> get(String url) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(60)).GET().build(),
                HttpResponse.BodyHandlers.ofString());
    }

    private static String hex(String memoryId) {
        return MemoryDocuments.idValue(memoryId).asObjectId().getValue().toHexString();
    }

    /** Archived memories the service's catalog counts, summed over agents. */
    private long indexed(ArchiveService service) throws Exception {
        HttpResponse<String> response = get(service.url() + "/agents");
        if (response.statusCode() != 200) {
            return -1;
        }
        long n = 0;
        for (JsonNode agent : JSON.readTree(response.body()).path("agents")) {
            n += agent.path("locations").path("archive").asLong();
        }
        return n;
    }

    private void awaitIndexed(ArchiveService service, long memories, Duration timeout) throws Exception {
        long deadline = System.nanoTime() + timeout.toNanos();
        long lastReport = System.nanoTime();
        while (true) {
            long n = service.ready() ? indexed(service) : -1;
            if (n >= memories) {
                return;
            }
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("the catalog index holds " + n + " of " + memories + " memories after " + timeout);
            }
            if (System.nanoTime() - lastReport > 10_000_000_000L) {
                progress.accept(String.format("  catalog index: %,d of %,d memories", Math.max(0, n), memories));
                lastReport = System.nanoTime();
            }
            Thread.sleep(200);
        }
    }

    private static void awaitReady(ArchiveService service, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!service.ready()) {
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("the restarted service was not ready within " + timeout);
            }
            Thread.sleep(5);
        }
    }

    private static Map<String, Object> serviceConfig(LocalStack stack, Map<String, Object> storeKeys, Path work) {
        Map<String, Object> values = new HashMap<>(storeKeys);
        values.put(SegmentStoreConfig.S3_CACHE_DIR, work.resolve("service-s3-cache").toString());
        values.put(CommonConfigKeys.BOOTSTRAP_SERVERS, stack.bootstrapServers());
        values.put(CommonConfigKeys.TOPIC_PREFIX, PREFIX);
        values.put(CommonConfigKeys.MONGODB_URI, stack.mongoUri());
        values.put(CommonConfigKeys.MONGODB_DATABASE, stack.database());
        values.put(CommonConfigKeys.MONGODB_COLLECTION, stack.collection());
        values.put(ArchiveServiceConfig.APPLICATION_ID, "bench-archive-read");
        values.put(ArchiveServiceConfig.STATE_DIR, work.resolve("service-state").toString());
        values.put(ArchiveServiceConfig.CACHE_DIR, work.resolve("service-cache").toString());
        values.put(ArchiveServiceConfig.HTTP_PORT, "0");
        values.put(CommonConfigKeys.OPS_PORT, "0");
        return values;
    }

    private static Map<String, Object> archive(ArchiveBuilder.Built b, int blockBytes) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("memories", b.memories());
        m.put("block_target_bytes", blockBytes);
        m.put("block_target_is_the_writers_default", blockBytes == SegmentOptions.DEFAULT_BLOCK_TARGET_BYTES);
        m.put("segments", b.segments());
        m.put("records_per_segment", ArchiveBuilder.RECORDS_PER_SEGMENT);
        m.put("blocks", b.blocks());
        m.put("frames", b.frames());
        m.put("video_bytes", b.videoBytes());
        m.put("manifest_bytes", b.manifestBytes());
        m.put("raw_bson_bytes", b.rawBytes());
        m.put("video_bytes_per_memory", Results.round(b.videoBytes() / (double) b.memories(), 1));
        m.put("mean_block_frames", Results.round(b.frames() / (double) Math.max(1, b.blocks()), 1));
        m.put("build_seconds", Results.round(b.seconds(), 1));
        m.put("build_memories_per_s", Results.round(b.memories() / b.seconds(), 0));
        m.put("store", "s3 (S3Proxy in this JVM on a directory; ranged GETs over HTTP)");
        return m;
    }

    private static Map<String, Object> environment() {
        Map<String, Object> env = new LinkedHashMap<>();
        env.put("cores", Runtime.getRuntime().availableProcessors());
        env.put("java", System.getProperty("java.version"));
        env.put("jvm_args", ManagementFactory.getRuntimeMXBean().getInputArguments());
        env.put("max_heap_bytes", Runtime.getRuntime().maxMemory());
        env.put("load_average_1m_at_start", Results.round(ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage(), 2));
        env.put("started", Instant.now().toString());
        return env;
    }
}
