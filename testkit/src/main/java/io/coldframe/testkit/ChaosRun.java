package io.coldframe.testkit;

import java.io.IOException;
import java.io.PrintStream;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
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
import java.util.TreeMap;

import org.bson.BsonArray;
import org.bson.BsonBoolean;
import org.bson.BsonDateTime;
import org.bson.BsonDocument;
import org.bson.BsonInt32;
import org.bson.BsonInt64;
import org.bson.BsonNull;
import org.bson.BsonString;
import org.bson.BsonValue;
import org.bson.RawBsonDocument;
import org.bson.json.JsonMode;
import org.bson.json.JsonWriterSettings;

import com.mongodb.client.model.Filters;
import com.mongodb.client.model.Updates;

import io.coldframe.archive.InvariantAudit;
import io.coldframe.archive.KafkaRestoreMarks;
import io.coldframe.archive.MongoPresence;
import io.coldframe.archive.Restorer;
import io.coldframe.common.ChangeEventBytes;
import io.coldframe.common.MemoryDocuments;
import io.coldframe.common.Progress;
import io.coldframe.local.LocalStack;
import io.coldframe.segment.SegmentManifest;

/**
 * The kill loop behind {@code coldframe chaos}. The local stack (broker, MongoDB stand-in) runs in this JVM; the tiering
 * streams app, the Kafka Connect worker (MongoDB source connector), the archiver workers and the purger run as child
 * JVMs. Half of the memories are loaded first, the rest fed in chunks, one per kill, so that work keeps arriving until
 * the last kill (the live change stream).
 * K times, one of:
 * <ul>
 *   <li>an aimed kill: a named protocol step is picked first (round robin over the steps hit fewer than twice, then
 *   over the least hit), the services that have it are armed to hold right after reporting it
 *   ({@link ServiceMain#HOLD_FILE_ENV}), and the first to report it is killed there with SIGKILL;</li>
 *   <li>the streams app or the Connect worker killed (SIGKILL) while it works: right after a chunk was inserted;</li>
 *   <li>a broker restart (same node, ports and data).</li>
 * </ul>
 * Each victim is restarted at once. Meanwhile memories are updated right after a segment holding them was stored (so
 * the purger must keep the newer version) and restored right after the purger deleted them (so a replay must keep the
 * restored copy). Then the run waits for the pipeline to drain and audits independently, against each memory's latest
 * written version.
 */
public final class ChaosRun {

    public record Options(int kills, List<BsonDocument> documents, int workers, long seed, Duration minGap, Duration maxGap,
                   Duration stepWait, Duration batchLinger, int batchMaxRecords, Duration drainTimeout, Path workDir,
                   int updates, int restores) {
    }

    public record Kill(int number, long atMs, String target, long targetUptimeMs, String mode, String aimedStep, String phase,
                       boolean hit, int exitCode) {
    }

    public record Result(Options options, List<Kill> kills, InvariantAudit.Result audit, long monitorSamples, long monitorViolations,
                  long unexpectedExits, boolean drained, long loadMs, long chaosMs, long drainMs, long auditMs, long elapsedMs,
                  long updates, long restores, long restoredDeletedAgain, long updatedDeletedAfterArchiving,
                  long purgerKeptRestored, long preloaded, long neverPublished) {
    }

    /** The named steps, in protocol order: the archiver's, then the purger's. */
    public static final List<String> ARCHIVER_STEPS = List.of("segmentWriting", "segmentVerified", "segmentStored", "beforeCommit", "committed");
    public static final List<String> PURGER_STEPS = List.of("beforeDelete", "deleteAcknowledged", "beforeOffsetCommit", "purgeCommitted");
    public static final List<String> STEPS = concat(ARCHIVER_STEPS, PURGER_STEPS);
    /** Every named step should be hit at least this often before any is hit more. */
    public static final int HITS_PER_STEP = 2;

    private static final Duration BROKER_DOWN = Duration.ofSeconds(5);

