package io.coldframe.bench;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Consumer;
import java.util.regex.Pattern;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.LogDirDescription;
import org.apache.kafka.clients.admin.ReplicaInfo;
import org.apache.kafka.common.Node;
import org.apache.kafka.common.TopicPartition;
import org.bson.BsonDocument;

import com.mongodb.client.MongoClient;
import com.mongodb.client.MongoClients;
import com.mongodb.client.MongoCollection;
import com.mongodb.client.model.InsertManyOptions;

import io.coldframe.common.MemoryDocuments;
import io.coldframe.common.Topics;
import io.coldframe.local.EmbeddedPipeline;
import io.coldframe.local.LocalStack;
import io.coldframe.local.PipelineProgress;
import io.coldframe.testkit.MemoryGenerator;

/**
 * The whole local pipeline's throughput on the demo's memories, everything in this JVM (KRaft broker, Connect with the
 * MongoDB source connector, the MongoDB stand-in, tiering, archivers, purger), in two phases on fresh stacks:
 * <ol>
 *   <li>connector only: N memories loaded, then the connector copies them to the change topic; nothing consumes it;</li>
 *   <li>end to end: the same N loaded, every service running, then the connector starts; timed until every memory
 *       is tiered and every cold one archived, verified, committed and deleted from MongoDB.</li>
 * </ol>
 * Per stage: its rate, CPU seconds of its threads (the MongoDB stand-in on its own line), and the Kafka bytes each
 * topic holds at the end (nothing is compacted or deleted during a run), per memory and over the document bytes.
 */
public final class PipelineBenchmark {

    /**
     * @param docs           memories to generate
     * @param archiverWorkers archiver workers in the pipeline (as the demo: 2)
     * @param batchLinger    archiver batch linger (as the demo: 2 s)
     * @param timeout        give up waiting for the pipeline to drain after this
     * @param skipConnectorOnly skip phase 1 (keep_up_ratio is then not computed)
     */
    public record Settings(int docs, long seed, int archiverWorkers, Duration batchLinger, Duration timeout,
                           boolean skipConnectorOnly, Path workDir, String note) {
    }

    private static final int INSERT_CHUNK = 1000;
    private static final long SAMPLE_MS = 200;

    private final Settings settings;
    private final Consumer<String> progress;
    private long peakHeapBytes;
    private long peakRssBytes;

    public PipelineBenchmark(Settings settings, Consumer<String> progress) {
        this.settings = settings;
        this.progress = progress;
    }

    public Map<String, Object> run() throws Exception {
        Path dir = settings.workDir() != null ? settings.workDir() : Files.createTempDirectory("coldframe-bench-pipeline");
        Files.createDirectories(dir);
        long documentBytes = 0;
        int withEmbedding = 0;
        MemoryGenerator generator = generator();
        for (int i = 0; i < settings.docs(); i++) {
            BsonDocument document = generator.next();
            documentBytes += MemoryDocuments.toBson(document).length;
            if (document.containsKey("embedding")) {
                withEmbedding++;
            }
        }
        Map<String, Object> r = new LinkedHashMap<>();
        r.put("benchmark", "pipeline");
        r.put("docs", settings.docs());
        r.put("seed", settings.seed());
        r.put("docs_with_embedding", withEmbedding);
        r.put("document_bytes", documentBytes);
        r.put("document_bytes_per_memory", Results.round((double) documentBytes / settings.docs(), 1));
        if (settings.note() != null) {
            r.put("note", settings.note());
        }
        Map<String, Object> environment = environment();
        environment.put("load_average_1m_at_start", Results.round(ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage(), 2));
        r.put("environment", environment);

        Double connectorOnly = null;
        if (!settings.skipConnectorOnly()) {
            Map<String, Object> phase = connectorOnly();
            connectorOnly = (Double) phase.get("connector_only_per_s");
            r.put("connector_only_per_s", connectorOnly);
            r.put("connector_only", phase);
            System.gc();
        }
        Map<String, Object> e2e = endToEnd(documentBytes, dir);
        double endToEnd = (Double) e2e.remove("end_to_end_memories_per_s");
        r.put("end_to_end_memories_per_s", endToEnd);
        if (connectorOnly != null) {
            r.put("keep_up_ratio", Results.round(endToEnd / connectorOnly, 3));
        }
        r.put("write_amplification", e2e.remove("write_amplification"));
        r.put("peak_heap_bytes", peakHeapBytes);
        r.put("peak_heap_mib", peakHeapBytes >> 20);
        long hwm = procStatusBytes("VmHWM");
        r.put("peak_rss_bytes", Math.max(hwm, peakRssBytes));
        r.put("peak_rss_mib", Math.max(hwm, peakRssBytes) >> 20);
        r.put("end_to_end", e2e);
        environment.put("load_average_1m_at_end", Results.round(ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage(), 2));
        return r;
    }

