package io.coldframe.cli.segment;

import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.Iterator;
import java.util.List;
import java.util.stream.Stream;

import org.bson.json.JsonMode;
import org.bson.json.JsonWriterSettings;

import io.coldframe.cli.TerminalProgress;
import io.coldframe.cli.ToolCommand;
import io.coldframe.common.MemoryDocuments;
import io.coldframe.common.Progress;
import io.coldframe.segment.SegmentFormatException;
import io.coldframe.segment.SegmentReader;
import io.coldframe.segment.SegmentRecord;

import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(name = "cat", mixinStandardHelpOptions = true,
        description = {"Prints every record of the segments as JSON lines: one canonical Extended JSON document per line, "
                + "in write order (an exact repeat of a memory id and version is printed once). The output is valid "
                + "input for encode.",
                "Every record is checked against its version (SHA-256). A damaged segment stops at the damage with an "
                        + "error line on stderr, the others are still printed, and the exit code is 1."})
public final class SegmentCatCommand extends ToolCommand {

    private static final JsonWriterSettings RELAXED = JsonWriterSettings.builder().outputMode(JsonMode.RELAXED).build();

    @Parameters(arity = "1..*", paramLabel = "SEGMENT", description = "Segment .mkv or .manifest.json, or a directory of segments.")
    List<Path> paths;

    @Option(names = "--relaxed", description = "Print relaxed Extended JSON (plain numbers and dates; loses some types).")
    boolean relaxed;

    @Override
    protected int run() throws Exception {
        List<Path> videos = SegmentPaths.expand(paths, true);
        PrintWriter out = out();
        int failed = 0;
        for (Path video : videos) {
            long printed = 0;
            try (SegmentReader reader = SegmentReader.open(video);
                    Stream<SegmentRecord> records = reader.records();
                    Progress bar = TerminalProgress.start("cat " + video.getFileName(),
                            reader.manifest().recordCount(), 50_000)) {
                Iterator<SegmentRecord> it = records.iterator();
                while (it.hasNext()) {
                    SegmentRecord r = it.next();
                    // print + '\n', not println: an autoflushing writer would flush on every line
                    out.print((relaxed ? r.document().toJson(RELAXED) : MemoryDocuments.toCanonicalJson(r.document())) + "\n");
                    printed++;
                    bar.step();
                }
            } catch (SegmentFormatException | UncheckedIOException e) {
                failed++;
                out.flush();
                String message = e instanceof UncheckedIOException u ? u.getCause().getMessage() : e.getMessage();
                message += " (stopped after " + printed + " record(s))";
                if (videos.size() == 1) {
                    return fail(FAILED, message);
                }
                note(message);
            }
        }
        out.flush();
        if (failed > 0) {
            return fail(FAILED, failed + " of " + videos.size() + " segment(s) could not be read completely");
        }
        return OK;
    }
}