    private final Options options;
    private final PrintStream out;
    private final SplittableRandom random;
    private final Map<String, Integer> hitsByStep = new LinkedHashMap<>();
    private int stepCursor;

    public ChaosRun(Options options, PrintStream out) {
        this.options = options;
        this.out = out;
        this.random = new SplittableRandom(options.seed());
        STEPS.forEach(step -> hitsByStep.put(step, 0));
    }

    private static List<String> concat(List<String> a, List<String> b) {
        List<String> all = new ArrayList<>(a);
        all.addAll(b);
        return List.copyOf(all);
    }

    /** What kill {@code k} (1-based) is: every 8th from the 3rd the streams app, from the 6th Connect, every 16th the broker. */
    static String kind(int k) {
        if (k % 16 == 0) {
            return "broker";
        }
        if (k % 8 == 3) {
            return "streams";
        }
        if (k % 8 == 6) {
            return "connect";
        }
        return "step";
    }

    public Result run() throws IOException, InterruptedException {
        long started = System.nanoTime();
        Files.createDirectories(options.workDir());
        out.println("starting the embedded stack (KRaft broker, MongoDB stand-in) in this JVM; work dir " + options.workDir());
        try (LocalStack stack = LocalStack.start()) {
            ProcessPipeline.Settings settings = ProcessPipeline.Settings.defaults(stack.topics().prefix(), options.workDir())
                    .withCollection(stack.collection())
                    .withBatches(options.batchLinger(), options.batchMaxRecords());
            try (ProcessPipeline pipeline = new ProcessPipeline(stack, settings);
                 KafkaRestoreMarks marks = new KafkaRestoreMarks(stack.kafkaConnection(), pipeline.topics().restores(), Duration.ofSeconds(20))) {
                List<BsonDocument> documents = options.documents();
                int preload = Math.max(1, documents.size() / 2);
                long t0 = System.nanoTime();
                pipeline.load(documents.subList(0, preload));
                long loadMs = millisSince(t0);
                out.printf("loaded %d of %d memories into %s.%s in %d ms; the rest follow in chunks during the kills%n", preload,
                        documents.size(), stack.database(), stack.collection(), loadMs);
                Feeder feeder = new Feeder(pipeline, documents, preload, Math.max(1, options.kills()));

                List<String> services = new ArrayList<>();
                for (int i = 0; i < options.workers(); i++) {
                    services.add("archiver-" + i);
                }
                services.add("purger");
                services.add("streams");
                services.add("connect");
                InvariantMonitor monitor = pipeline.monitor(Duration.ofSeconds(10)).start();
                out.println("starting the tiering streams app, Kafka Connect with the MongoDB source connector, " + options.workers()
                        + " archivers and the purger, each a JVM of its own ...");
                services.forEach(name -> start(pipeline, name));

                Writer writer = new Writer(pipeline, marks, options.updates(), options.restores(), new SplittableRandom(options.seed() + 1), out);
                List<Kill> kills = new ArrayList<>();
                long unexpectedExits = awaitArchivingUnderWay(pipeline, services);
                // Memories inserted while the connector still copies the existing ones are never published on the
                // stand-in (its change stream starts after the copy): feed the rest only once the copy is complete.
                unexpectedExits += awaitCopied(pipeline, services, preload);
                Thread writerThread = new Thread(writer, "chaos-writer");
                writerThread.setDaemon(true);
                writerThread.start();
                long chaosStart = System.nanoTime();
                for (int k = 1; k <= options.kills(); k++) {
                    unexpectedExits += restartCrashed(pipeline, services);
                    String kind = kind(k);
                    if (!kind.equals("connect")) {
                        feeder.feed(k);
                    }
                    Kill kill = switch (kind) {
                        case "broker" -> restartBroker(stack, k, chaosStart);
                        case "streams", "connect" -> killWorking(pipeline, feeder, kind, k, chaosStart);
                        default -> aimedKill(pipeline, writer, feeder, k, chaosStart);
                    };
                    kills.add(kill);
                    out.printf("  kill %2d at %6d ms: %s %s, up %d ms (%s), last step %s%s%n", k, kill.atMs(),
                            kill.target().equals("broker") ? "restart" : "kill -9", kill.target(), kill.targetUptimeMs(), kill.mode(),
                            kill.phase(), kill.aimedStep() == null ? "" : kill.hit() ? " (hit)" : " (missed " + kill.aimedStep() + ")");
                }
                feeder.feedRest();
                long chaosMs = millisSince(chaosStart);

                out.println("waiting for the pipeline to drain ...");
                long drainStart = System.nanoTime();
                boolean drained = false;
                long drainDeadline = System.nanoTime() + options.drainTimeout().toNanos();
                while (!drained && System.nanoTime() < drainDeadline) {
                    unexpectedExits += restartCrashed(pipeline, services);
                    drained = pipeline.awaitDrained(Duration.ofSeconds(3), Duration.ofSeconds(30),
                            snapshot -> out.printf("  changes published %d (at least %d), backlog %s%n", snapshot.changesPublished(),
                                    documents.size(), snapshot.lagByGroup()));
                }
                writer.stop();
                writerThread.join(60_000);
                long drainMs = millisSince(drainStart);
                if (!drained) {
                    out.println("the pipeline did not drain within " + options.drainTimeout() + "; auditing what is there");
                }
                pipeline.stopServices();
                monitor.close();

                out.println("auditing MongoDB, every segment (read back and verified now) and the purge results ...");
                long auditStart = System.nanoTime();
                InvariantAudit.Result audit = pipeline.audit();
                Set<String> restored = writer.restoredIds();
                Set<String> updated = pipeline.updatedIds();
                long restoredGone = restored.size() - MongoPresence.presentIds(pipeline.memories(), restored).size();
                long updatedGone = updated.size() - MongoPresence.presentIds(pipeline.memories(), updated).size();
                long kept = pipeline.history().stream().filter(c -> c.name().equals("purger"))
                        .flatMap(c -> c.markers().stream()).filter(m -> m.point().equals("protectedByRestore"))
                        .mapToLong(m -> m.details().size() > 1 ? Long.parseLong(m.details().get(1)) : 0).sum();
                long unpublished = neverPublished(pipeline);
                long auditMs = millisSince(auditStart);
                audit.examples().forEach(example -> out.println("  " + example));
                return new Result(options, kills, audit, monitor.samples(), monitor.violationCount(), unexpectedExits, drained,
                        loadMs, chaosMs, drainMs, auditMs, millisSince(started), writer.updates(), restored.size(), restoredGone,
                        updatedGone, kept, preload, unpublished);
            }
        }
    }

