package io.coldframe.archive.lifecycle;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import io.coldframe.common.Topics;

/** The receipt of an erasure as JSON, the same for {@code coldframe erase} and the erasure-request topic's receipts. */
public final class ErasureReceipts {

    private ErasureReceipts() {
    }

    /** @param collection the MongoDB collection as {@code database.collection} */
    public static Map<String, Object> json(MemoryErasure.Receipt receipt, List<String> agents, String collection, Topics topics) {
        Map<String, Object> json = new LinkedHashMap<>();
        if (!agents.isEmpty()) {
            json.put("agents", agents);
        }
        json.put("memory_ids", receipt.memoryIds());
        json.put("dry_run", receipt.dryRun());
        Map<String, Object> mongo = new LinkedHashMap<>();
        mongo.put("collection", collection);
        mongo.put(receipt.dryRun() ? "found" : "deleted", receipt.mongoDocuments());
        json.put("mongodb", mongo);
        json.put("tier_views_tombstoned", receipt.tierViews());
        List<Map<String, Object>> segments = new ArrayList<>();
        if (receipt.dryRun()) {
            receipt.segmentsFound().forEach(id -> segments.add(Map.of("segment", id, "outcome", "found")));
        }
        for (SegmentRewrite.Result result : receipt.rewrites()) {
            Map<String, Object> segment = new LinkedHashMap<>();
            segment.put("segment", result.oldSegmentId());
            segment.put("outcome", result.outcome().name().toLowerCase());
            result.newSegmentId().ifPresent(id -> segment.put("new_segment", id));
            segment.put("kept", result.kept());
            segment.put("dropped", result.dropped());
            segments.add(segment);
        }
        json.put("segments", segments);
        json.put("catalog", receipt.rewrites().isEmpty() ? "unchanged"
                : topics.catalog() + ": tombstones where a memory's latest entry lay in a rewritten segment");
        json.put("still_held_until_retention", List.of(topics.changes() + " (change events with the full document)",
                "the tiering state and its changelog topics (until MongoDB's delete reaches the tiering engine)",
                topics.cold() + " (cold tier records)", topics.deadLetter() + " (records a stage could not process)",
                topics.erasureRequests() + " (this request, naming the memories and agents)"));
        return json;
    }
}