    // --------------------------------------------------------------------------------------------------------------

    private Map<String, Object> connectorOnly() throws Exception {
        progress.accept("connector only: loading " + settings.docs() + " memories");
        try (LocalStack stack = LocalStack.builder().start();
             MongoClient mongo = MongoClients.create(stack.mongoUri());
             Admin admin = admin(stack)) {
            load(mongo, stack);
            stack.startConnectWorker();
            PipelineProgress changes = new PipelineProgress(admin, stack.topics().changes(), List.of());
            PhaseCpu cpu = PhaseCpu.start();
            long t0 = System.nanoTime();
            stack.startConnector();
            long first = -1;
            long published = 0;
            long deadline = t0 + settings.timeout().toNanos();
            while (published < settings.docs() && System.nanoTime() < deadline) {
                published = changes.snapshot().changesPublished();
                if (published > 0 && first < 0) {
                    first = System.nanoTime();
                }
                sampleMemory();
                cpu.sample();
                Thread.sleep(50);
            }
            long end = System.nanoTime();
            PhaseCpu.Result spent = cpu.finish();
            Map<String, Object> phase = new LinkedHashMap<>();
            double seconds = (end - first) / 1e9;
            phase.put("connector_only_per_s", Results.round(published / seconds, 1));
            phase.put("published", published);
            phase.put("seconds_first_to_last_event", Results.round(seconds, 2));
            phase.put("seconds_connector_start_to_first_event", Results.round((first - t0) / 1e9, 2));
            phase.put("method", "documents loaded first, then the connector's copy of existing documents; rate = events / time from the first "
                    + "event on the change topic to the N-th (change-topic end offsets polled every 50 ms)");
            phase.put("cpu_seconds", cpuByStage(spent));
            progress.accept("connector only: " + phase.get("connector_only_per_s") + " events/s");
            stack.stopConnector();
            return phase;
        }
    }

    // --------------------------------------------------------------------------------------------------------------

    private record Sample(long nanos, long published, long tiered, long archived, long deleted) {
    }