    // ------------------------------------------------------------------------------------------------ kills

    /** Picks a named step, arms every service that has it, kills the first that reports it right there. */
    private Kill aimedKill(ProcessPipeline pipeline, Writer writer, Feeder feeder, int k, long chaosStart) throws InterruptedException {
        long deadline = System.nanoTime() + 2 * options.stepWait().toNanos();
        for (int attempt = 0; attempt < STEPS.size() && System.nanoTime() < deadline; attempt++) {
            String step = nextStep();
            List<String> victims = new ArrayList<>();
            if (ARCHIVER_STEPS.contains(step)) {
                for (int i = 0; i < options.workers(); i++) {
                    victims.add("archiver-" + i);
                }
            } else {
                victims.add("purger");
            }
            Map<String, ServiceProcess> armed = new LinkedHashMap<>();
            Map<String, Integer> from = new HashMap<>();
            for (String name : victims) {
                ServiceProcess child = pipeline.child(name);
                from.put(name, child.markerCount());
                armed.put(name, child);
                pipeline.arm(name, step);
            }
            long stepDeadline = Math.min(deadline, System.nanoTime() + options.stepWait().toNanos());
            String victim = null;
            ServiceProcess.Marker reached = null;
            while (victim == null && System.nanoTime() < stepDeadline) {
                for (String name : victims) {
                    ServiceProcess child = pipeline.child(name);
                    if (child != armed.get(name)) {
                        armed.put(name, child);
                        from.put(name, 0);
                    }
                    List<ServiceProcess.Marker> markers = child.markers();
                    for (int i = from.get(name); i < markers.size(); i++) {
                        if (markers.get(i).point().equals(step)) {
                            victim = name;
                            reached = markers.get(i);
                            break;
                        }
                    }
                    if (victim != null) {
                        break;
                    }
                    from.put(name, markers.size());
                }
                if (victim == null) {
                    Thread.sleep(10);
                }
            }
            for (String name : victims) {
                if (!name.equals(victim)) {
                    pipeline.disarm(name);
                }
            }
            if (victim == null) {
                // No work reached that step: bring the next chunk forward, so that the next step gets work.
                int fed = feeder.feed(k);
                out.printf("  (no %s within %d s; %s trying another step)%n", step, options.stepWait().toSeconds(),
                        fed > 0 ? fed + " more memories loaded," : "");
                continue;
            }
            String mode = "at " + step;
            if (step.equals("deleteAcknowledged") && !reached.details().isEmpty()) {
                // The purger deleted and holds before committing its offset: restore some now; its replay must keep them.
                int restored = writer.restoreFrom(reached.details().get(0), 5);
                if (restored > 0) {
                    mode += ", " + restored + " restored first";
                }
            }
            ServiceProcess child = pipeline.child(victim);
            Kill kill = killAndRestart(pipeline, child, victim, k, chaosStart, mode, step);
            pipeline.disarm(victim);
            start(pipeline, victim);
            if (kill.hit()) {
                hitsByStep.merge(step, 1, Integer::sum);
            }
            return kill;
        }
        // No armed step came (no work for anyone just now): a timed kill of a random archiver or the purger.
        List<String> names = new ArrayList<>();
        for (int i = 0; i < options.workers(); i++) {
            names.add("archiver-" + i);
        }
        names.add("purger");
        String name = names.get(random.nextInt(names.size()));
        Thread.sleep(gapMs());
        Kill kill = killAndRestart(pipeline, pipeline.child(name), name, k, chaosStart, "timed (no named step came)", null);
        start(pipeline, name);
        return kill;
    }

