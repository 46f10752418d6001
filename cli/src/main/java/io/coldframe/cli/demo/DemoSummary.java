package io.coldframe.cli.demo;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;

import io.coldframe.archive.DeadLetterReport;
import io.coldframe.archive.TierCounts;

/** The demo's result, as the JSON written by --summary and as the lines printed at the end. */
record DemoSummary(long loaded, List<Demo.NotLoaded> notLoaded, TierCounts.Counts tiers, long segments, long verifiedSegments,
                   long archived, long deletedFromMongo, long remainingInMongo, long rawBytes, long videoBytes, long indexBytes, long lost,
                   long deadLetters, List<DeadLetterReport.Reason> deadLetterReasons, boolean drained, long elapsedMs) {

    /** Every byte the store holds for the archived segments: videos and index sidecars. */
    long archiveBytes() {
        return videoBytes + indexBytes;
    }

    /** More dead letters than half the loaded memories: the load was mostly not tiered, whatever else went right. */
    boolean mostlyDeadLettered() {
        return deadLetters * 2 > loaded;
    }

    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    String toJson() throws JsonProcessingException {
        Map<String, Object> tierCounts = new LinkedHashMap<>();
        tierCounts.put("hot", tiers.hot());
        tierCounts.put("warm", tiers.warm());
        tierCounts.put("cold", tiers.cold());
        Map<String, Object> json = new LinkedHashMap<>();
        json.put("loaded", loaded);
        json.put("not_loaded", notLoaded.size());
        json.put("not_loaded_documents", notLoaded.stream().map(d -> Map.of("origin", d.origin(), "_id", d.memoryId(), "reason", d.reason())).toList());
        json.put("tier_counts", tierCounts);
        json.put("rule_counts", tiers.byRule());
        json.put("segments", segments);
        json.put("verified_segments", verifiedSegments);
        json.put("archived", archived);
        json.put("deleted_from_mongo", deletedFromMongo);
        json.put("remaining_in_mongo", remainingInMongo);
        json.put("raw_bytes", rawBytes);
        json.put("archive_bytes", archiveBytes());
        json.put("video_bytes", videoBytes);
        json.put("index_bytes", indexBytes);
        json.put("lost", lost);
        json.put("dead_letters", deadLetters);
        json.put("dead_letter_reasons", deadLetterReasons.stream().limit(10).map(r -> Map.of("reason", r.reason(), "stage", r.stage(),
                "count", r.count(), "example", r.example())).toList());
        json.put("mostly_dead_lettered", mostlyDeadLettered());
        json.put("drained", drained);
        json.put("elapsed_ms", elapsedMs);
        return JSON.writeValueAsString(json);
    }

    String toText() {
        StringBuilder text = new StringBuilder();
        line(text, "loaded memories", loaded);
        if (!notLoaded.isEmpty()) {
            line(text, "not loaded", notLoaded.size());
        }
        text.append(String.format("  %-26s hot %d, warm %d, cold %d%n", "tiers", tiers.hot(), tiers.warm(), tiers.cold()));
        for (Map.Entry<String, Long> rule : tiers.byRule().entrySet()) {
            text.append(String.format("  %-26s %d%n", "  rule " + rule.getKey(), rule.getValue()));
        }
        line(text, "segments (verified)", segments + " (" + verifiedSegments + ")");
        line(text, "archived memories", archived);
        line(text, "deleted from MongoDB", deletedFromMongo);
        line(text, "remaining in MongoDB", remainingInMongo);
        line(text, "raw BSON bytes", rawBytes);
        line(text, "archive bytes", archiveBytes() + (archived > 0 ? String.format(" (%.2f B per archived memory)", (double) archiveBytes() / archived) : "")
                + " = video " + videoBytes + " + index " + indexBytes);
        line(text, "dead letters", deadLetters);
        line(text, "LOST", lost);
        line(text, "elapsed", String.format("%.1f s", elapsedMs / 1000.0));
        return text.toString();
    }

    private static void line(StringBuilder text, String label, Object value) {
        text.append(String.format("  %-26s %s%n", label, value));
    }
}
