package io.coldframe.testkit;

import java.io.IOException;
import java.io.PrintStream;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.SplittableRandom;
import java.util.TreeMap;

import org.bson.BsonArray;
import org.bson.BsonBoolean;
import org.bson.BsonDocument;
import org.bson.BsonInt32;
import org.bson.BsonInt64;
import org.bson.BsonString;
import org.bson.json.JsonMode;
import org.bson.json.JsonWriterSettings;

import io.coldframe.archive.InvariantAudit;
import io.coldframe.local.LocalStack;

/**
 * The kill loop behind {@code coldframe chaos}: the local stack, connector and tiering in this JVM; archiver workers
 * and the purger as child JVMs. Once archiving is under way, K times: wait a random moment, pick a random child and
 * kill -9 it (half of the kills land right after the child reports a randomly chosen protocol step, so every step
 * of the commit protocol gets hit), restart it at once. Then wait for the pipeline to drain and audit independently.
 */
public final class ChaosRun {

    public record Options(int kills, List<BsonDocument> documents, int workers, long seed, Duration minGap, Duration maxGap,
                   Duration stepWait, Duration batchLinger, int batchMaxRecords, Duration drainTimeout, Path workDir) {
    }

    private record ChildRef(String name, int index) {
    }

    public record Kill(int number, long atMs, String target, long targetUptimeMs, String mode, String phase, int exitCode) {
    }

    public record Result(Options options, List<Kill> kills, InvariantAudit.Result audit, long monitorSamples, long monitorViolations,
                  long unexpectedExits, boolean drained, long loadMs, long chaosMs, long drainMs, long auditMs, long elapsedMs) {
    }

    private static final List<String> ARCHIVER_STEPS = List.of("segmentWriting", "segmentVerified", "segmentStored", "beforeCommit", "committed");
    private static final List<String> PURGER_STEPS = List.of("beforeDelete", "deleteAcknowledged", "beforeOffsetCommit", "purgeCommitted");

    private final Options options;
    private final PrintStream out;
    private final SplittableRandom random;

    public ChaosRun(Options options, PrintStream out) {
        this.options = options;
        this.out = out;
        this.random = new SplittableRandom(options.seed());
    }

    public Result run() throws IOException, InterruptedException {
        long started = System.nanoTime();
        Files.createDirectories(options.workDir());
        out.println("starting the embedded stack (KRaft broker, MongoDB stand-in) in this JVM; work dir " + options.workDir());
        try (LocalStack stack = LocalStack.start()) {
            ProcessPipeline.Settings settings = ProcessPipeline.Settings.defaults(stack.topics().prefix(), options.workDir())
                    .withCollection(stack.collection())
                    .withBatches(options.batchLinger(), options.batchMaxRecords());
            try (ProcessPipeline pipeline = new ProcessPipeline(stack, settings)) {
                long t0 = System.nanoTime();
                pipeline.load(options.documents());
                long loadMs = millisSince(t0);
                out.printf("loaded %d memories into %s.%s in %d ms%n", options.documents().size(), stack.database(), stack.collection(), loadMs);

                List<ChildRef> children = new ArrayList<>();
                for (int i = 0; i < options.workers(); i++) {
                    children.add(new ChildRef("archiver-" + i, i));
                }
                children.add(new ChildRef("purger", -1));
                InvariantMonitor monitor = pipeline.monitor(Duration.ofSeconds(10)).start();
                pipeline.startTiering();
                out.println("starting Kafka Connect with the MongoDB source connector, tiering, " + options.workers()
                        + " archiver JVMs and the purger JVM ...");
                pipeline.startConnector();
                children.forEach(child -> start(pipeline, child));

                List<Kill> kills = new ArrayList<>();
                long unexpectedExits = awaitArchivingUnderWay(pipeline, children);
                long chaosStart = System.nanoTime();
                for (int k = 1; k <= options.kills(); k++) {
                    unexpectedExits += restartCrashed(pipeline, children);
                    ChildRef target = children.get(random.nextInt(children.size()));
                    ServiceProcess child = pipeline.child(target.name());
                    long gapMs = options.minGap().toMillis() + random.nextLong(Math.max(1, options.maxGap().toMillis() - options.minGap().toMillis()));
                    String mode;
                    if (random.nextBoolean()) {
                        List<String> steps = target.index() >= 0 ? ARCHIVER_STEPS : PURGER_STEPS;
                        String step = steps.get(random.nextInt(steps.size()));
                        Optional<ServiceProcess.Marker> reached = child.awaitPoint(child.markerCount(), step, options.stepWait());
                        mode = reached.isPresent() ? "at " + step : "timed (no " + step + " within " + options.stepWait().toSeconds() + " s)";
                    } else {
                        Thread.sleep(gapMs);
                        mode = "timed";
                    }
                    String phase = child.lastMarker().map(ServiceProcess.Marker::point).orElse("none yet");
                    long at = millisSince(chaosStart);
                    long uptime = Duration.between(child.startedAt(), Instant.now()).toMillis();
                    int exit = child.kill();
                    kills.add(new Kill(k, at, target.name(), uptime, mode, phase, exit));
                    out.printf("  kill %2d at %6d ms: kill -9 %s, up %d ms (%s), last step %s, exit %d%n", k, at, target.name(), uptime, mode, phase, exit);
                    start(pipeline, target);
                }
                long chaosMs = millisSince(chaosStart);

                out.println("waiting for the pipeline to drain ...");
                long drainStart = System.nanoTime();
                boolean drained = false;
                long drainDeadline = System.nanoTime() + options.drainTimeout().toNanos();
                while (!drained && System.nanoTime() < drainDeadline) {
                    unexpectedExits += restartCrashed(pipeline, children);
                    drained = pipeline.awaitDrained(Duration.ofSeconds(3), Duration.ofSeconds(30),
                            snapshot -> out.printf("  changes published %d/%d, backlog %s%n", snapshot.changesPublished(),
                                    options.documents().size(), snapshot.lagByGroup()));
                }
                long drainMs = millisSince(drainStart);
                if (!drained) {
                    out.println("the pipeline did not drain within " + options.drainTimeout() + "; auditing what is there");
                }
                pipeline.stopServices();
                monitor.close();

                out.println("auditing MongoDB, every segment (read back and verified now) and the purge results ...");
                long auditStart = System.nanoTime();
                InvariantAudit.Result audit = pipeline.audit();
                long auditMs = millisSince(auditStart);
                audit.examples().forEach(example -> out.println("  " + example));
                return new Result(options, kills, audit, monitor.samples(), monitor.violationCount(), unexpectedExits, drained,
                        loadMs, chaosMs, drainMs, auditMs, millisSince(started));
            }
        }
    }

