package io.coldframe.cli.demo;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.ListOffsetsOptions;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.common.TopicPartition;
import org.bson.BsonDocument;

import com.mongodb.client.MongoClient;
import com.mongodb.client.MongoClients;
import com.mongodb.client.MongoCollection;
import com.mongodb.client.model.InsertManyOptions;

import io.coldframe.archive.Reconciler;
import io.coldframe.archive.TierCounts;
import io.coldframe.common.MemoryDocuments;
import io.coldframe.common.MemoryFields;
import io.coldframe.local.EmbeddedPipeline;
import io.coldframe.local.LocalStack;
import io.coldframe.local.PipelineProgress;
import io.coldframe.store.LocalDirectorySegmentStore;

/**
 * The main job on the embedded stack: load memories into MongoDB, run connector, tiering, archivers and purger
 * until the cold backlog is archived and purged, then reconcile independently and summarise.
 */
final class Demo {

    record Options(List<BsonDocument> documents, String mongoUri, Path archiveDir, int archiverWorkers,
                   Duration batchLinger, Duration timeout) {
    }

    private static final int INSERT_CHUNK = 1000;

    private final Options options;
    private final PrintStream out;

    Demo(Options options, PrintStream out) {
        this.options = options;
        this.out = out;
    }

    /** The summary, and the reconciliation it was computed from. */
    record Outcome(DemoSummary summary, Reconciler.Report reconciliation) {
    }

    Outcome run() throws IOException, InterruptedException {
        long started = System.nanoTime();
        Path workDir = Files.createTempDirectory("coldframe-demo");
        Path archiveDir = options.archiveDir() != null ? options.archiveDir() : workDir.resolve("archive");
        out.println("starting the embedded stack (KRaft broker, " + (options.mongoUri() == null ? "in-JVM MongoDB stand-in" : "MongoDB at the given URI") + ") ...");
        try (LocalStack stack = LocalStack.builder().mongoUri(options.mongoUri()).start();
             MongoClient mongo = MongoClients.create(stack.mongoUri());
             Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, stack.bootstrapServers()))) {
            MongoCollection<BsonDocument> memories = mongo.getDatabase(stack.database()).getCollection(stack.collection(), BsonDocument.class);
            List<String> loadedIds = new ArrayList<>();
            long rawBytes = load(memories, loadedIds);
            out.printf("loaded %d memories (%d bytes of BSON) into %s.%s%n", loadedIds.size(), rawBytes, stack.database(), stack.collection());

            EmbeddedPipeline.Settings settings = new EmbeddedPipeline.Settings(stack.bootstrapServers(), stack.topics().prefix(),
                    stack.mongoUri(), stack.database(), stack.collection(), workDir, archiveDir, options.archiverWorkers(),
                    options.batchLinger(), Duration.ofSeconds(1));
            boolean drained;
            try (EmbeddedPipeline pipeline = new EmbeddedPipeline(settings)) {
                pipeline.start();
                out.println("starting Kafka Connect with the MongoDB source connector ...");
                stack.startConnector();
                PipelineProgress progress = new PipelineProgress(admin, stack.topics().changes(), pipeline.stages());
                drained = progress.awaitDrained(loadedIds.size(), options.batchLinger().plusSeconds(1), options.timeout(),
                        snapshot -> out.printf("  changes published %d/%d, backlog %s, archived %d, deleted %d%n",
                                snapshot.changesPublished(), loadedIds.size(), snapshot.lagByGroup(),
                                pipeline.archivedByWorkers(), pipeline.deletedByPurger()));
                if (!drained) {
                    out.println("the pipeline did not drain within " + options.timeout() + "; reconciling what is there");
                }
                stack.stopConnector();
            }
            out.println("reconciling MongoDB and every segment independently ...");
            Reconciler.Report report = new Reconciler(memories, new LocalDirectorySegmentStore(archiveDir)).reconcile(loadedIds);
            report.segmentProblems().forEach(problem -> out.println("  segment problem: " + problem));
            report.lost().stream().limit(20).forEach(id -> out.println("  LOST: " + id));
            TierCounts.Counts tiers = TierCounts.read(stack.bootstrapServers(), stack.topics());
            long archived = loadedIds.stream().filter(report.archived()::containsKey).count();
            DemoSummary summary = new DemoSummary(loadedIds.size(), tiers, report.segments(), report.verifiedSegments(), archived,
                    loadedIds.size() - report.inMongo().size(), memories.countDocuments(), rawBytes, report.archiveBytes(),
                    report.lost().size(), deadLetters(admin, stack.topics().deadLetter()), drained,
                    Duration.ofNanos(System.nanoTime() - started).toMillis());
            return new Outcome(summary, report);
        }
    }

    private long load(MongoCollection<BsonDocument> memories, List<String> loadedIds) {
        long rawBytes = 0;
        List<BsonDocument> documents = options.documents();
        for (int from = 0; from < documents.size(); from += INSERT_CHUNK) {
            List<BsonDocument> chunk = documents.subList(from, Math.min(documents.size(), from + INSERT_CHUNK));
            memories.insertMany(chunk, new InsertManyOptions().ordered(true));
            for (BsonDocument document : chunk) {
                loadedIds.add(MemoryDocuments.idOf(document.get(MemoryFields.ID)));
                rawBytes += MemoryDocuments.toBson(document).length;
            }
        }
        return rawBytes;
    }

    private static long deadLetters(Admin admin, String topic) throws InterruptedException {
        try {
            var description = admin.describeTopics(List.of(topic)).allTopicNames().get().get(topic);
            Map<TopicPartition, OffsetSpec> request = new java.util.HashMap<>();
            description.partitions().forEach(p -> request.put(new TopicPartition(topic, p.partition()), OffsetSpec.latest()));
            return admin.listOffsets(request, new ListOffsetsOptions()).all().get().values().stream()
                    .mapToLong(info -> info.offset()).sum();
        } catch (java.util.concurrent.ExecutionException e) {
            throw new IllegalStateException("could not count dead letters: " + e.getCause().getMessage(), e.getCause());
        }
    }
}