    /** Round robin over the steps hit fewer than {@link #HITS_PER_STEP} times; once all are, over the least hit. */
    private String nextStep() {
        int fewest = hitsByStep.values().stream().mapToInt(Integer::intValue).min().orElse(0);
        int bar = fewest < HITS_PER_STEP ? HITS_PER_STEP : fewest + 1;
        for (int i = 0; i < STEPS.size(); i++) {
            String step = STEPS.get((stepCursor + i) % STEPS.size());
            if (hitsByStep.get(step) < bar) {
                stepCursor = (stepCursor + i + 1) % STEPS.size();
                return step;
            }
        }
        String step = STEPS.get(stepCursor);
        stepCursor = (stepCursor + 1) % STEPS.size();
        return step;
    }

    /** The streams app or Connect killed while it has work: right after a chunk went into MongoDB, or after a short wait. */
    private Kill killWorking(ProcessPipeline pipeline, Feeder feeder, String name, int k, long chaosStart) throws InterruptedException {
        ServiceProcess child = pipeline.child(name);
        String ready = name.equals("streams") ? "streamsRunning" : "connectorRunning";
        boolean up = child.awaitPoint(0, ready, Duration.ofSeconds(90)).isPresent();
        String mode;
        if (name.equals("connect") && feeder.feed(k) > 0) {
            Thread.sleep(300 + random.nextInt(1200));
            mode = "while publishing a chunk";
        } else {
            Thread.sleep(500 + random.nextInt(2500));
            mode = up ? "timed, running" : "timed, not running yet";
        }
        Kill kill = killAndRestart(pipeline, child, name, k, chaosStart, mode, null);
        start(pipeline, name);
        return kill;
    }

    private Kill restartBroker(LocalStack stack, int k, long chaosStart) throws InterruptedException {
        long at = millisSince(chaosStart);
        stack.kafka().stop();
        Thread.sleep(BROKER_DOWN.toMillis());
        stack.kafka().start();
        return new Kill(k, at, "broker", 0, "restart (down " + BROKER_DOWN.toSeconds() + " s)", null, "n/a", false, 0);
    }