    private static void start(ProcessPipeline pipeline, ChildRef child) {
        if (child.index() >= 0) {
            pipeline.startArchiver(child.index(), Map.of());
        } else {
            pipeline.startPurger(Map.of());
        }
    }

    /** Restarts a child that ended without being killed (none should); returns how many did. */
    private long restartCrashed(ProcessPipeline pipeline, List<ChildRef> children) {
        long crashed = 0;
        for (ChildRef ref : children) {
            ServiceProcess child = pipeline.child(ref.name());
            if (!child.isAlive()) {
                crashed++;
                out.printf("  %s ended on its own (exit %s); restarting it, see %s%n", ref.name(), child.exitCode().orElse(-1), child.logFile());
                start(pipeline, ref);
            }
        }
        return crashed;
    }

    /** The kills start once an archiver writes its first segment, so that they land in real work. */
    private long awaitArchivingUnderWay(ProcessPipeline pipeline, List<ChildRef> children) throws InterruptedException {
        long crashed = 0;
        long deadline = System.nanoTime() + Duration.ofMinutes(5).toNanos();
        while (System.nanoTime() < deadline) {
            for (ServiceProcess child : pipeline.children()) {
                if (child.markers().stream().anyMatch(m -> m.point().equals("segmentWriting"))) {
                    return crashed;
                }
            }
            crashed += restartCrashed(pipeline, children);
            Thread.sleep(500);
        }
        return crashed;
    }

    private static long millisSince(long nanos) {
        return (System.nanoTime() - nanos) / 1_000_000;
    }

