package io.coldframe.bench;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.SplittableRandom;
import java.util.function.Consumer;

import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.utils.AppInfoParser;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.TestInputTopic;
import org.apache.kafka.streams.TestOutputTopic;
import org.apache.kafka.streams.TopologyTestDriver;
import org.bson.BsonArray;
import org.bson.BsonDateTime;
import org.bson.BsonDocument;
import org.bson.BsonDouble;
import org.bson.BsonInt32;
import org.bson.BsonObjectId;
import org.bson.BsonString;
import org.bson.types.ObjectId;

import io.coldframe.common.MemoryDocuments;
import io.coldframe.common.MemoryFields;
import io.coldframe.common.Topics;
import io.coldframe.schemas.Tier;
import io.coldframe.streams.RestoreHolds;
import io.coldframe.streams.RuleBasedPolicy;
import io.coldframe.streams.TieringMetrics;
import io.coldframe.streams.TieringTopology;

/**
 * Benchmark of the tiering topology: the real topology and default rules, RocksDB stores, driven by a
 * TopologyTestDriver (one task, one thread, no broker).
 *
 * <p>It ingests {@code records} insert events of realistic memories (about 600 bytes each). Every memory is in the
 * due index; a fraction {@code dueFraction} of the store comes due in each measured round (they turn warm or cold
 * on their seventh day), the rest days later. Each round then advances the wall clock, which runs one
 * punctuation, and times it. What the punctuation costs should depend on how many memories are due, not on how
 * many are stored: that is what the due index is for. A last round with nothing due shows the fixed cost of a
 * punctuation (index seek, commit).
 *
 * <p>Ingest throughput excludes generating the events and draining the driver's captured output, and includes
 * everything the topology does per event (parse, map, decide, RocksDB reads and writes, changelog records). A
 * throwaway run on up to 30,000 records warms the JIT first.
 */
public final class TieringBenchmark {

    private static final Instant START = Instant.parse("2026-06-01T00:00:00Z");
    private static final Duration ROUND = Duration.ofMinutes(2);
    private static final int BATCH = 10_000;
    private static final long WARMUP_RECORDS = 30_000;
    private static final Duration SETTLE = Duration.ofSeconds(5);
    private static final String APPLICATION_ID = "tiering-bench";
    private static final List<String> TYPES = List.of("INTERACTION", "CONTEXT", "LEARNING", "SYSTEM_STATE", "PERFORMANCE",
            "ERROR", "GOAL", "BELIEF", "PLAN");
    private static final String[] WORDS = {"user", "asked", "about", "invoice", "deployment", "failed", "retry", "latency",
            "plan", "migration", "approved", "index", "customer", "report", "weekly", "certificate", "expired", "pipeline",
            "rolled", "back", "memory", "leak", "worker", "summary", "search", "onboarding", "flow", "order", "duplicated"};
    private static final String[] TAGS = {"billing", "infra", "ux", "support", "ml", "security", "ops", "sales", "research", "qa"};

    private TieringBenchmark() {
    }

    /**
     * The measurements. {@code due} is the number of memories due in each measured round; the punctuation figures
     * are the median over the rounds.
     */
    public record Result(long records, double dueFraction, long due, int rounds, long dueIndexEntries, long ingestMs,
                         double ingestRecordsPerS, double punctuationMs, List<Double> punctuationRoundsMs,
                         double punctuationRecordsPerS, double idlePunctuationMs, long transitionsPerRound, boolean verified,
                         double averageEventBytes, long stateDirBytes, long heapUsedBytes, long warmupRecords,
                         long settleMs, Map<String, String> environment) {

        /** The results as written to the JSON file. */
        public Map<String, Object> toMap() {
            Map<String, Object> json = new LinkedHashMap<>();
            json.put("benchmark", "tiering");
            json.put("records", records);
            json.put("due_fraction", dueFraction);
            json.put("due", due);
            json.put("ingest_records_per_s", round(ingestRecordsPerS));
            json.put("punctuation_ms", round(punctuationMs));
            json.put("punctuation_records_per_s", round(punctuationRecordsPerS));
            json.put("ingest_ms", ingestMs);
            json.put("rounds", rounds);
            json.put("punctuation_ms_rounds", punctuationRoundsMs.stream().map(Result::round).toList());
            json.put("idle_punctuation_ms", round(idlePunctuationMs));
            json.put("transitions_per_round", transitionsPerRound);
            json.put("verified", verified);
            json.put("due_index_entries", dueIndexEntries);
            json.put("average_event_bytes", round(averageEventBytes));
            json.put("state_dir_bytes", stateDirBytes);
            json.put("heap_used_bytes", heapUsedBytes);
            json.put("warmup_records", warmupRecords);
            json.put("settle_ms_before_rounds", settleMs);
            json.put("environment", environment);
            return json;
        }

        private static double round(double value) {
            return Math.round(value * 100) / 100.0;
        }
    }

