package io.coldframe.cli.demo;

import java.util.Map;

import org.bson.BsonBoolean;
import org.bson.BsonDocument;
import org.bson.BsonInt64;
import org.bson.json.JsonMode;
import org.bson.json.JsonWriterSettings;

import io.coldframe.archive.TierCounts;

/** The demo's result, as the JSON written by --summary and as the lines printed at the end. */
record DemoSummary(long loaded, TierCounts.Counts tiers, long segments, long verifiedSegments, long archived,
                   long deletedFromMongo, long remainingInMongo, long rawBytes, long archiveBytes, long lost,
                   long deadLetters, boolean drained, long elapsedMs) {

    String toJson() {
        BsonDocument tierCounts = new BsonDocument("hot", new BsonInt64(tiers.hot()))
                .append("warm", new BsonInt64(tiers.warm()))
                .append("cold", new BsonInt64(tiers.cold()));
        BsonDocument ruleCounts = new BsonDocument();
        tiers.byRule().forEach((rule, count) -> ruleCounts.append(rule, new BsonInt64(count)));
        BsonDocument json = new BsonDocument("loaded", new BsonInt64(loaded))
                .append("tier_counts", tierCounts)
                .append("rule_counts", ruleCounts)
                .append("segments", new BsonInt64(segments))
                .append("verified_segments", new BsonInt64(verifiedSegments))
                .append("archived", new BsonInt64(archived))
                .append("deleted_from_mongo", new BsonInt64(deletedFromMongo))
                .append("remaining_in_mongo", new BsonInt64(remainingInMongo))
                .append("raw_bytes", new BsonInt64(rawBytes))
                .append("archive_bytes", new BsonInt64(archiveBytes))
                .append("lost", new BsonInt64(lost))
                .append("dead_letters", new BsonInt64(deadLetters))
                .append("drained", BsonBoolean.valueOf(drained))
                .append("elapsed_ms", new BsonInt64(elapsedMs));
        return json.toJson(JsonWriterSettings.builder().outputMode(JsonMode.RELAXED).indent(true).build());
    }

    String toText() {
        StringBuilder text = new StringBuilder();
        line(text, "loaded memories", loaded);
        text.append(String.format("  %-26s hot %d, warm %d, cold %d%n", "tiers", tiers.hot(), tiers.warm(), tiers.cold()));
        for (Map.Entry<String, Long> rule : tiers.byRule().entrySet()) {
            text.append(String.format("  %-26s %d%n", "  rule " + rule.getKey(), rule.getValue()));
        }
        line(text, "segments (verified)", segments + " (" + verifiedSegments + ")");
        line(text, "archived memories", archived);
        line(text, "deleted from MongoDB", deletedFromMongo);
        line(text, "remaining in MongoDB", remainingInMongo);
        line(text, "raw BSON bytes", rawBytes);
        line(text, "archive bytes", archiveBytes + (archived > 0 ? String.format(" (%.2f B per archived memory)", (double) archiveBytes / archived) : ""));
        line(text, "dead letters", deadLetters);
        line(text, "LOST", lost);
        line(text, "elapsed", String.format("%.1f s", elapsedMs / 1000.0));
        return text.toString();
    }

    private static void line(StringBuilder text, String label, Object value) {
        text.append(String.format("  %-26s %s%n", label, value));
    }
}