    private Kill killAndRestart(ProcessPipeline pipeline, ServiceProcess child, String name, int k, long chaosStart, String mode,
                                String aimed) {
        long at = millisSince(chaosStart);
        long uptime = Duration.between(child.startedAt(), Instant.now()).toMillis();
        int exit = child.kill();
        String phase = child.lastMarker().map(ServiceProcess.Marker::point).orElse("none yet");
        return new Kill(k, at, name, uptime, mode, aimed, phase, aimed != null && aimed.equals(phase), exit);
    }

    private long gapMs() {
        return options.minGap().toMillis() + random.nextLong(Math.max(1, options.maxGap().toMillis() - options.minGap().toMillis()));
    }

    private static void start(ProcessPipeline pipeline, String name) {
        pipeline.disarm(name);
        switch (name) {
            case "purger" -> pipeline.startPurger(Map.of());
            case "streams" -> pipeline.startTieringProcess();
            case "connect" -> pipeline.startConnectProcess();
            default -> pipeline.startArchiver(Integer.parseInt(name.substring("archiver-".length())), Map.of());
        }
    }

    /** Restarts a child that ended without being killed (none should); returns how many did. */
    private long restartCrashed(ProcessPipeline pipeline, List<String> services) {
        long crashed = 0;
        for (String name : services) {
            ServiceProcess child = pipeline.child(name);
            if (!child.isAlive()) {
                crashed++;
                out.printf("  %s ended on its own (exit %s); restarting it, see %s%n", name, child.exitCode().orElse(-1), child.logFile());
                start(pipeline, name);
            }
        }
        return crashed;
    }

    /** Waits until the change topic holds at least {@code copied} events (the connector's copy of the preloaded memories). */
    private long awaitCopied(ProcessPipeline pipeline, List<String> services, long copied) throws InterruptedException {
        long crashed = 0;
        long deadline = System.nanoTime() + Duration.ofMinutes(5).toNanos();
        while (System.nanoTime() < deadline && pipeline.snapshot().changesPublished() < copied) {
            crashed += restartCrashed(pipeline, services);
            Thread.sleep(200);
        }
        return crashed;
    }

    /** Loaded memories that no change event on the change topic carries (the connector never published them). */
    private static long neverPublished(ProcessPipeline pipeline) {
        Set<String> seen = new HashSet<>();
        for (var record : InvariantAudit.readCommitted(pipeline.stack().kafkaConnection(), pipeline.topics().changes())) {
            try {
                BsonDocument event = ChangeEventBytes.read(record.value());
                if (event.get("fullDocument") instanceof BsonDocument full && full.containsKey("_id")) {
                    seen.add(MemoryDocuments.idOf(full.get("_id")));
                }
            } catch (RuntimeException e) {
                // not a change event
            }
        }
        return pipeline.loadedVersions().keySet().stream().filter(id -> !seen.contains(id)).count();
    }

    /** The kills start once an archiver writes its first segment, so that they land in real work. */
    private long awaitArchivingUnderWay(ProcessPipeline pipeline, List<String> services) throws InterruptedException {
        long crashed = 0;
        long deadline = System.nanoTime() + Duration.ofMinutes(5).toNanos();
        while (System.nanoTime() < deadline) {
            for (ServiceProcess child : pipeline.children()) {
                if (child.markers().stream().anyMatch(m -> m.point().equals("segmentWriting"))) {
                    return crashed;
                }
            }
            crashed += restartCrashed(pipeline, services);
            Thread.sleep(500);
        }
        return crashed;
    }

    private static long millisSince(long nanos) {
        return (System.nanoTime() - nanos) / 1_000_000;
    }

    // ------------------------------------------------------------------------------------------------ writes

    /** Inserts the memories not loaded up front, a chunk per kill (or per step that did not come) until all are in. */
    private static final class Feeder {
        private final ProcessPipeline pipeline;
        private final List<BsonDocument> documents;
        private final int chunk;
        private int next;

