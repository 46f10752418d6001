package io.coldframe.cli.bench;

import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;

import org.bson.BsonArray;
import org.bson.BsonBoolean;
import org.bson.BsonDocument;
import org.bson.BsonDouble;
import org.bson.BsonInt32;
import org.bson.BsonInt64;
import org.bson.BsonString;
import org.bson.json.JsonMode;
import org.bson.json.JsonWriterSettings;

import io.coldframe.archive.InvariantAudit;
import io.coldframe.archiver.ArchiverConfig;
import io.coldframe.common.CommonConfigKeys;
import io.coldframe.local.LocalStack;
import io.coldframe.local.PipelineProgress;
import io.coldframe.store.SegmentStoreConfig;
import io.coldframe.testkit.MemoryGenerator;
import io.coldframe.testkit.ProcessPipeline;
import io.coldframe.testkit.ServiceMain;
import io.coldframe.testkit.ServiceProcess;

import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * Archiving throughput with one worker JVM and with two on the same cold backlog: the cold topic is filled once (load,
 * connector, tiering), then each configuration archives all of it from offset 0 under a consumer group of its own.
 * Workers run unpinned (each may use every core) and, where {@code taskset} exists, pinned to one core each, which
 * shows how the work splits when the cores allow. The broker stays in this JVM, on any core.
 */
@Command(name = "archiver", mixinStandardHelpOptions = true,
        description = "Archived docs/s with 1 and with 2 archiver worker JVMs on the same cold backlog; writes JSON.")
public final class BenchArchiverCommand implements Callable<Integer> {

    @Option(names = "--docs", defaultValue = "20000", description = "Memories to generate; ~90% become cold (default: ${DEFAULT-VALUE}).")
    int docs;

    @Option(names = "--out", required = true, description = "Write the result as JSON to this file.")
    Path out;

    @Option(names = "--partitions", defaultValue = "9",
            description = "Partitions of the benchmark's cold topic. It is keyed by agent (50 generated ones), and the range assignor "
                    + "gives two workers the first and the second half of the partitions: with 9 each half holds 25 agents, with the "
                    + "local stack's 4 it is 22/28, with 12 19/31 (default: ${DEFAULT-VALUE}).")
    int partitions;

    @Option(names = "--repeats", defaultValue = "1", description = "Runs per configuration; the JSON keeps all, the summary the best (default: ${DEFAULT-VALUE}).")
    int repeats;

    @Option(names = "--seed", defaultValue = "42", description = "Seed of the generated memories (default: ${DEFAULT-VALUE}).")
    long seed;

    @Option(names = "--no-pinned", description = "Skip the runs with each worker pinned to one core.")
    boolean noPinned;

    @Option(names = "--work-dir", description = "Child logs and segments go here (default: a fresh temporary directory).")
    Path workDir;

    @Option(names = "--note", description = "A remark to put into the JSON.")
    String note;

    private record Config(String name, int workers, boolean pinned) {
    }

    private record Run(Config config, int repeat, long records, long segments, double wallSeconds, double steadySeconds,
                       List<Long> recordsPerWorker, List<Double> secondsPerWorker, List<Double> cpuSecondsPerWorker,
                       double loadBefore, double loadAfter) {
        double docsPerSecond() {
            return records / steadySeconds;
        }

        double docsPerCpuSecond() {
            double cpu = cpuSecondsPerWorker.stream().mapToDouble(Double::doubleValue).sum();
            return cpu > 0 ? records / cpu : 0;
        }

        /** The larger worker's share of the records: 0.5 is an even split. */
        double largestShare() {
            return recordsPerWorker.stream().mapToLong(Long::longValue).max().orElse(0) / (double) Math.max(1, records);
        }
    }

