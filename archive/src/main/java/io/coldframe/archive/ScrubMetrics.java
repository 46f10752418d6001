package io.coldframe.archive;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;

import io.coldframe.common.ops.OpsMetrics;

/**
 * The meters of a scrub run, for Prometheus: {@code coldframe_scrub_segments_failed} (the alert's input),
 * {@code coldframe_scrub_frames_failed}, {@code coldframe_scrub_segments_checked}, {@code coldframe_scrub_segment_failed}
 * (1 per failed segment, label {@code segment}) and {@code coldframe_scrub_last_run_timestamp_seconds} (an alert on
 * its age notices a scrub that stopped running). A scrub is a job, not a service, so the meters are written as a
 * Prometheus text file (node_exporter's textfile collector, or {@code curl --data-binary @FILE} to a Pushgateway).
 */
public final class ScrubMetrics {

    private ScrubMetrics() {
    }

    public static PrometheusMeterRegistry registry(SegmentScrub.Result result) {
        PrometheusMeterRegistry registry = OpsMetrics.newRegistry();
        Gauge.builder("coldframe.scrub.segments.failed", result, r -> r.failures().size())
                .description("Stored segments that did not verify in the last scrub").register(registry);
        Gauge.builder("coldframe.scrub.frames.failed", result, r -> r.failedFrames())
                .description("Frames named by the failures of the last scrub").register(registry);
        Gauge.builder("coldframe.scrub.segments.checked", result, r -> r.checked())
                .description("Stored segments re-verified by the last scrub").register(registry);
        Gauge.builder("coldframe.scrub.last.run.timestamp", result, r -> r.finishedAt().getEpochSecond()).baseUnit("seconds")
                .description("When the last scrub finished (unix time)").register(registry);
        for (SegmentScrub.Failure failure : result.failures()) {
            Gauge.builder("coldframe.scrub.segment.failed", () -> 1).tag("segment", failure.segmentId())
                    .description("1 for each stored segment that did not verify in the last scrub").register(registry);
        }
        return registry;
    }

    /** Writes the meters in Prometheus text format, atomically (a collector never reads half a file). */
    public static void write(SegmentScrub.Result result, Path file) throws IOException {
        Path target = file.toAbsolutePath();
        Files.createDirectories(target.getParent());
        Path partial = Files.createTempFile(target.getParent(), "." + target.getFileName(), ".partial");
        try {
            Files.writeString(partial, registry(result).scrape(), StandardCharsets.UTF_8);
            Files.move(partial, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } finally {
            Files.deleteIfExists(partial);
        }
    }
}
