package io.coldframe.cli.segment;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import io.coldframe.cli.TerminalProgress;
import io.coldframe.cli.ToolCommand;
import io.coldframe.common.Progress;
import io.coldframe.segment.SegmentFormatException;
import io.coldframe.segment.SegmentOptions;
import io.coldframe.segment.SegmentReader;
import io.coldframe.segment.VerificationReport;

import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(name = "verify", mixinStandardHelpOptions = true,
        description = {"Reads every frame of each segment back, checks the video file against the manifest, "
                + "reassembles and decompresses every block and checks every record against its version (SHA-256).",
                "Prints OK, REPAIRED (every record reads, but damaged frames had to be rebuilt from their parity group: rewrite "
                        + "or re-store that segment) or FAILED per segment, with one line per repair or problem (naming frame, "
                        + "block or memory id); exit code 1 if any segment failed."})
public final class SegmentVerifyCommand extends ToolCommand {

    @Parameters(arity = "1..*", paramLabel = "SEGMENT", description = "Segment .mkv or .manifest.json, or a directory of segments.")
    List<Path> paths;

    @Option(names = {"-q", "--quiet"}, description = "Print only segments that were repaired or failed.")
    boolean quiet;

    @Option(names = "--threads", paramLabel = "N", description = "Decoding threads (default: the number of cores, at most 4).")
    Integer threads;

    @Override
    protected int run() throws Exception {
        List<Path> videos = SegmentPaths.expand(paths, true); // missing files: exit code 2 before any work
        SegmentOptions options = threads == null ? SegmentOptions.defaults() : SegmentOptions.builder().threads(threads).build();
        long totalBytes = 0;
        for (Path v : videos) {
            totalBytes += Files.size(v);
        }
        int failed = 0;
        int repaired = 0;
        long records = 0;
        try (Progress bar = TerminalProgress.start("verifying", totalBytes, 64L << 20)) {
            for (Path video : videos) {
                VerificationReport report;
                try (SegmentReader reader = SegmentReader.open(video, options)) {
                    report = reader.verify();
                } catch (SegmentFormatException e) {
                    // unreadable manifest, unknown format version: the segment cannot be verified
                    failed++;
                    out().println("FAILED  " + video + ": " + oneLine(e.getMessage()));
                    bar.advance(Files.size(video));
                    continue;
                }
                records += report.recordsVerified();
                if (report.clean()) {
                    if (!quiet) {
                        out().printf("OK      %s: %,d frames, %,d records verified (%s)%n", report.segmentId(),
                                report.framesRead(), report.recordsVerified(), video);
                    }
                } else if (report.ok()) {
                    // every record reads, but only thanks to the parity: say what was rebuilt, so it gets rewritten
                    repaired++;
                    out().printf("REPAIRED %s: %d repair(s), %,d frames read, %,d records verified (%s)%n", report.segmentId(),
                            report.repairs().size(), report.framesRead(), report.recordsVerified(), video);
                    for (String repair : report.repairs()) {
                        out().println("  " + oneLine(repair));
                    }
                } else {
                    failed++;
                    out().printf("FAILED  %s: %d problem(s), %,d frames read, %,d records verified (%s)%n", report.segmentId(),
                            report.problems().size(), report.framesRead(), report.recordsVerified(), video);
                    for (String problem : report.problems()) {
                        out().println("  " + oneLine(problem));
                    }
                    for (String repair : report.repairs()) {
                        out().println("  repaired: " + oneLine(repair));
                    }
                }
                bar.advance(Files.size(video));
            }
        }
        if (videos.size() > 1 && !quiet) {
            out().printf("verified %,d segment(s): %,d OK, %,d REPAIRED, %,d FAILED; %,d records verified%n", videos.size(),
                    videos.size() - failed - repaired, repaired, failed, records);
        }
        if (failed > 0) {
            return fail(FAILED, failed + " of " + videos.size() + " segment(s) failed verification");
        }
        return OK;
    }
}