    @Override
    public Integer call() throws Exception {
        Path dir = workDir != null ? workDir : Files.createTempDirectory("coldframe-bench-archiver");
        int cores = Runtime.getRuntime().availableProcessors();
        boolean canPin = !noPinned && cores >= 2 && Files.isExecutable(Path.of("/usr/bin/taskset"));
        List<Config> configs = new ArrayList<>(List.of(new Config("1 worker, unpinned", 1, false), new Config("2 workers, unpinned", 2, false)));
        if (canPin) {
            configs.add(new Config("1 worker pinned to 1 core", 1, true));
            configs.add(new Config("2 workers pinned to 1 core each", 2, true));
        }
        var anchor = LocalDate.now(ZoneOffset.UTC).atStartOfDay(ZoneOffset.UTC).toInstant();
        List<Run> runs = new ArrayList<>();
        long coldRecords;
        // As a production broker (3 s, the Kafka default): workers starting together join one rebalance, instead of the
        // first one taking every partition and dropping its batches again when the second arrives.
        try (LocalStack stack = LocalStack.builder().brokerProperty("group.initial.rebalance.delay.ms", "3000").start()) {
            // Created before the pipeline, which then leaves it as it is.
            stack.kafka().createTopic(new io.coldframe.common.Topics("bench").cold(), partitions, Map.of());
            try (ProcessPipeline pipeline = new ProcessPipeline(stack, ProcessPipeline.Settings.defaults("bench", dir))) {
            System.out.printf("filling the cold topic: %d memories through connector and tiering ...%n", docs);
            pipeline.load(new MemoryGenerator(seed, anchor).generate(docs));
            pipeline.startTiering();
            pipeline.startConnector();
            if (!pipeline.awaitTiered(Duration.ofMinutes(15))) {
                throw new IllegalStateException("tiering did not finish");
            }
            pipeline.stopServices();
            coldRecords = InvariantAudit.readCommitted(stack.bootstrapServers(), pipeline.topics().cold()).size();
            System.out.printf("cold backlog: %d records in %s%n", coldRecords, pipeline.topics().cold());
            for (int repeat = 1; repeat <= repeats; repeat++) {
                for (Config config : configs) {
                    Run run = measure(stack, pipeline, dir, config, repeat);
                    runs.add(run);
                    System.out.printf("  %-34s run %d: %d records in %.1f s steady (%.1f s with JVM start and group join) = %.0f docs/s, per worker %s%n",
                            config.name(), repeat, run.records(), run.steadySeconds(), run.wallSeconds(), run.docsPerSecond(),
                            perWorker(run));
                }
            }
            }
        }
        String json = toJson(runs, coldRecords, cores);
        if (out.toAbsolutePath().getParent() != null) {
            Files.createDirectories(out.toAbsolutePath().getParent());
        }
        Files.writeString(out, json + System.lineSeparator(), StandardCharsets.UTF_8);
        System.out.println("result written to " + out);
        return 0;
    }