    public static Result run(long records, double dueFraction) throws IOException {
        return run(records, dueFraction, 9, null, message -> { });
    }

    /**
     * @param rounds   measured punctuations, each with {@code records * dueFraction} memories due
     * @param stateDir where the RocksDB stores go; null for a temporary directory, deleted afterwards
     * @param progress receives a line now and then
     */
    public static Result run(long records, double dueFraction, int rounds, Path stateDir, Consumer<String> progress) throws IOException {
        if (records < 1 || !(dueFraction > 0 && dueFraction <= 1) || rounds < 1) {
            throw new IllegalArgumentException("need records >= 1, 0 < due fraction <= 1 and rounds >= 1");
        }
        if (Math.max(1, Math.round(records * dueFraction)) * rounds > records) {
            throw new IllegalArgumentException("due fraction " + dueFraction + " times " + rounds + " rounds exceeds the records");
        }
        // Warm the JIT on a throwaway store first, so that small runs do not mostly measure compilation.
        long warmup = records >= 1_000 ? Math.min(records, WARMUP_RECORDS) : 0;
        if (warmup > 0) {
            progress.accept(String.format(Locale.ROOT, "warming up on %,d records", warmup));
            measure(warmup, 0.01, 2, null, message -> { }, 0, Duration.ZERO);
        }
        return measure(records, dueFraction, rounds, stateDir, progress, warmup, records >= 100_000 ? SETTLE : Duration.ZERO);
    }

