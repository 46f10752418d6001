package io.coldframe.bench;

import java.lang.management.ManagementFactory;
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
import java.util.function.Consumer;
import java.util.function.ToDoubleFunction;

import io.coldframe.archive.InvariantAudit;
import io.coldframe.archiver.ArchiverConfig;
import io.coldframe.common.CommonConfigKeys;
import io.coldframe.common.Topics;
import io.coldframe.local.LocalStack;
import io.coldframe.local.PipelineProgress;
import io.coldframe.store.SegmentStoreConfig;
import io.coldframe.testkit.MemoryGenerator;
import io.coldframe.testkit.ProcessPipeline;
import io.coldframe.testkit.ServiceMain;
import io.coldframe.testkit.ServiceProcess;

/**
 * Archiving throughput with one worker JVM and with two on the same cold backlog: the cold topic is filled once (load,
 * connector, tiering), then each configuration archives all of it from offset 0 under a consumer group of its own.
 * Workers run unpinned (each may use every core) and, where {@code taskset} exists and {@code pinned} is set, pinned to
 * one core each, which shows how the work splits when the cores allow. The broker stays in this JVM, on any core.
 */
public final class ArchiverScaleBenchmark {

    /**
     * @param docs       memories to generate; ~90% become cold
     * @param partitions partitions of the benchmark's cold topic (keyed by agent)
     * @param repeats    runs per configuration
     * @param pinned     also run with each worker pinned to one core
     * @param workDir    child logs and segments (null: a fresh temporary directory)
     * @param note       a remark for the results (null: none)
     */
    public record Settings(int docs, int partitions, int repeats, long seed, boolean pinned, Path workDir, String note) {
    }

    private final Settings settings;
    private final Consumer<String> progress;

    public ArchiverScaleBenchmark(Settings settings, Consumer<String> progress) {
        this.settings = settings;
        this.progress = progress;
    }

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