    private Map<String, Object> endToEnd(long documentBytes, Path dir) throws Exception {
        progress.accept("end to end: loading " + settings.docs() + " memories");
        Path workDir = Files.createTempDirectory(dir, "e2e");
        int n = settings.docs();
        try (LocalStack stack = LocalStack.builder().start();
             MongoClient mongo = MongoClients.create(stack.mongoUri());
             Admin admin = admin(stack)) {
            load(mongo, stack);
            EmbeddedPipeline.Settings pipelineSettings = new EmbeddedPipeline.Settings(stack.bootstrapServers(), stack.topics().prefix(),
                    stack.mongoUri(), stack.database(), stack.collection(), workDir, workDir.resolve("archive"), settings.archiverWorkers(),
                    settings.batchLinger(), Duration.ofSeconds(1), Map.of());
            List<Sample> samples = new ArrayList<>();
            PhaseCpu.Result spent;
            boolean drained = false;
            long t0;
            long lastReport;
            try (EmbeddedPipeline pipeline = new EmbeddedPipeline(pipelineSettings)) {
                pipeline.start();
                stack.startConnectWorker();
                String tieringGroup = pipeline.stages().get(0).groupId();
                PipelineProgress probe = new PipelineProgress(admin, stack.topics().changes(), pipeline.stages());
                PhaseCpu cpu = PhaseCpu.start();
                t0 = System.nanoTime();
                lastReport = t0;
                stack.startConnector();
                long settle = settings.batchLinger().plusSeconds(1).toNanos();
                long deadline = t0 + settings.timeout().toNanos();
                PipelineProgress.Snapshot drainedSince = null;
                long drainedAt = 0;
                while (System.nanoTime() < deadline) {
                    PipelineProgress.Snapshot snapshot = probe.snapshot();
                    long now = System.nanoTime();
                    samples.add(new Sample(now, snapshot.changesPublished(), snapshot.changesPublished() - snapshot.lagByGroup().get(tieringGroup),
                            pipeline.archivedByWorkers(), pipeline.deletedByPurger()));
                    sampleMemory();
                    cpu.sample();
                    if (snapshot.drained(n)) {
                        if (drainedSince == null || !drainedSince.endOffsets().equals(snapshot.endOffsets())) {
                            drainedSince = snapshot;
                            drainedAt = now;
                        } else if (now - drainedAt >= settle) {
                            drained = true;
                            break;
                        }
                    } else {
                        drainedSince = null;
                    }
                    if (now - lastReport > 5_000_000_000L) {
                        Sample last = samples.get(samples.size() - 1);
                        progress.accept(String.format("  %5.1f s: published %d, tiered %d, archived %d, deleted %d, heap %d MiB, rss %d MiB",
                                (now - t0) / 1e9, last.published(), last.tiered(), last.archived(), last.deleted(), peakHeapBytes >> 20,
                                procStatusBytes("VmRSS") >> 20));
                        lastReport = now;
                    }
                    Thread.sleep(SAMPLE_MS);
                }
                spent = cpu.finish();
                if (!drained) {
                    progress.accept("end to end: the pipeline did not drain within " + settings.timeout());
                }
                stack.stopConnector();
            }
            Sample last = samples.get(samples.size() - 1);
            long firstEvent = samples.stream().filter(s -> s.published() > 0).mapToLong(Sample::nanos).findFirst().orElse(t0);
            long publishedDone = reached(samples, last.published(), Sample::published);
            long tieredDone = reached(samples, last.tiered(), Sample::tiered);
            long archivedDone = reached(samples, last.archived(), Sample::archived);
            long deletedDone = reached(samples, last.deleted(), Sample::deleted);
            long allDone = Math.max(Math.max(publishedDone, tieredDone), Math.max(archivedDone, deletedDone));
            double seconds = (allDone - firstEvent) / 1e9;
            Map<String, Object> e2e = new LinkedHashMap<>();
            e2e.put("end_to_end_memories_per_s", Results.round(n / seconds, 1));
            e2e.put("drained", drained);
            e2e.put("seconds_first_event_to_last_delete", Results.round(seconds, 2));
            e2e.put("seconds_connector_start_to_first_event", Results.round((firstEvent - t0) / 1e9, 2));
            e2e.put("method", "documents loaded first, every service running, then the connector (copy of existing documents); "
                    + "end_to_end_memories_per_s = N / time from the first change event to the moment the last stage reached its final count "
                    + "(every memory tiered, every cold one archived, committed and deleted from MongoDB); sampled every " + SAMPLE_MS + " ms");
            Map<String, Object> stages = new LinkedHashMap<>();
            stages.put("connector_published", stage(last.published(), firstEvent, publishedDone));
            stages.put("tiering_consumed", stage(last.tiered(), firstEvent, tieredDone));
            stages.put("archived", stage(last.archived(), firstEvent, archivedDone));
            stages.put("deleted_from_mongodb", stage(last.deleted(), firstEvent, deletedDone));
            // Without the start (a cold JVM, group joins, the first batches) and the end (the last batches' linger, the
            // purger draining its backlog): the rate the running pipeline archives at.
            Sample quarter = firstWith(samples, last.archived() / 4, Sample::archived);
            Sample threeQuarters = firstWith(samples, last.archived() * 3 / 4, Sample::archived);
            stages.put("archived_middle_half", stage(threeQuarters.archived() - quarter.archived(), quarter.nanos(), threeQuarters.nanos()));
            e2e.put("stages", stages);
            long maxTieringBacklog = samples.stream().mapToLong(s -> s.published() - s.tiered()).max().orElse(0);
            e2e.put("max_tiering_backlog", maxTieringBacklog);
            e2e.put("cpu_seconds", cpuByStage(spent));
            Map<String, Object> bytes = kafkaBytes(admin, stack.topics(), documentBytes, n);
            e2e.put("write_amplification", bytes.remove("write_amplification"));
            e2e.put("kafka_bytes", bytes);
            e2e.put("remaining_in_mongodb", mongo.getDatabase(stack.database()).getCollection(stack.collection()).countDocuments());
            progress.accept("end to end: " + e2e.get("end_to_end_memories_per_s") + " memories/s, write amplification "
                    + e2e.get("write_amplification"));
            return e2e;
        }
    }

