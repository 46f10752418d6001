package io.coldframe.cli.scrub;

import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;

import io.coldframe.archive.ScrubMetrics;
import io.coldframe.archive.SegmentScrub;
import io.coldframe.archiver.ArchiverConfig;
import io.coldframe.cli.DurationArgument;
import io.coldframe.cli.StoreOptions;
import io.coldframe.cli.TerminalProgress;
import io.coldframe.cli.ToolCommand;
import io.coldframe.store.SegmentStore;
import io.coldframe.store.SegmentStores;

import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

@Command(name = "scrub", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Re-verifies stored segments as the archiver verified them before committing: the video's SHA-256 against its "
                + "manifest, every frame decoded, every block and record re-hashed. Prints every segment that no longer verifies "
                + "with each problem and the frames it names.",
                "--metrics-file writes the result as Prometheus text (coldframe_scrub_segments_failed and more) for node_exporter's "
                        + "textfile collector or a Pushgateway; the ColdframeScrubFailed alert fires on it."},
        footer = {"", "Exit codes: 0 every checked segment verifies; 1 some segment does not (or the store cannot be listed); 2 usage error.",
                "", "Examples:",
                "  coldframe scrub --archive-dir /srv/archive",
                "  coldframe scrub --s3-bucket coldframe --older-than 1d --metrics-file /var/lib/node_exporter/coldframe_scrub.prom"})
public final class ScrubCommand extends ToolCommand {

    @Mixin
    StoreOptions store;

    @Option(names = "--older-than", paramLabel = "DURATION", defaultValue = "0s", converter = DurationArgument.class,
            description = "Only segments stored at least this long ago (the archiver verified newer ones just now). Default: all.")
    Duration olderThan;

    @Option(names = "--metrics-file", paramLabel = "FILE", description = "Write the scrub's metrics here (Prometheus text format).")
    Path metricsFile;

    @Override
    protected int run() throws Exception {
        ArchiverConfig config = store.archiverConfig();
        if (olderThan.isNegative()) {
            throw new Failure(USAGE, "--older-than must not be negative");
        }
        try (SegmentStore segments = SegmentStores.create(config)) {
            SegmentScrub.Result result = new SegmentScrub(segments, olderThan, Clock.systemUTC(), TerminalProgress.factory(1000))
                    .run(failure -> {
                        out().println("FAILED " + failure.segmentId() + (failure.frames().isEmpty() ? "" : " frames " + frames(failure.frames())));
                        failure.problems().forEach(problem -> out().println("  " + failure.segmentId() + ": " + oneLine(problem)));
                    });
            if (metricsFile != null) {
                ScrubMetrics.write(result, metricsFile);
            }
            out().println("scrubbed " + result.checked() + " of " + result.stored() + " segments in " + SegmentStores.describe(config)
                    + (result.skippedYoung() > 0 ? " (" + result.skippedYoung() + " younger than " + olderThan + " skipped)" : "")
                    + ": " + result.failures().size() + " failed, " + result.failedFrames() + " frames named");
            return result.ok() ? OK : FAILED;
        }
    }

    /** Frame numbers as ranges: 3, 7-9. */
    static String frames(List<Integer> frames) {
        StringBuilder text = new StringBuilder();
        for (int i = 0; i < frames.size(); i++) {
            int start = frames.get(i);
            int end = start;
            while (i + 1 < frames.size() && frames.get(i + 1) == end + 1) {
                end = frames.get(++i);
            }
            text.append(text.length() == 0 ? "" : ", ").append(start == end ? String.valueOf(start) : start + "-" + end);
        }
        return text.toString();
    }
}