    /** Fills the cold topic once, archives it with each configuration, and returns the results. */
    public Map<String, Object> run() throws Exception {
        Path dir = settings.workDir() != null ? settings.workDir() : Files.createTempDirectory("coldframe-bench-archiver");
        int cores = Runtime.getRuntime().availableProcessors();
        boolean canPin = settings.pinned() && cores >= 2 && Files.isExecutable(Path.of("/usr/bin/taskset"));
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
            stack.kafka().createTopic(new Topics("bench").cold(), settings.partitions(), Map.of());
            try (ProcessPipeline pipeline = new ProcessPipeline(stack, ProcessPipeline.Settings.defaults("bench", dir))) {
            progress.accept(String.format("filling the cold topic: %d memories through connector and tiering ...", settings.docs()));
            pipeline.load(new MemoryGenerator(settings.seed(), anchor).generate(settings.docs()));
            pipeline.startTiering();
            pipeline.startConnector();
            if (!pipeline.awaitTiered(Duration.ofMinutes(15))) {
                throw new IllegalStateException("tiering did not finish");
            }
            pipeline.stopServices();
            coldRecords = InvariantAudit.readCommitted(stack.kafkaConnection(), pipeline.topics().cold()).size();
            progress.accept(String.format("cold backlog: %d records in %s", coldRecords, pipeline.topics().cold()));
            for (int repeat = 1; repeat <= settings.repeats(); repeat++) {
                for (Config config : configs) {
                    Run run = measure(stack, pipeline, dir, config, repeat);
                    runs.add(run);
                    progress.accept(String.format("  %-34s run %d: %d records in %.1f s steady (%.1f s with JVM start and group join) = %.0f docs/s, per worker %s",
                            config.name(), repeat, run.records(), run.steadySeconds(), run.wallSeconds(), run.docsPerSecond(),
                            perWorker(run)));
                }
            }
            }
        }
        return results(runs, coldRecords, cores);
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
        PipelineProgress lag = new PipelineProgress(pipeline.admin(), pipeline.topics().changes(),
                List.of(new PipelineProgress.Stage(group, pipeline.topics().cold())));
        long deadline = System.nanoTime() + Duration.ofMinutes(15).toNanos();
        // CPU each worker had used when it started its first segment: start-up (JVM, clients, group join) is not archiving.
        double[] cpuAtFirstWrite = new double[workers.size()];
        java.util.Arrays.fill(cpuAtFirstWrite, -1);
        while (lag.snapshot().lagByGroup().get(group) > 0) {
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

    private Map<String, Object> results(List<Run> runs, long coldRecords, int cores) {
        List<Map<String, Object>> runList = new ArrayList<>();
        for (Run run : runs) {
            List<Map<String, Object>> workers = new ArrayList<>();
            for (int i = 0; i < run.recordsPerWorker().size(); i++) {
                double seconds = run.secondsPerWorker().get(i);
                double cpu = run.cpuSecondsPerWorker().get(i);
                Map<String, Object> worker = new LinkedHashMap<>();
                worker.put("archived", run.recordsPerWorker().get(i));
                worker.put("active_s", round(seconds));
                worker.put("docs_per_s", round(seconds > 0 ? run.recordsPerWorker().get(i) / seconds : 0));
                worker.put("cpu_s", round(cpu));
                worker.put("docs_per_cpu_s", round(cpu > 0 ? run.recordsPerWorker().get(i) / cpu : 0));
                workers.add(worker);
            }
            Map<String, Object> r = new LinkedHashMap<>();
            r.put("config", run.config().name());
            r.put("workers", run.config().workers());
            r.put("pinned_one_core_each", run.config().pinned());
            r.put("repeat", run.repeat());
            r.put("archived", run.records());
            r.put("segments", run.segments());
            r.put("steady_s", round(run.steadySeconds()));
            r.put("wall_s_with_jvm_start_and_group_join", round(run.wallSeconds()));
            r.put("docs_per_s", round(run.docsPerSecond()));
            r.put("docs_per_s_per_worker", round(run.docsPerSecond() / run.config().workers()));
            r.put("docs_per_cpu_s", round(run.docsPerCpuSecond()));
            r.put("largest_worker_share", Results.round(run.largestShare(), 3));
            r.put("per_worker", workers);
            r.put("load_average_before", round(run.loadBefore()));
            r.put("load_average_after", round(run.loadAfter()));
            runList.add(r);
        }
        Map<String, Object> summary = new LinkedHashMap<>();
        for (boolean pinned : new boolean[] {false, true}) {
            double one = best(runs, 1, pinned, Run::docsPerSecond);
            double two = best(runs, 2, pinned, Run::docsPerSecond);
            if (one > 0 && two > 0) {
                Map<String, Object> s = new LinkedHashMap<>();
                s.put("one_worker_docs_per_s", round(one));
                s.put("two_workers_docs_per_s", round(two));
                s.put("two_workers_docs_per_s_per_worker", round(two / 2));
                s.put("speedup", Results.round(two / one, 2));
                s.put("one_worker_docs_per_cpu_s", round(best(runs, 1, pinned, Run::docsPerCpuSecond)));
                s.put("two_workers_docs_per_cpu_s", round(best(runs, 2, pinned, Run::docsPerCpuSecond)));
                summary.put(pinned ? "pinned_one_core_each" : "unpinned", s);
            }
        }
        Map<String, Object> machine = new LinkedHashMap<>();
        machine.put("cores", cores);
        machine.put("java", System.getProperty("java.version"));
        machine.put("note", "broker, JVM of this command and workers share these cores; the machine is shared with other builds, see load averages");
        Map<String, Object> json = new LinkedHashMap<>();
        json.put("benchmark", "archiver scale: archived docs/s, 1 vs 2 worker JVMs");
        json.put("docs", settings.docs());
        json.put("cold_records", coldRecords);
        json.put("cold_partitions", settings.partitions());
        json.put("batch", "max 2000 records or 2 s linger");
        json.put("summary_best_of_repeats", summary);
        json.put("runs", runList);
        json.put("machine", machine);
        json.put("finished_at", Instant.now().toString());
        if (settings.note() != null && !settings.note().isBlank()) {
            json.put("note", settings.note());
        }
        return json;
    }

    private static double best(List<Run> runs, int workers, boolean pinned, ToDoubleFunction<Run> metric) {
        return runs.stream().filter(r -> r.config().workers() == workers && r.config().pinned() == pinned)
                .mapToDouble(metric).max().orElse(0);
    }

    private static double round(double value) {
        return Results.round(value, 1);
    }
}