    private static long reached(List<Sample> samples, long value, java.util.function.ToLongFunction<Sample> field) {
        return firstWith(samples, value, field).nanos();
    }

    private static Sample firstWith(List<Sample> samples, long value, java.util.function.ToLongFunction<Sample> field) {
        for (Sample sample : samples) {
            if (field.applyAsLong(sample) >= value) {
                return sample;
            }
        }
        return samples.get(samples.size() - 1);
    }

    private static Map<String, Object> stage(long count, long from, long done) {
        Map<String, Object> stage = new LinkedHashMap<>();
        stage.put("count", count);
        stage.put("seconds", Results.round((done - from) / 1e9, 2));
        stage.put("per_s", Results.round(count / Math.max(1e-9, (done - from) / 1e9), 1));
        return stage;
    }

    /** Bytes each topic holds on the broker's log dirs, grouped; write amplification over the coldframe topics. */
    private static Map<String, Object> kafkaBytes(Admin admin, Topics topics, long documentBytes, int n) throws Exception {
        List<Integer> brokers = admin.describeCluster().nodes().get().stream().map(Node::id).toList();
        Map<String, Long> byTopic = new TreeMap<>();
        for (Map<String, LogDirDescription> dirs : admin.describeLogDirs(brokers).allDescriptions().get().values()) {
            for (LogDirDescription dir : dirs.values()) {
                for (Map.Entry<TopicPartition, ReplicaInfo> replica : dir.replicaInfos().entrySet()) {
                    byTopic.merge(replica.getKey().topic(), replica.getValue().size(), Long::sum);
                }
            }
        }
        Map<String, Long> groups = new LinkedHashMap<>();
        long coldframe = 0;
        long all = 0;
        for (Map.Entry<String, Long> topic : byTopic.entrySet()) {
            String name = topic.getKey();
            String group;
            if (name.equals(topics.changes())) {
                group = "changes";
            } else if (name.endsWith("-changelog")) {
                group = "state_changelogs";
            } else if (name.endsWith("-repartition")) {
                group = "repartition";
            } else if (name.equals(topics.hot()) || name.equals(topics.warm()) || name.equals(topics.cold())) {
                group = "tier_" + name.substring(name.lastIndexOf('.') + 1);
            } else if (name.equals(topics.catalog())) {
                group = "catalog";
            } else if (name.equals(topics.segmentsCommitted())) {
                group = "commits";
            } else if (name.equals(topics.purgeResults())) {
                group = "purge_results";
            } else if (name.startsWith("__")) {
                group = "kafka_internal";
            } else if (name.startsWith(topics.prefix() + ".")) {
                group = "other_coldframe";
            } else {
                group = "connect_internal";
            }
            groups.merge(group, topic.getValue(), Long::sum);
            all += topic.getValue();
            if (!group.equals("kafka_internal") && !group.equals("connect_internal")) {
                coldframe += topic.getValue();
            }
        }
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("write_amplification", Results.round((double) coldframe / documentBytes, 3));
        out.put("method", "bytes each topic's log holds at the end of the run (Admin.describeLogDirs; nothing is compacted or deleted "
                + "during a run: segments are 1 GiB) / the BSON bytes of the loaded documents; write_amplification counts the coldframe "
                + "topics and the tiering changelogs, not Kafka's own __consumer_offsets/__transaction_state nor Connect's topics");
        out.put("coldframe_topics_bytes", coldframe);
        out.put("all_topics_bytes", all);
        out.put("write_amplification_all_topics", Results.round((double) all / documentBytes, 3));
        Map<String, Object> perMemory = new LinkedHashMap<>();
        groups.forEach((group, bytes) -> perMemory.put(group, Results.round((double) bytes / n, 1)));
        out.put("bytes_per_memory_by_topic", perMemory);
        out.put("bytes_by_topic", byTopic);
        return out;
    }

