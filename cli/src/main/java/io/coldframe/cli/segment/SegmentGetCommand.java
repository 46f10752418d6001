package io.coldframe.cli.segment;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

import org.bson.BsonDocument;
import org.bson.json.JsonMode;
import org.bson.json.JsonWriterSettings;

import io.coldframe.archive.MemoryIdInput;
import io.coldframe.cli.ServiceClient;
import io.coldframe.cli.ServiceClientOptions;
import io.coldframe.cli.ToolCommand;
import io.coldframe.common.MemoryDocuments;
import io.coldframe.segment.SegmentFormatException;
import io.coldframe.segment.SegmentManifest;
import io.coldframe.segment.SegmentReader;
import io.coldframe.segment.SegmentRecord;

import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(name = "get", mixinStandardHelpOptions = true,
        description = {"Prints one memory document, by memory id, as canonical Extended JSON on one line.",
                "Decodes only the frames of the block holding it; the record is checked against its version (SHA-256). "
                        + "If the segment holds several versions of the memory, the last one written wins.",
                "MEMORY_ID is the canonical Extended JSON of the document's _id, e.g. '{\"$oid\": \"65f0a1b2c3d4e5f6a7b8c9d0\"}' "
                        + "or '\"mem-1\"'. Also accepted: 24 hex digits alone (an ObjectId), and text that is not JSON "
                        + "(a string: mem-1). A string id that looks like JSON or an ObjectId needs its quotes: '\"42\"'.",
                "With --service URL (or $COLDFRAME_SERVICE_URL) and no SEGMENT, the archive service answers instead "
                        + "(GET /memories/{id}): from MongoDB or from whichever segment the catalog names."})
public final class SegmentGetCommand extends ToolCommand {

    private static final JsonWriterSettings RELAXED = JsonWriterSettings.builder().outputMode(JsonMode.RELAXED).build();

    @Parameters(arity = "1..2", paramLabel = "[SEGMENT] MEMORY_ID",
            description = "SEGMENT: a segment .mkv or .manifest.json, or a directory (every segment in it is searched); "
                    + "left out with --service. MEMORY_ID: the memory id (see above).")
    List<String> arguments;

    @Mixin
    ServiceClientOptions service;

    private Path segment;
    private String memoryId;

    @Option(names = "--relaxed", description = "Print relaxed Extended JSON (plain numbers and dates; loses some types).")
    boolean relaxed;

    private record Hit(Path video, String memoryId, String version) {
    }

    @Override
    protected int run() throws Exception {
        memoryId = arguments.get(arguments.size() - 1);
        if (arguments.size() == 1) {
            if (!service.given()) {
                return fail(USAGE, "give SEGMENT MEMORY_ID, or --service URL MEMORY_ID to ask the archive service");
            }
            return fromService(service.client());
        }
        segment = Path.of(arguments.get(0));
        List<Path> videos = SegmentPaths.expand(List.of(segment), true);
        List<String> ids = MemoryIdInput.candidates(memoryId);
        String shown = ids.get(0);
        if (videos.size() == 1) {
            Path video = videos.get(0);
            try (SegmentReader reader = SegmentReader.open(video)) {
                for (String id : ids) {
                    Optional<SegmentRecord> record = reader.get(id);
                    if (record.isPresent()) {
                        print(record.get());
                        return OK;
                    }
                }
                return fail(NOT_FOUND, "memory id " + shown + " not found in segment " + reader.manifest().segmentId() + " ("
                        + video + ", " + reader.manifest().recordCount() + " records)");
            }
        }
        // a directory: find the segments holding the id from their manifests
        List<Hit> hits = new ArrayList<>();
        int unreadable = 0;
        for (Path video : videos) {
            SegmentManifest manifest;
            try {
                manifest = SegmentManifest.read(SegmentPaths.manifestOf(video));
            } catch (SegmentFormatException e) {
                unreadable++;
                note("skipped: " + e.getMessage());
                continue;
            }
            Hit hit = find(video, manifest, ids);
            if (hit != null) {
                hits.add(hit);
            }
        }
        if (hits.isEmpty()) {
            String where = " not found in " + videos.size() + " segment(s) in " + segment;
            return unreadable > 0 ? fail(FAILED, "memory id " + shown + where + " (" + unreadable + " unreadable)")
                    : fail(NOT_FOUND, "memory id " + shown + where);
        }
        Set<String> versions = new LinkedHashSet<>();
        hits.forEach(h -> versions.add(h.version()));
        if (versions.size() > 1) {
            StringBuilder sb = new StringBuilder("memory id " + shown + " is in " + hits.size()
                    + " segments with different versions, name the segment file:");
            for (Hit h : hits) {
                sb.append(' ').append(h.video().getFileName()).append(" (version ").append(h.version(), 0, 12).append("...)");
            }
            return fail(USAGE, sb.toString());
        }
        Hit hit = hits.get(0);
        try (SegmentReader reader = SegmentReader.open(hit.video())) {
            Optional<SegmentRecord> record = reader.get(hit.memoryId());
            if (record.isEmpty()) {
                return fail(FAILED, "segment " + hit.video() + " changed while reading it");
            }
            print(record.get());
            return OK;
        }
    }

    private int fromService(ServiceClient client) {
        List<String> ids = MemoryIdInput.candidates(memoryId);
        String reason = null;
        for (String id : ids) {
            ServiceClient.Answer answer = client.memory(id);
            if (answer.status() == 200) {
                BsonDocument document = BsonDocument.parse(answer.body().get("document").toString());
                out().println(relaxed ? document.toJson(RELAXED) : MemoryDocuments.toCanonicalJson(document));
                return OK;
            }
            if (answer.status() != 404 && answer.status() != 400) {
                return fail(FAILED, "the archive service at " + client.url() + " could not answer for " + id + ": " + answer.reason());
            }
            reason = reason == null ? answer.reason() : reason;
        }
        return fail(NOT_FOUND, "memory id " + ids.get(0) + ": " + reason + " (archive service at " + client.url() + ")");
    }

    /** The last entry for the first candidate id the manifest holds. */
    private static Hit find(Path video, SegmentManifest manifest, List<String> ids) {
        for (String id : ids) {
            List<SegmentManifest.Entry> entries = manifest.entries();
            for (int i = entries.size() - 1; i >= 0; i--) {
                if (entries.get(i).memoryId().equals(id)) {
                    return new Hit(video, id, entries.get(i).version());
                }
            }
        }
        return null;
    }

    private void print(SegmentRecord record) {
        out().println(relaxed ? record.document().toJson(RELAXED) : MemoryDocuments.toCanonicalJson(record.document()));
    }
}
