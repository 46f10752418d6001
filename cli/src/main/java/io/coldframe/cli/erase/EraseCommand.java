package io.coldframe.cli.erase;

import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

import org.apache.kafka.common.config.AbstractConfig;
import org.apache.kafka.common.config.ConfigDef;
import org.bson.BsonDocument;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.mongodb.client.MongoClient;
import com.mongodb.client.MongoCollection;

import io.coldframe.archive.MemoryIdInput;
import io.coldframe.archive.lifecycle.AgentMemoryIds;
import io.coldframe.archive.lifecycle.KafkaCatalogUpdates;
import io.coldframe.archive.lifecycle.KafkaTierTombstones;
import io.coldframe.archive.lifecycle.MemoryErasure;
import io.coldframe.archive.lifecycle.RewriteProgress;
import io.coldframe.archive.lifecycle.SegmentRewrite;
import io.coldframe.archiver.ArchiverConfig;
import io.coldframe.cli.MongoOptions;
import io.coldframe.cli.StoreOptions;
import io.coldframe.cli.ToolCommand;
import io.coldframe.common.CommonConfigKeys;
import io.coldframe.common.KafkaConnection;
import io.coldframe.common.Topics;
import io.coldframe.segment.SegmentOptions;
import io.coldframe.segment.SegmentWriter;
import io.coldframe.store.SegmentStore;
import io.coldframe.store.SegmentStores;

import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

@Command(name = "erase", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Removes memories from everywhere coldframe keeps them: tombstones on the hot and warm tier views (the hot "
                + "cache follows the hot one), the document in MongoDB, and every stored segment holding any version of them "
                + "(rewritten without them and verified, catalog entries moved or tombstoned, the old segment deleted).",
                "Crash safe and idempotent: run it again after a failure and it completes; run it again after success and it finds "
                        + "nothing. Prints a JSON receipt naming each place each memory was removed from, and what still holds "
                        + "copies until its retention ends (docs/privacy.md).",
                "Store, Kafka and MongoDB are configured as for restore: the options below, else COLDFRAME_<KEY> environment variables."},
        footer = {"", "Exit codes: 0 erased (or nothing left to erase); 1 a step failed (run it again); 2 usage error.",
                "", "Examples:",
                "  coldframe erase --id 65f0a1b2c3d4e5f6a7b8c9d0 --archive-dir /srv/archive --mongo-uri \"$MONGODB_URI\"",
                "  coldframe erase --id mem-42 --id mem-43 --dry-run",
                "  coldframe erase --agent agent-7 --s3-bucket coldframe --mongo-uri \"$MONGODB_URI\""})
public final class EraseCommand extends ToolCommand {

    private static final ConfigDef MONGO = CommonConfigKeys.withMongo(new ConfigDef());
    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    @Option(names = "--id", paramLabel = "ID",
            description = "A memory id (repeatable): canonical Extended JSON of _id ('{\"$oid\": \"65f0...\"}', '\"mem-1\"'), "
                    + "or 24 hex digits (an ObjectId), or plain text (a string id). Exactly that id is erased.")
    List<String> ids = new ArrayList<>();

    @Option(names = "--agent", paramLabel = "AGENT",
            description = "Every memory of this agent (repeatable; field agent_id): its documents in MongoDB and the memories the "
                    + "archive catalog holds for it, each with every archived version.")
    List<String> agents = new ArrayList<>();

    @Mixin
    MongoOptions mongoOptions;

    @Mixin
    StoreOptions store;

    @Option(names = "--dry-run", description = "Find where the memories are; change nothing.")
    boolean dryRun;

    @Override
    protected int run() throws Exception {
        ArchiverConfig archiver = store.archiverConfig(MONGO.names());
        AbstractConfig mongo = mongoOptions.config(MONGO, store.config());
        KafkaConnection kafka = KafkaConnection.from(archiver);
        Topics topics = archiver.topics();
        Duration timeout = store.kafkaTimeout;
        if (ids.isEmpty() && agents.isEmpty()) {
            throw new Failure(USAGE, "name what to erase: --id ID and/or --agent AGENT (each repeatable)");
        }
        try (SegmentStore segments = SegmentStores.create(archiver); MongoClient client = mongoOptions.client(mongo)) {
            MongoCollection<BsonDocument> collection = MongoOptions.collection(client, mongo, BsonDocument.class);
            Set<String> memoryIds = new TreeSet<>();
            ids.stream().map(MemoryIdInput::canonical).forEach(memoryIds::add);
            if (!agents.isEmpty()) {
                memoryIds.addAll(new AgentMemoryIds(collection, AgentMemoryIds.catalog(kafka, topics, timeout)).of(agents));
            }
            SegmentRewrite rewrite = new SegmentRewrite(segments, new KafkaCatalogUpdates(kafka, topics.catalog(), timeout),
                    new SegmentWriter(SegmentOptions.defaults()), archiver.stagingDir().resolve("erase"), RewriteProgress.NONE);
            MemoryErasure erasure = new MemoryErasure(segments, rewrite, collection, new KafkaTierTombstones(kafka, topics, timeout));
            MemoryErasure.Receipt receipt = erasure.erase(memoryIds, dryRun);
            out().println(JSON.writeValueAsString(receiptJson(receipt, agents, MongoOptions.describe(mongo), topics)));
            return OK;
        }
    }

    private static Map<String, Object> receiptJson(MemoryErasure.Receipt receipt, List<String> agents, String collection, Topics topics) {
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
                topics.cold() + " (cold tier records)", topics.deadLetter() + " (records a stage could not process)"));
        return json;
    }
}