    // --------------------------------------------------------------------------------------------------------------

    private static Admin admin(LocalStack stack) {
        return Admin.create(stack.kafkaConnection().map());
    }

    /**
     * Each phase loads the same memories, generated again from the seed a chunk at a time: holding all N in the
     * benchmark's heap (about 6 KiB each with an embedding) would be measured as the pipeline's memory.
     */
    private void load(MongoClient mongo, LocalStack stack) {
        MongoCollection<BsonDocument> memories = mongo.getDatabase(stack.database()).getCollection(stack.collection(), BsonDocument.class);
        MemoryGenerator generator = generator();
        for (int from = 0; from < settings.docs(); from += INSERT_CHUNK) {
            List<BsonDocument> chunk = new ArrayList<>(INSERT_CHUNK);
            for (int i = from; i < Math.min(settings.docs(), from + INSERT_CHUNK); i++) {
                chunk.add(generator.next());
            }
            memories.insertMany(chunk, new InsertManyOptions().ordered(true));
        }
    }

    private MemoryGenerator generator() {
        return new MemoryGenerator(settings.seed(), LocalDate.of(2025, 1, 1).atStartOfDay().toInstant(ZoneOffset.UTC));
    }

    private void sampleMemory() {
        long heap = 0;
        for (MemoryPoolMXBean pool : ManagementFactory.getMemoryPoolMXBeans()) {
            if (pool.getType() == MemoryType.HEAP) {
                heap += pool.getUsage().getUsed();
            }
        }
        peakHeapBytes = Math.max(peakHeapBytes, heap);
        peakRssBytes = Math.max(peakRssBytes, procStatusBytes("VmRSS"));
    }

