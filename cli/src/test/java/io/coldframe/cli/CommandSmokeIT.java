package io.coldframe.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Stream;

import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.bson.BsonDocument;
import org.bson.BsonString;
import org.bson.json.JsonMode;
import org.bson.json.JsonWriterSettings;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;

import com.mongodb.client.MongoClient;
import com.mongodb.client.MongoClients;

import io.coldframe.common.Topics;
import io.coldframe.hotcache.HotKeys;
import io.coldframe.local.EmbeddedKafka;
import io.coldframe.local.EmbeddedMongo;
import io.coldframe.local.EmbeddedRedis;
import io.coldframe.schemas.AvroSerde;
import io.coldframe.schemas.CatalogEntry;
import io.coldframe.testkit.MemoryGenerator;

import picocli.CommandLine;

import redis.clients.jedis.RedisClient;

/**
 * Every command as shipped: the packaged {@code target/coldframe.jar} with its {@code lib/} class path, started as its
 * own process the way {@code bin/coldframe} starts it, at tiny sizes. A command that no longer runs end to end (a
 * missing main class, a class not on the shipped class path, an option that no longer parses) fails here.
 * {@link #everyCommandHasASmokeTest} keeps the list complete: a new command without a run here fails the build.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class CommandSmokeIT {

    /** Leaf commands run below; compared with the commands the CLI registers. */
    private static final Set<String> COVERED = Set.of("demo", "segment encode", "segment inspect", "segment verify",
            "segment get", "segment cat", "restore", "rules check", "bench segment", "bench tiering", "bench archiver",
            "bench pipeline", "bench archive-read", "chaos", "gc", "erase", "scrub", "up", "mongo init", "import", "hot-cache check",
            "bench hot-cache", "retention run");

    @TempDir
    static Path dir;

    private static Path jsonl;
    private static String firstId;
    private static List<String> ids;

    @BeforeAll
    static void corpus() throws IOException {
        List<BsonDocument> documents = new MemoryGenerator(7, Instant.parse("2025-01-01T00:00:00Z")).generate(40);
        JsonWriterSettings relaxed = JsonWriterSettings.builder().outputMode(JsonMode.RELAXED).build();
        List<String> lines = new ArrayList<>();
        documents.forEach(d -> lines.add(d.toJson(relaxed)));
        jsonl = Files.write(dir.resolve("memories.jsonl"), lines, StandardCharsets.UTF_8);
        firstId = documents.get(0).getObjectId("_id").getValue().toHexString();
        ids = documents.stream().map(d -> "{\"$oid\": \"" + d.getObjectId("_id").getValue().toHexString() + "\"}").toList();
    }

    @Test
    void everyCommandHasASmokeTest() {
        assertThat(leafCommands(new CommandLine(new ColdframeCli()), "")).containsExactlyInAnyOrderElementsOf(COVERED);
    }

    @Test
    void helpAndVersion() throws Exception {
        assertThat(run("--help").out()).contains("demo", "segment", "restore", "rules", "bench", "chaos");
        assertThat(run("--version").out()).contains("coldframe");
    }

    @Test
    @Order(1)
    void segmentCommands() throws Exception {
        Path segments = dir.resolve("segments");
        assertThat(run("segment", "encode", jsonl.toString(), "--out", segments.toString(), "--id", "smoke-0").out()).contains("smoke-0");
        Path video = segments.resolve("smoke-0.mkv");
        assertThat(video).isRegularFile();
        assertThat(run("segment", "inspect", video.toString()).out()).contains("smoke-0");
        assertThat(run("segment", "verify", segments.toString()).exitCode()).isZero();
        assertThat(run("segment", "get", video.toString(), firstId).out()).contains(firstId);
        assertThat(run("segment", "cat", video.toString()).out().lines().count()).isEqualTo(40);
    }

    @Test
    @Order(2)
    void restoreFromALocalStoreWithoutKafka() throws Exception {
        try (EmbeddedMongo mongo = EmbeddedMongo.start()) {
            ShippedCli.Result restore = run("restore", "--segment", "smoke-0", "--archive-dir", dir.resolve("segments").toString(),
                    "--mongo-uri", mongo.connectionString(), "--no-mark", "--bootstrap-servers", "127.0.0.1:1", "--kafka-timeout", "2s");
            assertThat(restore.out()).contains("restored 40");
        }
    }

    @Test
    @Order(3)
    void scrubAndGcOfALocalStore() throws Exception {
        String archive = dir.resolve("segments").toString();
        Path metrics = dir.resolve("scrub.prom");
        assertThat(run("scrub", "--archive-dir", archive, "--metrics-file", metrics.toString()).out()).contains("scrubbed 1 of 1", "0 failed");
        assertThat(Files.readString(metrics)).contains("coldframe_scrub_segments_failed 0.0");

        Path rotten = Files.createDirectories(dir.resolve("rotten"));
        Files.copy(dir.resolve("segments").resolve("smoke-0.manifest.json"), rotten.resolve("smoke-0.manifest.json"));
        byte[] video = Files.readAllBytes(dir.resolve("segments").resolve("smoke-0.mkv"));
        for (int i = video.length / 3; i < video.length * 2 / 3; i += 61) {
            video[i] ^= 0x5a;
        }
        Files.write(rotten.resolve("smoke-0.mkv"), video);
        assertThat(run(1, "scrub", "--archive-dir", rotten.toString()).out()).contains("FAILED smoke-0", "1 failed");

        // without a readable catalog gc removes nothing and says so
        assertThat(run(1, "gc", "--archive-dir", archive, "--bootstrap-servers", "127.0.0.1:1", "--kafka-timeout", "2s").out())
                .contains("nothing was removed");
        try (EmbeddedKafka kafka = EmbeddedKafka.builder().start()) {
            Topics topics = new Topics("smoke");
            kafka.createTopic(topics.catalog(), 1, Map.of("cleanup.policy", "compact"));
            Properties props = new Properties();
            props.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers());
            props.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class);
            props.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class);
            String memoryId = "{\"$oid\": \"" + firstId + "\"}";
            try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(props)) {
                producer.send(new ProducerRecord<>(topics.catalog(), memoryId.getBytes(StandardCharsets.UTF_8), AvroSerde.of(CatalogEntry.class)
                        .encode(new CatalogEntry(memoryId, "a", "v", "smoke-0", "file:///smoke-0.mkv", 0, 0, 1, Instant.now(), null, null)))).get();
            }
            assertThat(run("gc", "--archive-dir", archive, "--bootstrap-servers", kafka.bootstrapServers(), "--topic-prefix", "smoke",
                    "--delete").out()).contains("1 segments", "1 referenced", "0 removed");
        }
        assertThat(dir.resolve("segments").resolve("smoke-0.mkv")).isRegularFile();
    }

    @Test
    @Order(4)
    void eraseRewritesTheSegmentWithoutTheMemoryAndASecondRunFindsNothing() throws Exception {
        Path archive = Files.createDirectories(dir.resolve("erase-archive"));
        for (String file : List.of("smoke-0.mkv", "smoke-0.manifest.json")) {
            Files.copy(dir.resolve("segments").resolve(file), archive.resolve(file));
        }
        try (EmbeddedKafka kafka = EmbeddedKafka.builder().start(); EmbeddedMongo mongo = EmbeddedMongo.start()) {
            Topics topics = new Topics("smoke");
            kafka.createTopic(topics.catalog(), 1, Map.of("cleanup.policy", "compact"));
            kafka.createTopic(topics.hot(), 1, Map.of("cleanup.policy", "compact"));
            kafka.createTopic(topics.warm(), 1, Map.of("cleanup.policy", "compact"));
            String[] erase = {"erase", "--id", firstId, "--archive-dir", archive.toString(), "--bootstrap-servers", kafka.bootstrapServers(),
                    "--topic-prefix", "smoke", "--mongo-uri", mongo.connectionString()};
            BsonDocument receipt = jsonIn(run(erase).out());
            assertThat(receipt.getArray("segments")).hasSize(1);
            assertThat(receipt.getArray("segments").get(0).asDocument().getString("outcome").getValue()).isEqualTo("rewritten");
            assertThat(receipt.getArray("segments").get(0).asDocument().getInt32("kept").getValue()).isEqualTo(39);
            try (var files = Files.list(archive)) {
                assertThat(files.map(f -> f.getFileName().toString())).noneMatch(name -> name.equals("smoke-0.mkv"))
                        .anyMatch(name -> name.startsWith("smoke-0.rw") && name.endsWith(".mkv"));
            }
            assertThat(jsonIn(run(erase).out()).getArray("segments")).isEmpty();

            try (MongoClient client = MongoClients.create(mongo.connectionString())) {
                client.getDatabase("coldframe").getCollection("memories", BsonDocument.class)
                        .insertOne(BsonDocument.parse("{_id: 'agent-doc', agent_id: 'smoke-agent'}"));
            }
            String[] eraseAgent = {"erase", "--agent", "smoke-agent", "--archive-dir", archive.toString(), "--bootstrap-servers",
                    kafka.bootstrapServers(), "--topic-prefix", "smoke", "--mongo-uri", mongo.connectionString()};
            BsonDocument agentReceipt = jsonIn(run(eraseAgent).out());
            assertThat(agentReceipt.getArray("memory_ids")).containsExactly(new BsonString("\"agent-doc\""));
            assertThat(agentReceipt.getDocument("mongodb").getNumber("deleted").longValue()).isEqualTo(1);
            assertThat(jsonIn(run(eraseAgent).out()).getArray("memory_ids")).isEmpty();

            kafka.createTopic(topics.erasureRequests(), 1, Map.of());
            kafka.createTopic(topics.erasureReceipts(), 1, Map.of());
            try (MongoClient client = MongoClients.create(mongo.connectionString())) {
                client.getDatabase("coldframe").getCollection("memories", BsonDocument.class)
                        .insertOne(BsonDocument.parse("{_id: 'requested', agent_id: 'smoke-agent'}"));
            }
            try (ShippedCli.Running follower = new ShippedCli(dir).start("erase", "--follow-requests", "--archive-dir", archive.toString(),
                    "--bootstrap-servers", kafka.bootstrapServers(), "--topic-prefix", "smoke", "--mongo-uri", mongo.connectionString())) {
                follower.awaitLine("following smoke.erasure.requests", Duration.ofSeconds(60));
                Properties producerProps = new Properties();
                producerProps.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers());
                producerProps.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class);
                producerProps.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class);
                try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(producerProps)) {
                    producer.send(new ProducerRecord<>(topics.erasureRequests(), "req-1".getBytes(StandardCharsets.UTF_8),
                            "{\"request_id\": \"req-1\", \"agents\": [\"smoke-agent\"]}".getBytes(StandardCharsets.UTF_8))).get();
                }
                BsonDocument requestReceipt = BsonDocument.parse(firstRecord(kafka, topics.erasureReceipts()));
                assertThat(requestReceipt.getString("request_id").getValue()).isEqualTo("req-1");
                assertThat(requestReceipt.getArray("memory_ids")).containsExactly(new BsonString("\"requested\""));
                assertThat(requestReceipt.getDocument("mongodb").getNumber("deleted").longValue()).isEqualTo(1);
            }
        }
    }

    @Test
    @Order(5)
    void retentionExpiresASegmentWhollyPastItAndASecondRunDoesNothing() throws Exception {
        Path archive = Files.createDirectories(dir.resolve("retention-archive"));
        for (String file : List.of("smoke-0.mkv", "smoke-0.manifest.json")) {
            Files.copy(dir.resolve("segments").resolve(file), archive.resolve(file));
        }
        Path rules = Files.writeString(dir.resolve("retention-rules.yaml"), "cold: {retain: 12mo}\nrules:\n  - {name: all, tier: COLD}\n");
        try (EmbeddedKafka kafka = EmbeddedKafka.builder().start()) {
            Topics topics = new Topics("smoke");
            kafka.createTopic(topics.catalog(), 1, Map.of("cleanup.policy", "compact"));
            kafka.createTopic(topics.lifecycleAudit(), 1, Map.of());
            Properties props = new Properties();
            props.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers());
            props.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class);
            props.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class);
            Instant longAgo = Instant.now().minus(java.time.Duration.ofDays(800));
            try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(props)) {
                for (String id : ids) {
                    producer.send(new ProducerRecord<>(topics.catalog(), id.getBytes(StandardCharsets.UTF_8), AvroSerde.of(CatalogEntry.class)
                            .encode(new CatalogEntry(id, "a", "v", "smoke-0", "file:///smoke-0.mkv", 0, 0, 1, longAgo, longAgo, null)))).get();
                }
            }
            String[] retention = {"retention", "run", "--rules", rules.toString(), "--archive-dir", archive.toString(),
                    "--bootstrap-servers", kafka.bootstrapServers(), "--topic-prefix", "smoke"};

            BsonDocument dryRun = jsonIn(run(concat(retention, "--dry-run")).out());
            assertThat(dryRun.getArray("segments").get(0).asDocument().getString("decision").getValue()).isEqualTo("expire");
            assertThat(archive.resolve("smoke-0.mkv")).isRegularFile();

            BsonDocument report = jsonIn(run(retention).out());
            assertThat(report.getString("retain").getValue()).isEqualTo("12mo");
            assertThat(report.getArray("segments")).singleElement().satisfies(segment -> {
                assertThat(segment.asDocument().getString("outcome").getValue()).isEqualTo("expired");
                assertThat(segment.asDocument().getInt32("expired_records").getValue()).isEqualTo(40);
            });
            assertThat(archive.resolve("smoke-0.mkv")).doesNotExist();
            assertThat(jsonIn(run(retention).out()).getArray("segments")).isEmpty();
        }
    }

    private static String[] concat(String[] args, String... more) {
        List<String> all = new ArrayList<>(List.of(args));
        all.addAll(List.of(more));
        return all.toArray(String[]::new);
    }

    @Test
    void mongoInitCreatesTheIndexPlanOnce() throws Exception {
        try (EmbeddedMongo mongo = EmbeddedMongo.start()) {
            String first = run("mongo", "init", "--mongo-uri", mongo.connectionString()).out();
            assertThat(jsonIn(first).getInt32("created").getValue()).isEqualTo(3);
            String second = run("mongo", "init", "--mongo-uri", mongo.connectionString()).out();
            assertThat(jsonIn(second).getInt32("existed").getValue()).isEqualTo(3);
        }
    }

    @Test
    void importUpsertsOnceAndASecondRunChangesNothing() throws Exception {
        try (EmbeddedMongo mongo = EmbeddedMongo.start()) {
            Path report = dir.resolve("import-parity.json");
            assertThat(run("import", jsonl.toString(), "--mongo-uri", mongo.connectionString(), "--report", report.toString()).out())
                    .contains("read 40, inserted 40", "checksums match");
            assertThat(run("import", jsonl.toString(), "--mongo-uri", mongo.connectionString()).out()).contains("unchanged 40", "nothing changed");
            assertThat(BsonDocument.parse(Files.readString(report)).getDocument("parity").getBoolean("match").getValue()).isTrue();
        }
    }

    @Test
    void hotCacheCheckReportsAgreementAndDivergence() throws Exception {
        try (EmbeddedKafka kafka = EmbeddedKafka.builder().start(); EmbeddedRedis redis = EmbeddedRedis.start()) {
            kafka.createTopics(List.of(new NewTopic("smoke.tier.hot", 1, (short) 1)));
            String[] check = {"hot-cache", "check", "--bootstrap-servers", kafka.bootstrapServers(), "--topic-prefix", "smoke",
                "--redis-url", redis.url(), "--wait", "1s"};
            ShippedCli.Result agreeing = run(check);
            assertThat(agreeing.exitCode()).isZero();
            assertThat(agreeing.out()).contains("\"consistent\" : true");

            try (RedisClient client = RedisClient.create(URI.create(redis.url()))) {
                client.zadd(HotKeys.memories("agent-x"), 1, "\"stray\"");
            }
            ShippedCli.Result diverging = run(1, check);
            assertThat(diverging.exitCode()).isEqualTo(1);
            assertThat(diverging.out()).contains("\"kind\" : \"extra\"", "stray");
            assertThat(diverging.out()).contains("differences between Redis and the tier topics");
        }
    }

    @Test
    void upServesTheStackUntilInterrupted() throws Exception {
        ShippedCli.Running up = new ShippedCli(dir).start("up", "--port", "0");
        try (up) {
            String service = up.awaitLine("service: http://", Duration.ofMinutes(3)).substring("service: ".length());
            assertThat(up.output()).contains("mongodb: mongodb://", "kafka: 127.0.0.1:", "connect: http://", "archive: ", "redis: redis://");
            assertThat(get(service + "/stats").statusCode()).isEqualTo(200);
        }
        assertThat(up.output()).as("its shutdown hook ran").contains("stopping ...");
        String stopping = up.output().substring(up.output().indexOf("stopping ..."));
        // a stop past --stop-timeout halts with every thread's stack: the bound is the guarantee, the stack is for us to read
        assertThat(stopping).containsAnyOf("stopped the embedded stack in ", "; halting. Every thread's stack:");
        if (!stopping.contains("stopped the embedded stack in ")) {
            System.err.println("coldframe up halted at its stop timeout:\n" + stopping);
        }
    }

    @Test
    void demoServeStaysUpAfterItsSummary() throws Exception {
        Path summary = dir.resolve("serve-summary.json");
        try (ShippedCli.Running demo = new ShippedCli(dir).start("demo", "--docs", "200", "--serve", "--port", "0",
                "--summary", summary.toString())) {
            String service = demo.awaitLine("service: http://", Duration.ofMinutes(5)).substring("service: ".length());
            assertThat(demo.output()).contains("coldframe demo summary");
            assertThat(BsonDocument.parse(Files.readString(summary)).getNumber("lost").longValue()).isZero();
            // 503 until the catalog index has caught up with the catalog topic
            await().atMost(Duration.ofSeconds(90)).until(() -> get(service + "/agents").statusCode() == 200);
            // tiers from the tier topics the demo's streams app wrote, locations from MongoDB and the catalog
            assertThat(get(service + "/agents").body()).contains("\"agent\"", "\"tiers\":{\"hot\":", "\"locations\":");
        }
    }

    private static HttpResponse<String> get(String url) throws IOException, InterruptedException {
        return HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(url)).build(), HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void rulesCheck() throws Exception {
        String doc = "{\"_id\": \"m-1\", \"agent_id\": \"a\", \"created_at\": {\"$date\": \"2025-01-01T00:00:00Z\"}, \"importance\": 0.2}";
        assertThat(run("rules", "check", "--doc", doc, "--now", "2025-06-01T00:00:00Z").out()).contains("tier now: COLD");
    }

    @Test
    void demo() throws Exception {
        Path summary = dir.resolve("demo.json");
        run("demo", "--docs", "300", "--summary", summary.toString());
        BsonDocument json = BsonDocument.parse(Files.readString(summary));
        assertThat(json.getNumber("loaded").longValue()).isEqualTo(300);
        assertThat(json.getNumber("lost").longValue()).isZero();
        assertThat(json.getNumber("archived").longValue()).isPositive();
    }

    @Test
    void benchSegment() throws Exception {
        Path out = dir.resolve("bench-segment.json");
        run("bench", "segment", "--docs", "120", "--segment-records", "60", "--rounds", "1", "--get-segments", "4", "--gets", "8",
                "--process-gets", "1", "--memvid-docs", "2", "--memvid-literal-frames", "1", "--out", out.toString());
        BsonDocument corpora = BsonDocument.parse(Files.readString(out)).getDocument("corpora");
        for (String corpus : List.of("demo", "chat")) {
            assertThat(corpora.getDocument(corpus).getDocument("get_by_id_small_segments").containsKey("cli_process")).as(corpus).isTrue();
            assertThat(corpora.getDocument(corpus).getNumber("archive_bytes").longValue()).as(corpus).isPositive();
        }
    }

    @Test
    void benchHotCache() throws Exception {
        Path out = dir.resolve("bench-hot-cache.json");
        run("bench", "hot-cache", "--agents", "20", "--per-agent", "15", "--requests", "50", "--warmup", "10", "--out", out.toString());
        BsonDocument json = BsonDocument.parse(Files.readString(out));
        assertThat(json.getNumber("memories").longValue()).isEqualTo(300);
        assertThat(json.getNumber("ingest_memories_per_s").doubleValue()).isPositive();
        assertThat(json.getNumber("recent_served_by_redis").longValue()).isEqualTo(50);
        assertThat(json.containsKey("recent_p95_ms")).isTrue();
        try (Stream<Path> left = Files.list(Path.of(System.getProperty("java.io.tmpdir")))) {
            assertThat(left.map(p -> p.getFileName().toString())).as("its work directory is removed")
                    .noneMatch(name -> name.startsWith("coldframe-bench-hot-cache"));
        }
    }

    @Test
    void benchTiering() throws Exception {
        Path out = dir.resolve("bench-tiering.json");
        run("bench", "tiering", "--records", "2000", "--rounds", "2", "--out", out.toString());
        assertThat(BsonDocument.parse(Files.readString(out)).getBoolean("verified").getValue()).isTrue();
    }

    @Test
    void benchArchiver() throws Exception {
        Path out = dir.resolve("bench-archiver.json");
        run("bench", "archiver", "--docs", "300", "--no-pinned", "--out", out.toString(), "--work-dir", dir.resolve("archiver").toString());
        assertThat(BsonDocument.parse(Files.readString(out)).getArray("runs")).hasSize(2);
    }

    @Test
    void benchPipeline() throws Exception {
        Path out = dir.resolve("bench-pipeline.json");
        run("bench", "pipeline", "--docs", "300", "--batch-linger", "PT1S", "--out", out.toString(), "--work-dir", dir.resolve("pipeline").toString());
        BsonDocument json = BsonDocument.parse(Files.readString(out));
        assertThat(json.getNumber("end_to_end_memories_per_s").doubleValue()).isPositive();
        assertThat(json.getNumber("keep_up_ratio").doubleValue()).isPositive();
        assertThat(json.getNumber("write_amplification").doubleValue()).isPositive();
        assertThat(json.getDocument("end_to_end").getBoolean("drained").getValue()).isTrue();
        assertThat(json.getDocument("end_to_end").getDocument("stages").getDocument("archived_middle_half")
                .getNumber("count").longValue()).isNotNegative();
        BsonDocument cpu = json.getDocument("end_to_end").getDocument("cpu_seconds");
        assertThat(cpu.getDocument("archivers").getNumber("cpu_s").doubleValue()).isPositive();
        assertThat(cpu.getDocument("jvm_jit").getNumber("cpu_s").doubleValue()).as("compiler threads read from /proc").isPositive();
    }

    @Test
    void benchArchiveRead() throws Exception {
        Path out = dir.resolve("bench-archive-read.json");
        run("bench", "archive-read", "--memories", "2500", "--gets", "4", "--timelines", "3", "--out", out.toString(),
                "--work-dir", dir.resolve("archive-read").toString());
        String json = Files.readString(out);
        assertThat(json).contains("\"get_by_id_p95_ms\"", "\"restart_to_ready_ms\"", "\"bytes_fetched_per_get\"", "\"blocks_per_get\"",
                "\"memories_indexed_after_restart\" : 2500");
    }

    @Test
    void chaos() throws Exception {
        Path out = dir.resolve("chaos.json");
        run("chaos", "--kills", "2", "--docs", "300", "--out", out.toString(), "--work-dir", dir.resolve("chaos").toString());
        BsonDocument json = BsonDocument.parse(Files.readString(out));
        assertThat(json.getNumber("lost").longValue()).isZero();
        assertThat(json.getNumber("deleted_without_verified_segment").longValue()).isZero();
        assertThat(json.getNumber("deleted_newer_version").longValue()).isZero();
        assertThat(json.getNumber("restored_deleted_again").longValue()).isZero();
        assertThat(json.getDocument("kills_by_step").keySet()).contains("segmentWriting", "purgeCommitted");
    }

    // ------------------------------------------------------------------------------------------------

    /** The value of the first record of partition 0 of {@code topic}, awaited for up to a minute. */
    private static String firstRecord(EmbeddedKafka kafka, String topic) {
        Properties props = new Properties();
        props.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers());
        props.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class);
        props.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class);
        try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(props)) {
            consumer.assign(List.of(new TopicPartition(topic, 0)));
            consumer.seekToBeginning(consumer.assignment());
            List<String> values = new ArrayList<>();
            await().atMost(Duration.ofSeconds(60)).until(() -> {
                consumer.poll(Duration.ofMillis(200)).forEach(r -> values.add(new String(r.value(), StandardCharsets.UTF_8)));
                return !values.isEmpty();
            });
            return values.get(0);
        }
    }

    private static ShippedCli.Result run(String... args) throws IOException, InterruptedException {
        return new ShippedCli(dir).run(args);
    }

    private static ShippedCli.Result run(int expectedExit, String... args) throws IOException, InterruptedException {
        return new ShippedCli(dir).run(expectedExit, args);
    }

    /** The pretty-printed JSON report in a command's output (log lines may surround it). */
    private static BsonDocument jsonIn(String output) {
        return BsonDocument.parse(output.substring(output.indexOf("{\n"), output.lastIndexOf('}') + 1));
    }

    private static Set<String> leafCommands(CommandLine command, String prefix) {
        Set<String> leaves = new TreeSet<>();
        for (var sub : command.getSubcommands().entrySet()) {
            String name = (prefix + " " + sub.getKey()).strip();
            Set<String> below = leafCommands(sub.getValue(), name);
            leaves.addAll(below.isEmpty() ? Set.of(name) : below);
        }
        return leaves;
    }
}
