package io.coldframe.cli.chaos;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.concurrent.Callable;

import io.coldframe.archive.InvariantAudit;
import io.coldframe.testkit.ChaosRun;
import io.coldframe.testkit.MemoryGenerator;

import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(name = "chaos", mixinStandardHelpOptions = true,
        description = "Runs the pipeline on the embedded stack with the tiering streams app, the Kafka Connect worker, the "
                + "archiver workers and the purger as separate JVMs, K times kills one of them with SIGKILL (aimed right after "
                + "a named protocol step of the archivers and the purger, or while the streams app or Connect works) or "
                + "restarts the broker, restarting each victim at once, while memories are loaded, updated and restored; "
                + "waits for the pipeline to drain, then audits MongoDB and every segment independently and writes the "
                + "result as JSON.")
public final class ChaosCommand implements Callable<Integer> {

    @Option(names = "--kills", defaultValue = "20", description = "kill -9 this many times (default: ${DEFAULT-VALUE}).")
    int kills;

    @Option(names = "--docs", defaultValue = "20000", description = "Memories to generate and load (default: ${DEFAULT-VALUE}).")
    int docs;

    @Option(names = "--out", required = true, description = "Write the result as JSON to this file.")
    Path out;

    @Option(names = "--workers", defaultValue = "2", description = "Archiver worker JVMs (default: ${DEFAULT-VALUE}).")
    int workers;

    @Option(names = "--seed", defaultValue = "42", description = "Seed of the generated memories and of the kills (default: ${DEFAULT-VALUE}).")
    long seed;

    @Option(names = "--min-gap", defaultValue = "PT2S", description = "Shortest wait before a timed kill, ISO-8601 (default: ${DEFAULT-VALUE}).")
    Duration minGap;

    @Option(names = "--max-gap", defaultValue = "PT8S", description = "Longest wait before a timed kill, ISO-8601 (default: ${DEFAULT-VALUE}).")
    Duration maxGap;

    @Option(names = "--step-wait", defaultValue = "PT30S",
            description = "An aimed kill waits up to this long for its named step, then tries the next step (at most twice "
                    + "this long per kill, then a timed kill) (default: ${DEFAULT-VALUE}).")
    Duration stepWait;

    @Option(names = "--updates", defaultValue = "400",
            description = "Update at most this many memories (a field change) right after a segment holding them was stored "
                    + "(default: ${DEFAULT-VALUE}).")
    int updates;

    @Option(names = "--restores", defaultValue = "200",
            description = "Restore at most this many memories right after the purger deleted them (default: ${DEFAULT-VALUE}).")
    int restores;

    @Option(names = "--timeout", defaultValue = "PT15M", description = "Give up waiting for the pipeline to drain after this (default: ${DEFAULT-VALUE}).")
    Duration timeout;

    @Option(names = "--work-dir", description = "Child logs, staging and segments go here (default: a fresh temporary directory).")
    Path workDir;

    @Option(names = "--note", description = "A remark to put into the JSON (e.g. what limited the run).")
    String note;

    @Override
    public Integer call() throws Exception {
        if (kills < 0 || docs < 1 || workers < 1 || updates < 0 || restores < 0 || maxGap.compareTo(minGap) < 0) {
            throw new IllegalArgumentException("need --kills >= 0, --docs >= 1, --workers >= 1, --updates >= 0, --restores >= 0 "
                    + "and --max-gap >= --min-gap");
        }
        Path dir = workDir != null ? workDir : Files.createTempDirectory("coldframe-chaos");
        var anchor = LocalDate.now(ZoneOffset.UTC).atStartOfDay(ZoneOffset.UTC).toInstant();
        ChaosRun.Options options = new ChaosRun.Options(kills, new MemoryGenerator(seed, anchor).generate(docs), workers, seed,
                minGap, maxGap, stepWait, Duration.ofSeconds(2), 2000, timeout, dir, updates, restores);
        ChaosRun.Result result = new ChaosRun(options, System.out).run();
        String json = ChaosRun.toJson(result, note);
        if (out.toAbsolutePath().getParent() != null) {
            Files.createDirectories(out.toAbsolutePath().getParent());
        }
        Files.writeString(out, json + System.lineSeparator(), StandardCharsets.UTF_8);
        InvariantAudit.Result audit = result.audit();
        System.out.println();
        System.out.println("coldframe chaos summary");
        System.out.printf("  %-34s %d%n", "kills (kill -9)", result.kills().size());
        System.out.printf("  %-34s %d%n", "loaded", audit.loaded());
        System.out.printf("  %-34s %d%n", "archived", audit.archived());
        System.out.printf("  %-34s %d%n", "deleted from MongoDB", audit.deletedFromMongo());
        System.out.printf("  %-34s %d%n", "remaining in MongoDB", audit.remainingInMongo());
        System.out.printf("  %-34s %d%n", "duplicate copies collapsed on read", audit.duplicateRecordCopies());
        System.out.printf("  %-34s %d%n", "LOST", audit.lost());
        System.out.printf("  %-34s %d%n", "deleted without verified segment", audit.deletedWithoutVerifiedSegment());
        System.out.printf("  %-34s %d%n", "updated (newer version)", result.updates());
        System.out.printf("  %-34s %d%n", "deleted newer version", audit.deletedNewerVersion());
        System.out.printf("  %-34s %d%n", "restored", result.restores());
        System.out.printf("  %-34s %d%n", "restored, then deleted again", result.restoredDeletedAgain());
        System.out.printf("  %-34s %d%n", "loaded, never published", result.neverPublished());
        System.out.printf("  %-34s %s%n", "drained", result.drained());
        System.out.printf("  %-34s %.1f s%n", "elapsed", result.elapsedMs() / 1000.0);
        System.out.println("result written to " + out + "; child logs under " + dir.resolve("logs"));
        return audit.invariantsHold() && result.restoredDeletedAgain() == 0 && result.drained() ? 0 : 1;
    }

    /** Runs the command without the coldframe launcher: {@code java -cp coldframe.jar io.coldframe.cli.ChaosCommand ...}. */
    public static void main(String[] args) {
        System.exit(new picocli.CommandLine(new ChaosCommand()).execute(args));
    }
}
