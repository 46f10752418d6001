package io.coldframe.testkit.faults;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.UnaryOperator;
import java.util.stream.Stream;

import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.bson.BsonDocument;
import org.bson.BsonValue;

import com.mongodb.client.model.Filters;

import io.coldframe.archive.InvariantAudit;
import io.coldframe.common.MemoryDocuments;
import io.coldframe.common.MemoryFields;
import io.coldframe.local.LocalStack;
import io.coldframe.schemas.AvroSerde;
import io.coldframe.schemas.PurgeResult;
import io.coldframe.schemas.SegmentCommitted;
import io.coldframe.schemas.TierChange;
import io.coldframe.testkit.MemoryGenerator;
import io.coldframe.testkit.ProcessPipeline;
import io.coldframe.testkit.ServiceProcess;

/** What the fault tests share: pipelines with child-JVM workers, the end audit, reading topics, freezing children. */
public final class FaultRig {

    public static final Map<String, String> NO_FAULT = Map.of();

    private FaultRig() {
    }

    /**
     * A pipeline whose children run {@link FaultChildMain}; its files (child logs, staging, segments) stay under
     * target/faults/NAME-PID, apart from those of a concurrent run of the same tests in the same checkout.
     */
    public static ProcessPipeline pipeline(LocalStack stack, String name, UnaryOperator<ProcessPipeline.Settings> tweak) throws IOException {
        Path workDir = Path.of("target", "faults", name + "-" + ProcessHandle.current().pid()).toAbsolutePath();
        deleteRecursively(workDir);
        ProcessPipeline.Settings settings = tweak.apply(ProcessPipeline.Settings.defaults(name, workDir)
                .withServiceMain(FaultChildMain.class.getName()));
        return new ProcessPipeline(stack, settings);
    }

    public static List<BsonDocument> documents(int count, long seed) {
        return new MemoryGenerator(seed, Instant.now()).generate(count);
    }

    public static Map<String, String> freezeAt(String step) {
        return Map.of(FaultChildMain.FREEZE_AT, step);
    }

    /** Loads, starts connector and tiering, and waits until the cold topic holds every cold memory. */
    public static void loadAndTier(ProcessPipeline pipeline, List<BsonDocument> documents) throws InterruptedException {
        pipeline.load(documents);
        pipeline.startTiering();
        pipeline.startConnector();
        assertThat(pipeline.awaitTiered(Duration.ofMinutes(2))).as("tiering consumed every change").isTrue();
    }

    public static ServiceProcess.Marker await(ServiceProcess child, int from, String step, Duration timeout) throws InterruptedException {
        return child.awaitPoint(from, step, timeout)
                .orElseThrow(() -> new AssertionError(child + " never reached " + step + " within " + timeout + "; see " + child.logFile()));
    }

    public static void drain(ProcessPipeline pipeline, Duration timeout) throws InterruptedException {
        boolean drained = pipeline.awaitDrained(Duration.ofSeconds(2), timeout,
                snapshot -> System.out.printf("  [%s] backlog %s%n", pipeline.settings().prefix(), snapshot.lagByGroup()));
        assertThat(drained).as("pipeline %s drained within %s", pipeline.settings().prefix(), timeout).isTrue();
    }

    /**
     * The end check of every fault test: nothing lost, nothing deleted without a verified segment holding its exact
     * version, every stored segment verifies, every cold memory archived and purged, duplicates counted once.
     */
    public static InvariantAudit.Result auditAndAssert(ProcessPipeline pipeline) throws IOException {
        InvariantAudit.Result result = pipeline.audit();
        System.out.printf("  [%s] audit: %s%n", pipeline.settings().prefix(), result);
        assertThat(result.examples()).as("violations").isEmpty();
        assertThat(result.lost()).as("lost").isZero();
        assertThat(result.deletedWithoutVerifiedSegment()).as("deleted without a verified segment").isZero();
        assertThat(result.segmentProblems()).as("segment problems").isEmpty();
        assertThat(result.verifiedSegments()).isEqualTo(result.segments()).isPositive();
        Set<String> cold = coldMemoryIds(pipeline);
        assertThat(result.archived()).as("every cold memory archived, each counted once").isEqualTo(cold.size());
        assertThat(result.deletedFromMongo()).as("every cold memory purged, nothing else").isEqualTo(cold.size());
        assertThat(result.distinctArchivedVersions()).as("one version per memory here").isEqualTo(cold.size());
        assertThat(result.archivedRecordCopies()).isGreaterThanOrEqualTo(result.distinctArchivedVersions());
        return result;
    }

    /** No segment id among the committed events twice: an aborted (killed) transaction's event is never visible. */
    public static void assertEachSegmentCommittedOnce(InvariantAudit.Result result) {
        assertThat(result.commitEvents()).as("every committed segment committed once").isEqualTo(result.distinctCommittedSegments());
    }

    public static List<SegmentCommitted> commitEvents(ProcessPipeline pipeline) {
        AvroSerde<SegmentCommitted> serde = AvroSerde.of(SegmentCommitted.class);
        return InvariantAudit.readCommitted(pipeline.stack().kafkaConnection(), pipeline.topics().segmentsCommitted()).stream()
                .map(record -> serde.decode(record.value())).toList();
    }

