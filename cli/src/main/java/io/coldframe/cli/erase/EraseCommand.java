package io.coldframe.cli.erase;

import java.io.IOException;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;

import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.common.config.AbstractConfig;
import org.apache.kafka.common.config.ConfigDef;
import org.bson.BsonDocument;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.mongodb.client.MongoClient;
import com.mongodb.client.MongoCollection;

import io.coldframe.archive.AcknowledgedProducers;
import io.coldframe.archive.MemoryIdInput;
import io.coldframe.archive.lifecycle.AgentMemoryIds;
import io.coldframe.archive.lifecycle.ErasureReceipts;
import io.coldframe.archive.lifecycle.ErasureRequests;
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

    @Option(names = "--follow-requests", description = "Instead of --id/--agent: erase what each request on <prefix>.erasure.requests "
            + "names, answer it with a receipt on <prefix>.erasure.receipts, and go on until interrupted (docs/lifecycle.md).")
    boolean followRequests;

    @Override
    protected int run() throws Exception {
        if (followRequests == (!ids.isEmpty() || !agents.isEmpty())) {
            throw new Failure(USAGE, followRequests ? "--follow-requests takes its ids and agents from the requests, not from --id/--agent"
                    : "name what to erase: --id ID and/or --agent AGENT (each repeatable), or --follow-requests");
        }
        if (followRequests && dryRun) {
            throw new Failure(USAGE, "--follow-requests answers requests with receipts of what was erased: it takes no --dry-run");
        }
        ArchiverConfig archiver = store.archiverConfig(MONGO.names());
        AbstractConfig mongo = mongoOptions.config(MONGO, store.config());
        KafkaConnection kafka = KafkaConnection.from(archiver);
        Topics topics = archiver.topics();
        Duration timeout = store.kafkaTimeout;
        try (SegmentStore segments = SegmentStores.create(archiver); MongoClient client = mongoOptions.client(mongo)) {
            MongoCollection<BsonDocument> collection = MongoOptions.collection(client, mongo, BsonDocument.class);
            SegmentRewrite rewrite = new SegmentRewrite(segments, new KafkaCatalogUpdates(kafka, topics.catalog(), timeout),
                    new SegmentWriter(SegmentOptions.defaults()), archiver.stagingDir().resolve("erase"), RewriteProgress.NONE);
            MemoryErasure erasure = new MemoryErasure(segments, rewrite, collection, new KafkaTierTombstones(kafka, topics, timeout));
            AgentMemoryIds agentMemories = new AgentMemoryIds(collection, AgentMemoryIds.catalog(kafka, topics, timeout));
            String described = MongoOptions.describe(mongo);
            ErasureRequests.Eraser eraser = (requestIds, requestAgents) -> {
                Set<String> memoryIds = new TreeSet<>();
                requestIds.stream().map(MemoryIdInput::canonical).forEach(memoryIds::add);
                if (!requestAgents.isEmpty()) {
                    memoryIds.addAll(agentMemories.of(requestAgents));
                }
                return ErasureReceipts.json(erasure.erase(memoryIds, dryRun), requestAgents, described, topics);
            };
            if (followRequests) {
                return follow(kafka, topics, timeout, eraser);
            }
            out().println(JSON.writeValueAsString(eraser.erase(ids, agents)));
            return OK;
        }
    }

    private int follow(KafkaConnection kafka, Topics topics, Duration timeout, ErasureRequests.Eraser eraser) throws InterruptedException {
        try (Consumer<byte[], byte[]> consumer = new KafkaConsumer<>(ErasureRequests.consumerProperties(kafka, topics, timeout));
             Producer<byte[], byte[]> producer = new KafkaProducer<>(AcknowledgedProducers.properties(kafka, "coldframe-erasure", timeout))) {
            consumer.subscribe(List.of(topics.erasureRequests()));
            ErasureRequests requests = new ErasureRequests(consumer, producer, topics, eraser, Clock.systemUTC());
            err().println("following " + topics.erasureRequests() + ", receipts on " + topics.erasureReceipts() + " (Ctrl-C ends)");
            while (!Thread.currentThread().isInterrupted()) {
                try {
                    requests.processOnce(Duration.ofSeconds(1));
                } catch (IOException e) {
                    err().println(e.getMessage() + " (retrying in 5 s)");
                    Thread.sleep(5_000);
                }
            }
            return OK;
        }
    }
}