        Feeder(ProcessPipeline pipeline, List<BsonDocument> documents, int preloaded, int lastKill) {
            this.pipeline = pipeline;
            this.documents = documents;
            this.next = preloaded;
            this.chunk = (int) Math.ceil((documents.size() - preloaded) / (double) lastKill);
        }

        /** Inserts the next chunk; returns how many. */
        int feed(int kill) {
            int to = Math.min(documents.size(), next + chunk);
            if (to <= next) {
                return 0;
            }
            pipeline.load(documents.subList(next, to));
            int n = to - next;
            next = to;
            return n;
        }

        void feedRest() {
            if (next < documents.size()) {
                pipeline.load(documents.subList(next, documents.size()));
                next = documents.size();
            }
        }
    }

    /**
     * Updates memories right after a segment holding them was stored (before its commit event, so the purger meets the
     * newer version) and restores memories right after the purger deleted them (before it commits, so a replay meets
     * the restored copy), on a thread of its own, reading the children's markers.
     */
    static final class Writer implements Runnable {
        private static final int UPDATES_PER_SEGMENT = 10;
        private static final int RESTORES_PER_SEGMENT = 5;

        private final ProcessPipeline pipeline;
        private final Restorer restorer;
        private final int maxUpdates;
        private final int maxRestores;
        private final SplittableRandom random;
        private final PrintStream out;
        private final Set<String> storedSeen = new HashSet<>();
        private final Set<String> deletedSeen = new HashSet<>();
        private final Set<String> restored = new HashSet<>();
        private final Map<ServiceProcess, Integer> read = new HashMap<>();
        private long updates;
        private int revision;
        private volatile boolean running = true;

        Writer(ProcessPipeline pipeline, KafkaRestoreMarks marks, int maxUpdates, int maxRestores, SplittableRandom random, PrintStream out)
                throws IOException {
            this.pipeline = pipeline;
            this.restorer = new Restorer(pipeline.store(), pipeline.memories().withDocumentClass(RawBsonDocument.class), marks,
                    Duration.ofDays(7), false, note -> { }, Progress.SILENT, Clock.systemUTC());
            this.maxUpdates = maxUpdates;
            this.maxRestores = maxRestores;
            this.random = random;
            this.out = out;
        }

        @Override
        public void run() {
            while (running) {
                try {
                    for (ServiceProcess child : pipeline.children()) {
                        List<ServiceProcess.Marker> markers = child.markers();
                        int from = read.getOrDefault(child, 0);
                        read.put(child, markers.size());
                        for (ServiceProcess.Marker marker : markers.subList(from, markers.size())) {
                            if (marker.details().isEmpty()) {
                                continue;
                            }
                            if (marker.point().equals("segmentStored")) {
                                updateFrom(marker.details().get(0), UPDATES_PER_SEGMENT);
                            } else if (marker.point().equals("deleteAcknowledged")) {
                                restoreFrom(marker.details().get(0), RESTORES_PER_SEGMENT);
                            }
                        }
                    }
                    Thread.sleep(100);
                } catch (InterruptedException e) {
                    return;
                } catch (RuntimeException e) {
                    out.println("  (writer: " + e.getMessage() + ")");
                }
            }
        }

        void stop() {
            running = false;
        }

        synchronized long updates() {
            return updates;
        }

        synchronized Set<String> restoredIds() {
            return Set.copyOf(restored);
        }

        /** Memories of a stored segment still at its version, in a random order. */
        private List<SegmentManifest.Entry> candidates(String segmentId, Set<String> updated) {
            List<SegmentManifest.Entry> entries;
            try {
                entries = new ArrayList<>(pipeline.store().manifest(segmentId).entries());
            } catch (IOException | RuntimeException e) {
                return List.of();
            }
            Map<String, String> expected = pipeline.expectedVersions();
            entries.removeIf(e -> updated.contains(e.memoryId()) || restored.contains(e.memoryId())
                    || !e.version().equals(expected.get(e.memoryId())));
            for (int i = entries.size() - 1; i > 0; i--) {
                int j = random.nextInt(i + 1);
                SegmentManifest.Entry swap = entries.get(i);
                entries.set(i, entries.get(j));
                entries.set(j, swap);
            }
            return entries;
        }