    private Run measure(LocalStack stack, ProcessPipeline pipeline, Path dir, Config config, int repeat) throws Exception {
        String tag = (config.pinned() ? "pinned" : "free") + "-" + config.workers() + "w-" + repeat;
        String group = "bench-archiver-" + tag;
        double loadBefore = loadAverage();
        long start = System.nanoTime();
        List<ServiceProcess> workers = new ArrayList<>();
        for (int i = 0; i < config.workers(); i++) {
            ServiceProcess.Builder builder = ServiceProcess.builder("bench-" + tag + "-" + i, ServiceMain.class.getName())
                    .argument("archiver")
                    .logFile(dir.resolve("logs").resolve(tag + "-" + i + ".log"))
                    .jvmOption("-Dcoldframe.segment.ffmpegLogLevel=quiet")
                    .config(CommonConfigKeys.BOOTSTRAP_SERVERS, stack.bootstrapServers())
                    .config(CommonConfigKeys.TOPIC_PREFIX, pipeline.topics().prefix())
                    .config(ArchiverConfig.GROUP_ID, group)
                    .config(ArchiverConfig.INSTANCE_ID, tag + "-" + i)
                    .config(ArchiverConfig.BATCH_LINGER_MS, "2000")
                    .config(ArchiverConfig.BATCH_MAX_RECORDS, "2000")
                    .config(SegmentStoreConfig.STORE_DIR, dir.resolve("archive-" + tag).toString())
                    .config(ArchiverConfig.STAGING_DIR, dir.resolve("staging").toString());
            if (config.pinned()) {
                builder.commandPrefix(List.of("taskset", "-c", Integer.toString(i))).jvmOption("-XX:ActiveProcessorCount=1");
            }
            workers.add(builder.build().start());
        }
        PipelineProgress progress = new PipelineProgress(pipeline.admin(), pipeline.topics().changes(),
                List.of(new PipelineProgress.Stage(group, pipeline.topics().cold())));
        long deadline = System.nanoTime() + Duration.ofMinutes(15).toNanos();
        // CPU each worker had used when it started its first segment: start-up (JVM, clients, group join) is not archiving.
        double[] cpuAtFirstWrite = new double[workers.size()];
        java.util.Arrays.fill(cpuAtFirstWrite, -1);
        while (progress.snapshot().lagByGroup().get(group) > 0) {
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException(config.name() + " did not archive the backlog within 15 minutes");
            }
            for (int i = 0; i < workers.size(); i++) {
                if (cpuAtFirstWrite[i] < 0 && workers.get(i).markers().stream().anyMatch(m -> m.point().equals("segmentWriting"))) {
                    cpuAtFirstWrite[i] = cpuSeconds(workers.get(i));
                }
            }
            Thread.sleep(100);
        }
        List<Double> cpuPerWorker = new ArrayList<>();
        for (int i = 0; i < workers.size(); i++) {
            cpuPerWorker.add(cpuSeconds(workers.get(i)) - Math.max(0, cpuAtFirstWrite[i]));
        }
        double wall = (System.nanoTime() - start) / 1e9;
        Instant firstWrite = null;
        Instant lastCommit = null;
        long records = 0;
        long segments = 0;
        List<Long> perWorker = new ArrayList<>();
        List<Double> secondsPerWorker = new ArrayList<>();
        for (ServiceProcess worker : workers) {
            worker.stop(Duration.ofSeconds(30));
            Instant workerFirst = null;
            Instant workerLast = null;
            long workerRecords = 0;
            for (ServiceProcess.Marker marker : worker.markers()) {
                if (marker.point().equals("segmentWriting") && workerFirst == null) {
                    workerFirst = marker.seenAt();
                } else if (marker.point().equals("committed")) {
                    workerLast = marker.seenAt();
                    workerRecords += Long.parseLong(marker.detail(1));
                    segments++;
                }
            }
            perWorker.add(workerRecords);
            secondsPerWorker.add(workerFirst == null || workerLast == null ? 0 : Duration.between(workerFirst, workerLast).toMillis() / 1000.0);
            records += workerRecords;
            if (workerFirst != null && (firstWrite == null || workerFirst.isBefore(firstWrite))) {
                firstWrite = workerFirst;
            }
            if (workerLast != null && (lastCommit == null || workerLast.isAfter(lastCommit))) {
                lastCommit = workerLast;
            }
        }
        double steady = Duration.between(firstWrite, lastCommit).toMillis() / 1000.0;
        return new Run(config, repeat, records, segments, wall, steady, perWorker, secondsPerWorker, cpuPerWorker, loadBefore, loadAverage());
    }

    /** CPU time the child used so far (user + system, all threads), from the OS. */
    private static double cpuSeconds(ServiceProcess worker) {
        return ProcessHandle.of(worker.pid()).flatMap(handle -> handle.info().totalCpuDuration())
                .map(duration -> duration.toMillis() / 1000.0).orElse(0.0);
    }

    private static String perWorker(Run run) {
        List<String> parts = new ArrayList<>();
        for (int i = 0; i < run.recordsPerWorker().size(); i++) {
            double seconds = run.secondsPerWorker().get(i);
            double cpu = run.cpuSecondsPerWorker().get(i);
            parts.add(String.format("%d in %.1f s = %.0f docs/s (%.0f per CPU-s)", run.recordsPerWorker().get(i), seconds,
                    seconds > 0 ? run.recordsPerWorker().get(i) / seconds : 0.0, cpu > 0 ? run.recordsPerWorker().get(i) / cpu : 0.0));
        }
        return String.join("; ", parts);
    }

    private static double loadAverage() {
        return ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage();
    }

    private String toJson(List<Run> runs, long coldRecords, int cores) {
        BsonArray runArray = new BsonArray();
        for (Run run : runs) {
            BsonArray workers = new BsonArray();
            for (int i = 0; i < run.recordsPerWorker().size(); i++) {
                double seconds = run.secondsPerWorker().get(i);
                double cpu = run.cpuSecondsPerWorker().get(i);
                workers.add(new BsonDocument("archived", new BsonInt64(run.recordsPerWorker().get(i)))
                        .append("active_s", new BsonDouble(round(seconds)))
                        .append("docs_per_s", new BsonDouble(round(seconds > 0 ? run.recordsPerWorker().get(i) / seconds : 0)))
                        .append("cpu_s", new BsonDouble(round(cpu)))
                        .append("docs_per_cpu_s", new BsonDouble(round(cpu > 0 ? run.recordsPerWorker().get(i) / cpu : 0))));
            }
            runArray.add(new BsonDocument("config", new BsonString(run.config().name()))
                    .append("workers", new BsonInt32(run.config().workers()))
                    .append("pinned_one_core_each", BsonBoolean.valueOf(run.config().pinned()))
                    .append("repeat", new BsonInt32(run.repeat()))
                    .append("archived", new BsonInt64(run.records()))
                    .append("segments", new BsonInt64(run.segments()))
                    .append("steady_s", new BsonDouble(round(run.steadySeconds())))
                    .append("wall_s_with_jvm_start_and_group_join", new BsonDouble(round(run.wallSeconds())))
                    .append("docs_per_s", new BsonDouble(round(run.docsPerSecond())))
                    .append("docs_per_s_per_worker", new BsonDouble(round(run.docsPerSecond() / run.config().workers())))
                    .append("docs_per_cpu_s", new BsonDouble(round(run.docsPerCpuSecond())))
                    .append("largest_worker_share", new BsonDouble(Math.round(run.largestShare() * 1000) / 1000.0))
                    .append("per_worker", workers)
                    .append("load_average_before", new BsonDouble(round(run.loadBefore())))
                    .append("load_average_after", new BsonDouble(round(run.loadAfter()))));
        }
        BsonDocument summary = new BsonDocument();
        for (boolean pinned : new boolean[] {false, true}) {
            double one = best(runs, 1, pinned, Run::docsPerSecond);
            double two = best(runs, 2, pinned, Run::docsPerSecond);
            if (one > 0 && two > 0) {
                summary.append(pinned ? "pinned_one_core_each" : "unpinned", new BsonDocument("one_worker_docs_per_s", new BsonDouble(round(one)))
                        .append("two_workers_docs_per_s", new BsonDouble(round(two)))
                        .append("two_workers_docs_per_s_per_worker", new BsonDouble(round(two / 2)))
                        .append("speedup", new BsonDouble(Math.round(two / one * 100) / 100.0))
                        .append("one_worker_docs_per_cpu_s", new BsonDouble(round(best(runs, 1, pinned, Run::docsPerCpuSecond))))
                        .append("two_workers_docs_per_cpu_s", new BsonDouble(round(best(runs, 2, pinned, Run::docsPerCpuSecond)))));
            }
        }
        BsonDocument json = new BsonDocument("benchmark", new BsonString("archiver scale: archived docs/s, 1 vs 2 worker JVMs"))
                .append("docs", new BsonInt32(docs))
                .append("cold_records", new BsonInt64(coldRecords))
                .append("cold_partitions", new BsonInt32(partitions))
                .append("batch", new BsonString("max 2000 records or 2 s linger"))
                .append("summary_best_of_repeats", summary)
                .append("runs", runArray)
                .append("machine", new BsonDocument("cores", new BsonInt32(cores))
                        .append("java", new BsonString(System.getProperty("java.version")))
                        .append("note", new BsonString("broker, JVM of this command and workers share these cores; the machine is shared with other builds, see load averages")))
                .append("finished_at", new BsonString(Instant.now().toString()));
        if (note != null && !note.isBlank()) {
            json.append("note", new BsonString(note));
        }
        return json.toJson(JsonWriterSettings.builder().outputMode(JsonMode.RELAXED).indent(true).build());
    }

    private static double best(List<Run> runs, int workers, boolean pinned, java.util.function.ToDoubleFunction<Run> metric) {
        return runs.stream().filter(r -> r.config().workers() == workers && r.config().pinned() == pinned)
                .mapToDouble(metric).max().orElse(0);
    }

    private static double round(double value) {
        return Math.round(value * 10) / 10.0;
    }

    /** Runs the benchmark without the coldframe launcher: {@code java -cp coldframe.jar io.coldframe.cli.BenchArchiverCommand ...}. */
    public static void main(String[] args) {
        System.exit(new picocli.CommandLine(new BenchArchiverCommand()).execute(args));
    }
}