    /** A {@code kB} line of /proc/self/status in bytes (0 where there is none). */
    static long procStatusBytes(String key) {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
                if (line.startsWith(key + ":")) {
                    return Long.parseLong(line.substring(key.length() + 1).replace("kB", "").trim()) * 1024;
                }
            }
        } catch (IOException | RuntimeException e) {
            return 0;
        }
        return 0;
    }

    private static final List<Map.Entry<String, Pattern>> STAGES = List.of(
            Map.entry("mongodb_stand_in", Pattern.compile("mongo-server-worker.*|mongo-server-boss.*")),
            Map.entry("tiering", Pattern.compile(".*coldframe-tiering.*|.*StreamThread.*|restore-holds.*")),
            Map.entry("archivers", Pattern.compile("archiver-.*|coldframe-segment.*|.*coldframe-archiver.*")),
            Map.entry("purger", Pattern.compile("purger.*|.*coldframe-purger.*")),
            Map.entry("connect", Pattern.compile(".*connector.*|task-thread.*|.*connect-.*|pool-\\d+-thread-\\d+.*|.*mongo-source.*|.*Worker.*|.*herder.*|cluster-.*")),
            Map.entry("broker", Pattern.compile("data-plane.*|kafka-\\d+-.*|.*request-handler.*|quorum-controller.*|group-coordinator.*|"
                    + "TxnMarker.*|AddPartitionsToTxn.*|broker-.*|kafka-scheduler.*|.*raft.*|LogCleaner.*|.*controller.*|executor-.*|ExpirationReaper.*|"
                    + "transaction-log-manager.*|share-.*|kafka-log-cleaner.*|.*-reaper.*|kafka-network.*|.*Acceptor.*|.*Processor.*")),
            Map.entry("bench_harness", Pattern.compile("main.*|kafka-admin-client-thread.*")));

    static String stageOf(String thread) {
        for (Map.Entry<String, Pattern> stage : STAGES) {
            if (stage.getValue().matcher(thread).matches()) {
                return stage.getKey();
            }
        }
        return "other";
    }

    /**
     * The phase's CPU by stage and by thread name; shares are of the process's CPU time. {@code jvm_gc} and {@code jvm_jit}
     * are the JVM's collector and compiler threads, {@code unattributed} what no thread accounts for.
     */
    private static Map<String, Object> cpuByStage(PhaseCpu.Result spent) {
        Map<String, Long> byStage = new TreeMap<>();
        Map<String, Long> byName = new TreeMap<>();
        long threadsTotal = 0;
        for (Map.Entry<String, Long> thread : spent.byThread().entrySet()) {
            String name = thread.getKey().substring(0, thread.getKey().lastIndexOf('#'));
            byStage.merge(stageOf(name), thread.getValue(), Long::sum);
            byName.merge(name.replaceAll("\\d+", "N"), thread.getValue(), Long::sum);
            threadsTotal += thread.getValue();
        }
        long jvmTotal = 0;
        for (Map.Entry<String, Long> jvm : spent.jvmThreads().entrySet()) {
            byStage.put(jvm.getKey(), jvm.getValue());
            jvmTotal += jvm.getValue();
        }
        long process = Math.max(spent.processNanos(), threadsTotal + jvmTotal);
        byStage.put("unattributed", process - threadsTotal - jvmTotal);
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("process_total", Results.round(process / 1e9, 2));
        out.put("threads_total", Results.round(threadsTotal / 1e9, 2));
        long all = Math.max(1, process);
        byStage.entrySet().stream().sorted(Map.Entry.<String, Long>comparingByValue().reversed()).forEach(e -> {
            Map<String, Object> stage = new LinkedHashMap<>();
            stage.put("cpu_s", Results.round(e.getValue() / 1e9, 2));
            stage.put("share", Results.round((double) e.getValue() / all, 3));
            out.put(e.getKey(), stage);
        });
        Map<String, Object> top = new LinkedHashMap<>();
        byName.entrySet().stream().sorted(Map.Entry.<String, Long>comparingByValue().reversed()).limit(15)
                .forEach(e -> top.put(e.getKey(), Results.round(e.getValue() / 1e9, 2)));
        out.put("top_threads", top);
        return out;
    }

    private static Map<String, Object> environment() {
        Map<String, Object> env = new LinkedHashMap<>();
        env.put("cores", Runtime.getRuntime().availableProcessors());
        env.put("java", System.getProperty("java.version"));
        env.put("jvm_args", ManagementFactory.getRuntimeMXBean().getInputArguments());
        env.put("max_heap_bytes", Runtime.getRuntime().maxMemory());
        env.put("started", Instant.now().toString());
        return env;
    }
}