        /** Changes a field of up to {@code n} memories of the segment that MongoDB still holds at the archived version. */
        synchronized int updateFrom(String segmentId, int n) {
            if (!storedSeen.add(segmentId) || updates >= maxUpdates) {
                return 0;
            }
            int done = 0;
            for (SegmentManifest.Entry entry : candidates(segmentId, pipeline.updatedIds())) {
                if (done >= n || updates >= maxUpdates) {
                    break;
                }
                BsonValue id = pipeline.idValue(entry.memoryId());
                if (id == null) {
                    continue;
                }
                revision++;
                // updateOne, then a read: the stand-in's change stream reports no findAndModify. Nothing else writes
                // the memory meanwhile, and the purger deletes only the archived (older) version.
                if (pipeline.memories().updateOne(Filters.eq("_id", id), Updates.combine(Updates.set("chaos_revision", revision),
                        Updates.set("chaos_updated_at", new BsonDateTime(System.currentTimeMillis())))).getModifiedCount() == 0) {
                    continue;
                }
                BsonDocument after = pipeline.memories().find(Filters.eq("_id", id)).first();
                if (after != null) {
                    pipeline.recordWrite(entry.memoryId(), MemoryDocuments.versionOf(after), true);
                    updates++;
                    done++;
                }
            }
            return done;
        }

        /** Restores up to {@code n} memories of the segment that the purger deleted (MongoDB lacks them now). */
        synchronized int restoreFrom(String segmentId, int n) {
            if (!deletedSeen.add(segmentId) || restored.size() >= maxRestores) {
                return 0;
            }
            List<SegmentManifest.Entry> entries = candidates(segmentId, pipeline.updatedIds());
            Set<String> present = MongoPresence.presentIds(pipeline.memories(), entries.stream().map(SegmentManifest.Entry::memoryId).toList());
            List<Restorer.Target> targets = new ArrayList<>();
            Map<String, String> versions = new HashMap<>();
            for (SegmentManifest.Entry entry : entries) {
                if (targets.size() >= Math.min(n, maxRestores - restored.size())) {
                    break;
                }
                if (!present.contains(entry.memoryId())) {
                    targets.add(new Restorer.Target(entry.memoryId(), segmentId, entry.version(), null));
                    versions.put(entry.memoryId(), entry.version());
                }
            }
            if (targets.isEmpty()) {
                return 0;
            }
            Restorer.Result result = restorer.restore(targets, new Restorer.Result());
            for (String id : result.restoredIds()) {
                pipeline.recordWrite(id, versions.get(id), false);
                restored.add(id);
            }
            if (result.aborted() != null) {
                out.println("  (restore from " + segmentId + " stopped: " + result.aborted() + ")");
            }
            return result.restoredIds().size();
        }
    }

    // ------------------------------------------------------------------------------------------------ report