    private static Result measure(long records, double dueFraction, int rounds, Path stateDir, Consumer<String> progress,
                                  long warmupRecords, Duration settle) throws IOException {
        long duePerRound = Math.max(1, Math.round(records * dueFraction));
        boolean temporary = stateDir == null;
        Path dir = temporary ? Files.createTempDirectory("coldframe-tiering-bench") : stateDir;
        Properties props = new Properties();
        props.put(StreamsConfig.APPLICATION_ID_CONFIG, APPLICATION_ID);
        props.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, "unused:9092");
        props.put(StreamsConfig.STATE_DIR_CONFIG, dir.toString());
        Topics topics = Topics.withDefaultPrefix();
        TieringMetrics metrics = TieringMetrics.inMemory();
        int maxDue = (int) Math.min(Integer.MAX_VALUE, Math.max(10_000, duePerRound));
        Generator generator = new Generator(records, duePerRound, rounds);
        try (TopologyTestDriver driver = new TopologyTestDriver(
                TieringTopology.build(topics, RuleBasedPolicy.defaults(), Duration.ofSeconds(10), maxDue,
                        TieringTopology.DEFAULT_CENSUS_PER_PUNCTUATION, metrics, RestoreHolds.NONE), props, START)) {
            TestInputTopic<byte[], byte[]> input = driver.createInputTopic(topics.changes(), new ByteArraySerializer(), new ByteArraySerializer());
            Map<String, TestOutputTopic<byte[], byte[]>> outputs = new HashMap<>();
            long ingestNanos = 0;
            long eventBytes = 0;
            List<byte[]> batch = new ArrayList<>(BATCH);
            long nextReport = records / 10;
            for (long i = 0; i < records; ) {
                batch.clear();
                for (int b = 0; b < BATCH && i < records; b++, i++) {
                    byte[] event = generator.event(i);
                    eventBytes += event.length;
                    batch.add(event);
                }
                long started = System.nanoTime();
                for (byte[] event : batch) {
                    input.pipeInput(null, event);
                }
                ingestNanos += System.nanoTime() - started;
                drain(driver, outputs);
                if (i >= nextReport) {
                    progress.accept(String.format(Locale.ROOT, "ingested %,d of %,d (%.0f records/s)", i, records, i / (ingestNanos / 1e9)));
                    nextReport += records / 10;
                }
            }
            long stored = metrics.memories(Tier.HOT) + metrics.memories(Tier.WARM) + metrics.memories(Tier.COLD);
            long indexEntries = countIndex(driver);

            // Let RocksDB finish flushing and compacting what the ingest wrote (background threads, 2 cores here), so
            // that the rounds measure punctuations rather than the tail of the ingest.
            progress.accept("settling " + settle.toSeconds() + " s before the rounds");
            try {
                Thread.sleep(settle.toMillis());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IOException("interrupted", e);
            }
            List<Double> roundsMs = new ArrayList<>();
            boolean verified = stored == records && indexEntries == records && metrics.deadLetters() == 0;
            long transitionsPerRound = -1;
            for (int r = 0; r < rounds; r++) {
                double before = metrics.transitions();
                long started = System.nanoTime();
                driver.advanceWallClockTime(ROUND);
                roundsMs.add((System.nanoTime() - started) / 1e6);
                long transitions = Math.round(metrics.transitions() - before);
                verified &= transitions == duePerRound && metrics.dueBacklog() == 0;
                transitionsPerRound = r == 0 ? transitions : Math.min(transitionsPerRound, transitions);
                drain(driver, outputs);
                progress.accept(String.format(Locale.ROOT, "round %d: %,d due, punctuation %.1f ms", r + 1, transitions, roundsMs.get(r)));
            }
            double idleBefore = metrics.transitions();
            long idleStarted = System.nanoTime();
            driver.advanceWallClockTime(ROUND);
            double idleMs = (System.nanoTime() - idleStarted) / 1e6;
            verified &= metrics.transitions() == idleBefore;
            drain(driver, outputs);

            List<Double> sorted = new ArrayList<>(roundsMs);
            sorted.sort(Double::compare);
            double median = sorted.get(sorted.size() / 2);
            long heapUsed = ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
            long stateBytes = sizeOf(dir);
            return new Result(records, dueFraction, duePerRound, rounds, indexEntries, ingestNanos / 1_000_000,
                    records / (ingestNanos / 1e9), median, roundsMs, duePerRound / (median / 1000), idleMs, transitionsPerRound,
                    verified, (double) eventBytes / records, stateBytes, heapUsed, warmupRecords, settle.toMillis(), environment());
        } finally {
            if (temporary) {
                deleteRecursively(dir);
            }
        }
    }

    private static long countIndex(TopologyTestDriver driver) {
        long n = 0;
        try (var all = driver.getKeyValueStore(TieringTopology.DUE_INDEX_STORE).all()) {
            while (all.hasNext()) {
                all.next();
                n++;
            }
        }
        return n;
    }

    /** The driver keeps every record produced (tier topics and changelogs) until read; reading keeps memory flat. */
    private static void drain(TopologyTestDriver driver, Map<String, TestOutputTopic<byte[], byte[]>> outputs) {
        for (String topic : driver.producedTopicNames()) {
            TestOutputTopic<byte[], byte[]> output = outputs.computeIfAbsent(topic,
                    t -> driver.createOutputTopic(t, new ByteArrayDeserializer(), new ByteArrayDeserializer()));
            while (!output.isEmpty()) {
                output.readRecord();
            }
        }
    }

    private static Map<String, String> environment() {
        Map<String, String> environment = new java.util.LinkedHashMap<>();
        environment.put("harness", "TopologyTestDriver, one task, RocksDB persistent stores (Kafka Streams defaults), default rules");
        environment.put("kafka_streams", AppInfoParser.getVersion());
        environment.put("java", System.getProperty("java.vm.name") + " " + System.getProperty("java.version"));
        environment.put("os", System.getProperty("os.name") + " " + System.getProperty("os.arch"));
        environment.put("cpus", Integer.toString(Runtime.getRuntime().availableProcessors()));
        environment.put("max_heap_mb", Long.toString(Runtime.getRuntime().maxMemory() / (1024 * 1024)));
        environment.put("measured_at", Instant.now().toString());
        return environment;
    }

    private static long sizeOf(Path dir) throws IOException {
        long[] total = {0};
        Files.walkFileTree(dir, new SimpleFileVisitor<>() {
            @Override
            public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) {
                total[0] += attrs.size();
                return FileVisitResult.CONTINUE;
            }
        });
        return total[0];
    }

    private static void deleteRecursively(Path dir) throws IOException {
        if (!Files.exists(dir)) {
            return;
        }
        Files.walkFileTree(dir, new SimpleFileVisitor<>() {
            @Override
            public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) throws IOException {
                Files.delete(file);
                return FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult postVisitDirectory(Path d, IOException e) throws IOException {
                Files.delete(d);
                return FileVisitResult.CONTINUE;
            }
        });
    }

    /**
     * Deterministic insert events. Memories whose index is a multiple of the stride are due, round by round; the
     * others are between 0 and 6 days old, so none comes due within the benchmark.
     */
    private static final class Generator {

        private final long stride;
        private final long dueTotal;
        private final int rounds;
        private final SplittableRandom random = new SplittableRandom(42);

        Generator(long records, long duePerRound, int rounds) {
            this.dueTotal = duePerRound * rounds;
            this.stride = records / dueTotal;
            this.rounds = rounds;
        }

        byte[] event(long i) {
            Instant created;
            if (i % stride == 0 && i / stride < dueTotal) {
                int round = (int) ((i / stride) % rounds);
                // due within round r's window: its next change (7 days and 1 ms after creation) falls in
                // (START + r * ROUND, START + (r + 1) * ROUND - 1 s]
                long windowStart = START.plus(ROUND.multipliedBy(round)).toEpochMilli() + 1;
                long nextChange = windowStart + random.nextLong(ROUND.toMillis() - 1_000);
                created = Instant.ofEpochMilli(nextChange - Duration.ofDays(7).toMillis() - 1);
            } else {
                created = START.minusMillis(random.nextLong(Duration.ofDays(6).toMillis()));
            }
            long ageMs = Math.max(1, START.toEpochMilli() - created.toEpochMilli());
            BsonDocument document = new BsonDocument(MemoryFields.ID, new BsonObjectId(objectId(created)))
                    .append(MemoryFields.AGENT, new BsonString(String.format("agent-%03d", random.nextInt(50))))
                    .append(MemoryFields.TYPE, new BsonString(TYPES.get(random.nextInt(TYPES.size()))))
                    .append(MemoryFields.IMPORTANCE, new BsonString(importance()))
                    .append(MemoryFields.CREATED_AT, new BsonDateTime(created.toEpochMilli()))
                    .append(MemoryFields.LAST_ACCESSED_AT, new BsonDateTime(created.toEpochMilli() + random.nextLong(ageMs)))
                    .append(MemoryFields.ACCESS_COUNT, new BsonInt32(random.nextInt(20)))
                    .append("content", new BsonDocument("text", new BsonString(text()))
                            .append("confidence", new BsonDouble(random.nextInt(1000) / 1000.0)))
                    .append("tags", new BsonArray(List.of(new BsonString(TAGS[random.nextInt(TAGS.length)]),
                            new BsonString(TAGS[random.nextInt(TAGS.length)]))));
            BsonDocument event = new BsonDocument("operationType", new BsonString("insert"))
                    .append("documentKey", new BsonDocument(MemoryFields.ID, document.get(MemoryFields.ID)))
                    .append("fullDocument", document);
            return MemoryDocuments.toCanonicalJson(event).getBytes(StandardCharsets.UTF_8);
        }

        private ObjectId objectId(Instant created) {
            byte[] bytes = new byte[12];
            int seconds = (int) created.getEpochSecond();
            bytes[0] = (byte) (seconds >>> 24);
            bytes[1] = (byte) (seconds >>> 16);
            bytes[2] = (byte) (seconds >>> 8);
            bytes[3] = (byte) seconds;
            for (int b = 4; b < 12; b++) {
                bytes[b] = (byte) random.nextInt(256);
            }
            return new ObjectId(bytes);
        }

        private String importance() {
            int roll = random.nextInt(100);
            return roll < 5 ? "CRITICAL" : roll < 25 ? "HIGH" : roll < 70 ? "MEDIUM" : "LOW";
        }

        private String text() {
            StringBuilder text = new StringBuilder();
            int words = 30 + random.nextInt(40);
            for (int w = 0; w < words; w++) {
                text.append(w == 0 ? "" : " ").append(WORDS[random.nextInt(WORDS.length)]);
            }
            return text.toString();
        }
    }

}
