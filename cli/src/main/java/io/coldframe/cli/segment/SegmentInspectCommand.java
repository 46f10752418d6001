package io.coldframe.cli.segment;

import java.nio.file.Path;
import java.util.List;

import org.bson.json.JsonMode;
import org.bson.json.JsonWriterSettings;

import io.coldframe.cli.ToolCommand;

import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(name = "inspect", mixinStandardHelpOptions = true,
        description = "Prints what the manifest says about each segment: counts, sizes, codec, frames, blocks and "
                + "compression ratio. Reads only the manifest (the video need not be present); use verify to check the video.")
public final class SegmentInspectCommand extends ToolCommand {

    private static final JsonWriterSettings RELAXED = JsonWriterSettings.builder().outputMode(JsonMode.RELAXED).build();

    @Parameters(arity = "1..*", paramLabel = "SEGMENT", description = "Segment .mkv or .manifest.json, or a directory of segments.")
    List<Path> paths;

    @Option(names = "--blocks", description = "Also list every block (frames, bodies, sizes, sha-256).")
    boolean blocks;

    @Option(names = "--entries", description = "Also list every entry (memory id, version, block, size).")
    boolean entries;

    @Option(names = "--json", description = "One JSON object per segment (JSON lines) instead of text.")
    boolean json;

    @Override
    protected int run() throws Exception {
        List<Path> videos = SegmentPaths.expand(paths, false);
        long records = 0;
        long stored = 0;
        long bson = 0;
        for (int i = 0; i < videos.size(); i++) {
            SegmentSummary summary = SegmentSummary.of(videos.get(i)); // SegmentFormatException: exit code 1, one line
            if (json) {
                out().println(summary.toJson(entries).toJson(RELAXED));
            } else {
                if (i > 0) {
                    out().println();
                }
                summary.lines(blocks, entries).forEach(out()::println);
            }
            records += summary.manifest().recordCount();
            stored += summary.storedBytes();
            bson += summary.manifest().rawBytes();
        }
        if (!json && videos.size() > 1) {
            out().printf("%n%,d segments: %,d records, BSON %,d B, stored %,d B (%.2fx)%n", videos.size(), records, bson, stored,
                    SegmentSummary.ratio(bson, stored));
        }
        return OK;
    }
}