    public static String toJson(Result result, String note) {
        InvariantAudit.Result audit = result.audit();
        Options options = result.options();
        BsonDocument byTarget = new BsonDocument();
        BsonDocument byPhase = new BsonDocument();
        BsonDocument byMode = new BsonDocument();
        BsonDocument byStep = new BsonDocument();
        BsonArray kills = new BsonArray();
        Map<String, Integer> targets = new TreeMap<>();
        Map<String, Integer> phases = new TreeMap<>();
        Map<String, Integer> modes = new TreeMap<>();
        Map<String, Integer> steps = new LinkedHashMap<>();
        STEPS.forEach(step -> steps.put(step, 0));
        for (Kill kill : result.kills()) {
            targets.merge(kill.target(), 1, Integer::sum);
            if (!kill.target().equals("broker")) {
                phases.merge(kill.phase(), 1, Integer::sum);
            }
            modes.merge(kill.hit() ? "right after a named step" : kill.target().equals("broker") ? "broker restart"
                    : kill.aimedStep() == null && (kill.target().equals("streams") || kill.target().equals("connect")) ? "streams/connect while working"
                    : "timed", 1, Integer::sum);
            if (kill.hit()) {
                steps.merge(kill.aimedStep(), 1, Integer::sum);
            }
            kills.add(new BsonDocument("n", new BsonInt32(kill.number()))
                    .append("at_ms", new BsonInt64(kill.atMs()))
                    .append("target", new BsonString(kill.target()))
                    .append("target_up_ms", new BsonInt64(kill.targetUptimeMs()))
                    .append("mode", new BsonString(kill.mode()))
                    .append("aimed_step", kill.aimedStep() == null ? BsonNull.VALUE : new BsonString(kill.aimedStep()))
                    .append("last_step_reported", new BsonString(kill.phase()))
                    .append("hit", BsonBoolean.valueOf(kill.hit()))
                    .append("exit_code", new BsonInt32(kill.exitCode())));
        }
        targets.forEach((k, v) -> byTarget.append(k, new BsonInt32(v)));
        phases.forEach((k, v) -> byPhase.append(k, new BsonInt32(v)));
        modes.forEach((k, v) -> byMode.append(k, new BsonInt32(v)));
        steps.forEach((k, v) -> byStep.append(k, new BsonInt32(v)));
        BsonArray neverHit = new BsonArray();
        BsonArray underTwice = new BsonArray();
        steps.forEach((k, v) -> {
            if (v == 0) {
                neverHit.add(new BsonString(k));
            }
            if (v < HITS_PER_STEP) {
                underTwice.add(new BsonString(k));
            }
        });
        BsonDocument json = new BsonDocument("kills", new BsonInt32(result.kills().size()))
                .append("loaded", new BsonInt64(audit.loaded()))
                .append("archived", new BsonInt64(audit.archived()))
                .append("deleted_from_mongo", new BsonInt64(audit.deletedFromMongo()))
                .append("remaining_in_mongo", new BsonInt64(audit.remainingInMongo()))
                .append("lost", new BsonInt64(audit.lost()))
                .append("deleted_without_verified_segment", new BsonInt64(audit.deletedWithoutVerifiedSegment()))
                .append("deleted_newer_version", new BsonInt64(audit.deletedNewerVersion()))
                .append("drained", BsonBoolean.valueOf(result.drained()))
                .append("loaded_never_published", new BsonInt64(result.neverPublished()))
                .append("updates", new BsonInt64(result.updates()))
                .append("updated_deleted_after_newer_version_archived", new BsonInt64(result.updatedDeletedAfterArchiving()))
                .append("restores", new BsonInt64(result.restores()))
                .append("restored_deleted_again", new BsonInt64(result.restoredDeletedAgain()))
                .append("purger_kept_restored", new BsonInt64(result.purgerKeptRestored()))
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
                .append("kills_by_step", byStep)
                .append("steps_never_hit", neverHit)
                .append("steps_hit_fewer_than_twice", underTwice)
                .append("kills_by_target", byTarget)
                .append("kills_by_last_step_reported", byPhase)
                .append("kills_by_mode", byMode)
                .append("kill_log", kills)
                .append("settings", new BsonDocument("docs", new BsonInt32(options.documents().size()))
                        .append("loaded_before_the_kills", new BsonInt64(result.preloaded()))
                        .append("archiver_workers", new BsonInt32(options.workers()))
                        .append("seed", new BsonInt64(options.seed()))
                        .append("max_updates", new BsonInt32(options.updates()))
                        .append("max_restores", new BsonInt32(options.restores()))
                        .append("kill_gap_ms", new BsonString(options.minGap().toMillis() + ".." + options.maxGap().toMillis()))
                        .append("step_wait_ms", new BsonInt64(options.stepWait().toMillis()))
                        .append("broker_down_ms", new BsonInt64(BROKER_DOWN.toMillis()))
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