    public static String toJson(Result result, String note) {
        InvariantAudit.Result audit = result.audit();
        Options options = result.options();
        BsonDocument byTarget = new BsonDocument();
        BsonDocument byPhase = new BsonDocument();
        BsonDocument byMode = new BsonDocument();
        BsonArray kills = new BsonArray();
        Map<String, Integer> targets = new TreeMap<>();
        Map<String, Integer> phases = new TreeMap<>();
        Map<String, Integer> modes = new TreeMap<>();
        for (Kill kill : result.kills()) {
            targets.merge(kill.target(), 1, Integer::sum);
            phases.merge(kill.phase(), 1, Integer::sum);
            modes.merge(kill.mode().startsWith("at ") ? "right after a step" : "timed", 1, Integer::sum);
            kills.add(new BsonDocument("n", new BsonInt32(kill.number()))
                    .append("at_ms", new BsonInt64(kill.atMs()))
                    .append("target", new BsonString(kill.target()))
                    .append("target_up_ms", new BsonInt64(kill.targetUptimeMs()))
                    .append("mode", new BsonString(kill.mode()))
                    .append("last_step_reported", new BsonString(kill.phase()))
                    .append("exit_code", new BsonInt32(kill.exitCode())));
        }
        targets.forEach((k, v) -> byTarget.append(k, new BsonInt32(v)));
        phases.forEach((k, v) -> byPhase.append(k, new BsonInt32(v)));
        modes.forEach((k, v) -> byMode.append(k, new BsonInt32(v)));
        BsonDocument json = new BsonDocument("kills", new BsonInt32(result.kills().size()))
                .append("loaded", new BsonInt64(audit.loaded()))
                .append("archived", new BsonInt64(audit.archived()))
                .append("deleted_from_mongo", new BsonInt64(audit.deletedFromMongo()))
                .append("remaining_in_mongo", new BsonInt64(audit.remainingInMongo()))
                .append("lost", new BsonInt64(audit.lost()))
                .append("deleted_without_verified_segment", new BsonInt64(audit.deletedWithoutVerifiedSegment()))
                .append("drained", BsonBoolean.valueOf(result.drained()))
                .append("segments", new BsonInt32(audit.segments()))
                .append("verified_segments", new BsonInt32(audit.verifiedSegments()))
                .append("segment_problems", new BsonInt32(audit.segmentProblems().size()))
                .append("commit_events", new BsonInt64(audit.commitEvents()))
                .append("distinct_committed_segments", new BsonInt64(audit.distinctCommittedSegments()))
                .append("archived_record_copies", new BsonInt64(audit.archivedRecordCopies()))
                .append("duplicate_record_copies_collapsed_on_read", new BsonInt64(audit.duplicateRecordCopies()))
                .append("purge_results", new BsonInt64(audit.purgeResults()))
                .append("purge_deleted", new BsonInt64(audit.purgedDeleted()))
                .append("purge_skipped_already_absent", new BsonInt64(audit.purgedAlreadyAbsent()))
                .append("purge_skipped_changed", new BsonInt64(audit.purgedChanged()))
                .append("invariant_samples_while_running", new BsonInt64(result.monitorSamples()))
                .append("invariant_violations_while_running", new BsonInt64(result.monitorViolations()))
                .append("children_exited_unkilled", new BsonInt64(result.unexpectedExits()))
                .append("kills_by_target", byTarget)
                .append("kills_by_last_step_reported", byPhase)
                .append("kills_by_mode", byMode)
                .append("kill_log", kills)
                .append("settings", new BsonDocument("docs", new BsonInt32(options.documents().size()))
                        .append("archiver_workers", new BsonInt32(options.workers()))
                        .append("seed", new BsonInt64(options.seed()))
                        .append("kill_gap_ms", new BsonString(options.minGap().toMillis() + ".." + options.maxGap().toMillis()))
                        .append("step_wait_ms", new BsonInt64(options.stepWait().toMillis()))
                        .append("batch_linger_ms", new BsonInt64(options.batchLinger().toMillis()))
                        .append("batch_max_records", new BsonInt32(options.batchMaxRecords()))
                        .append("session_timeout_ms", new BsonInt64(ProcessPipeline.Settings.defaults("x", Path.of(".")).sessionTimeout().toMillis())))
                .append("timings_ms", new BsonDocument("load", new BsonInt64(result.loadMs()))
                        .append("chaos", new BsonInt64(result.chaosMs()))
                        .append("drain", new BsonInt64(result.drainMs()))
                        .append("audit", new BsonInt64(result.auditMs()))
                        .append("total", new BsonInt64(result.elapsedMs())))
                .append("machine", new BsonDocument("cores", new BsonInt32(Runtime.getRuntime().availableProcessors()))
                        .append("java", new BsonString(System.getProperty("java.version")))
                        .append("load_average_at_end", new BsonString(String.format("%.2f",
                                ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage()))))
                .append("finished_at", new BsonString(Instant.now().toString()));
        if (note != null && !note.isBlank()) {
            json.append("note", new BsonString(note));
        }
        return json.toJson(JsonWriterSettings.builder().outputMode(JsonMode.RELAXED).indent(true).build());
    }
}