    public static List<String> committedSegmentIds(ProcessPipeline pipeline) {
        return commitEvents(pipeline).stream().map(SegmentCommitted::getSegmentId).toList();
    }

    public static List<PurgeResult> purgeResults(ProcessPipeline pipeline) {
        AvroSerde<PurgeResult> serde = AvroSerde.of(PurgeResult.class);
        return InvariantAudit.readCommitted(pipeline.stack().kafkaConnection(), pipeline.topics().purgeResults()).stream()
                .map(record -> serde.decode(record.value())).toList();
    }

    public static List<ConsumerRecord<byte[], byte[]>> coldRecords(ProcessPipeline pipeline) {
        return InvariantAudit.readCommitted(pipeline.stack().kafkaConnection(), pipeline.topics().cold());
    }

    public static Set<String> coldMemoryIds(ProcessPipeline pipeline) {
        AvroSerde<TierChange> serde = AvroSerde.of(TierChange.class);
        Set<String> ids = new HashSet<>();
        coldRecords(pipeline).forEach(record -> ids.add(serde.decode(record.value()).getMemoryId()));
        return ids;
    }

    /** The memories a segment covers, from its id ({@code <topic>-<partition>-<first>-<last>}) and the cold topic. */
    public static Set<String> memoriesOf(ProcessPipeline pipeline, String segmentId) {
        String[] parts = segmentId.split("-");
        int partition = Integer.parseInt(parts[parts.length - 3]);
        long first = Long.parseLong(parts[parts.length - 2]);
        long last = Long.parseLong(parts[parts.length - 1]);
        AvroSerde<TierChange> serde = AvroSerde.of(TierChange.class);
        Set<String> ids = new LinkedHashSet<>();
        for (ConsumerRecord<byte[], byte[]> record : coldRecords(pipeline)) {
            if (record.partition() == partition && record.offset() >= first && record.offset() <= last) {
                ids.add(serde.decode(record.value()).getMemoryId());
            }
        }
        assertThat(ids).as("memories of %s", segmentId).isNotEmpty();
        return ids;
    }

    public static long presentInMongo(ProcessPipeline pipeline, Collection<String> ids) {
        List<BsonValue> values = ids.stream().map(MemoryDocuments::idValue).toList();
        return pipeline.memories().countDocuments(Filters.in(MemoryFields.ID, values));
    }

    /** Holds for {@code hold} while the purger runs: none of these memories may leave MongoDB meanwhile. */
    public static void assertNoneDeletedFor(ProcessPipeline pipeline, Collection<String> ids, Duration hold) throws InterruptedException {
        long deadline = System.nanoTime() + hold.toNanos();
        do {
            assertThat(presentInMongo(pipeline, ids)).as("memories of an uncommitted segment still in MongoDB").isEqualTo(ids.size());
            Thread.sleep(250);
        } while (System.nanoTime() < deadline);
    }

    public static int markerIndexAfter(ServiceProcess child, ServiceProcess.Marker marker) {
        return child.markers().indexOf(marker) + 1;
    }

    public static void deleteRecursively(Path dir) throws IOException {
        if (!Files.exists(dir)) {
            return;
        }
        try (Stream<Path> paths = Files.walk(dir)) {
            for (Path path : paths.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(path);
            }
        }
    }

    public static List<String> filesUnder(Path dir) throws IOException {
        if (!Files.exists(dir)) {
            return List.of();
        }
        try (Stream<Path> paths = Files.walk(dir)) {
            return paths.filter(Files::isRegularFile).map(path -> dir.relativize(path).toString()).sorted().toList();
        }
    }

    /**
     * Sends SIGSTOP / SIGCONT through one long-lived shell (its builtin kill, no fork per signal), so a child can be
     * frozen within a fraction of a millisecond of what the test saw, inspected while frozen, then killed or resumed.
     */
    public static final class Signals implements AutoCloseable {
        private final Process shell;
        private final Writer commands;
        private final BufferedReader replies;

        Signals() {
            try {
                shell = new ProcessBuilder("bash", "--noprofile", "--norc").redirectErrorStream(true).start();
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            commands = new java.io.OutputStreamWriter(shell.getOutputStream(), StandardCharsets.UTF_8);
            replies = new BufferedReader(new InputStreamReader(shell.getInputStream(), StandardCharsets.UTF_8));
        }

        synchronized void freeze(ServiceProcess child) throws IOException {
            send("STOP", child.pid());
        }

        synchronized void thaw(ServiceProcess child) throws IOException {
            send("CONT", child.pid());
        }

        private void send(String signal, long pid) throws IOException {
            commands.write("kill -" + signal + " " + pid + "; echo sent\n");
            commands.flush();
            String reply = replies.readLine();
            assertThat(reply).as("kill -%s %d", signal, pid).isEqualTo("sent");
        }

        @Override
        public void close() {
            shell.destroyForcibly();
        }
    }
}
