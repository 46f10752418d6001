package io.coldframe.cli.demo;

import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import org.apache.kafka.clients.admin.Admin;
import org.bson.BsonDocument;
import org.bson.BsonMaximumSizeExceededException;

import com.mongodb.ErrorCategory;
import com.mongodb.MongoException;
import com.mongodb.MongoWriteException;
import com.mongodb.client.MongoClient;
import com.mongodb.client.MongoClients;
import com.mongodb.client.MongoCollection;
import com.mongodb.client.model.InsertManyOptions;

import io.coldframe.archive.DeadLetterReport;
import io.coldframe.archive.Reconciler;
import io.coldframe.archive.TierCounts;
import io.coldframe.common.MemoryDocuments;
import io.coldframe.common.MemoryFields;
import io.coldframe.local.EmbeddedPipeline;
import io.coldframe.local.LocalStack;
import io.coldframe.local.PipelineProgress;
import io.coldframe.local.StandInLimits;
import io.coldframe.store.LocalDirectorySegmentStore;

/**
 * The main job on the embedded stack: load memories into MongoDB, run connector, tiering, archivers and purger
 * until the cold backlog is archived and purged, then reconcile independently and summarise.
 */
final class Demo {

    /**
     * @param origins       where each document came from, for messages ({@code file:line}); same order as documents
     * @param streamsConfig further tiering keys (rules file, overrides), as a deployment sets them
     */
    record Options(List<BsonDocument> documents, List<String> origins, String mongoUri, Path archiveDir, int archiverWorkers,
                   Duration batchLinger, Duration timeout, Map<String, String> streamsConfig, String timestampField) {

        /** Generated documents with the default rules. */
        static Options generated(List<BsonDocument> documents, String mongoUri, Path archiveDir, int archiverWorkers,
                                 Duration batchLinger, Duration timeout) {
            return new Options(documents, generatedOrigins(documents.size()), mongoUri, archiveDir, archiverWorkers, batchLinger, timeout, Map.of(),
                    MemoryFields.CREATED_AT);
        }

        static List<String> generatedOrigins(int count) {
            List<String> origins = new ArrayList<>(count);
            for (int i = 1; i <= count; i++) {
                origins.add("generated #" + i);
            }
            return origins;
        }
    }

    /** A document the demo did not load, and why. */
    record NotLoaded(String origin, String memoryId, String reason) {
    }

    /** The demo cannot go on (a stage failed for good); the message says what failed and what to do. */
    static final class Failure extends RuntimeException {
        private static final long serialVersionUID = 1L;

        Failure(String message) {
            super(message);
        }
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

    /**
     * What runs once the summary is known, while the stack is still up (for {@code --serve}: the services, until
     * interrupted).
     */
    @FunctionalInterface
    interface AfterSummary {
        AfterSummary NOTHING = (summary, stack, workDir, archiveDir) -> { };

        void accept(DemoSummary summary, LocalStack stack, Path workDir, Path archiveDir) throws Exception;
    }

    Outcome run() throws Exception {
        return run(AfterSummary.NOTHING);
    }

    Outcome run(AfterSummary afterSummary) throws Exception {
        long started = System.nanoTime();
        Path workDir = Files.createTempDirectory("coldframe-demo");
        Path archiveDir = options.archiveDir() != null ? options.archiveDir() : workDir.resolve("archive");
        out.println("starting the embedded stack (KRaft broker, " + (options.mongoUri() == null ? "in-JVM MongoDB stand-in" : "MongoDB at the given URI") + ") ...");
        try (LocalStack stack = LocalStack.builder().mongoUri(options.mongoUri()).start();
             MongoClient mongo = MongoClients.create(stack.mongoUri());
             Admin admin = Admin.create(stack.kafkaConnection().map())) {
            MongoCollection<BsonDocument> memories = mongo.getDatabase(stack.database()).getCollection(stack.collection(), BsonDocument.class);
            List<String> loadedIds = new ArrayList<>();
            List<NotLoaded> notLoaded = new ArrayList<>();
            long rawBytes = load(memories, stack.isMongoStandIn(), loadedIds, notLoaded);
            out.printf("loaded %d memories (%d bytes of BSON) into %s.%s%n", loadedIds.size(), rawBytes, stack.database(), stack.collection());
            reportNotLoaded(notLoaded, stack.isMongoStandIn());

            EmbeddedPipeline.Settings settings = new EmbeddedPipeline.Settings(stack.bootstrapServers(), stack.topics().prefix(),
                    stack.mongoUri(), stack.database(), stack.collection(), workDir, archiveDir, options.archiverWorkers(),
                    options.batchLinger(), Duration.ofSeconds(1), options.streamsConfig());
            boolean drained;
            try (EmbeddedPipeline pipeline = new EmbeddedPipeline(settings)) {
                pipeline.start();
                out.println("starting Kafka Connect with the MongoDB source connector ...");
                try {
                    stack.startConnector();
                } catch (IllegalStateException e) {
                    throw new Failure("the MongoDB source connector did not start: " + firstLines(e.getMessage(), 6));
                }
                PipelineProgress progress = new PipelineProgress(admin, stack.topics().changes(), pipeline.stages());
                drained = progress.awaitDrained(loadedIds.size(), options.batchLinger().plusSeconds(1), options.timeout(),
                        snapshot -> {
                            out.printf("  changes published %d/%d, backlog %s, archived %d, deleted %d%n",
                                    snapshot.changesPublished(), loadedIds.size(), snapshot.lagByGroup(),
                                    pipeline.archivedByWorkers(), pipeline.deletedByPurger());
                            stack.connectorFailure().ifPresent(failure -> {
                                throw new Failure("the MongoDB source connector failed, so no further change reaches Kafka "
                                        + "(a failed task does not restart by itself): " + firstLines(failure, 6));
                            });
                        });
                if (!drained) {
                    out.println("the pipeline did not drain within " + options.timeout() + "; reconciling what is there");
                }
                stack.stopConnector();
            }
            out.println("reconciling MongoDB and every segment independently ...");
            Reconciler.Report report = new Reconciler(memories, new LocalDirectorySegmentStore(archiveDir)).reconcile(loadedIds);
            report.segmentProblems().forEach(problem -> out.println("  segment problem: " + problem));
            report.lost().stream().limit(20).forEach(id -> out.println("  LOST: " + id));
            TierCounts.Counts tiers = TierCounts.read(stack.kafkaConnection(), stack.topics());
            long archived = loadedIds.stream().filter(report.archived()::containsKey).count();
            // counted by reading them: the topic's end offsets also count transaction markers
            List<DeadLetterReport.Reason> reasons = DeadLetterReport.read(stack.kafkaConnection(), stack.topics().deadLetter());
            long deadLetters = reasons.stream().mapToLong(DeadLetterReport.Reason::count).sum();
            DemoSummary summary = new DemoSummary(loadedIds.size(), notLoaded, tiers, report.segments(), report.verifiedSegments(),
                    archived, loadedIds.size() - report.inMongo().size(), memories.countDocuments(), rawBytes, report.videoBytes(), report.indexBytes(),
                    report.lost().size(), deadLetters, reasons, drained, Duration.ofNanos(System.nanoTime() - started).toMillis());
            if (summary.mostlyDeadLettered()) {
                reportDeadLetters(summary);
            }
            afterSummary.accept(summary, stack, workDir, archiveDir);
            return new Outcome(summary, report);
        }
    }

    /**
     * Inserts the documents in chunks. On the stand-in, documents it cannot hold ({@link StandInLimits}) are left out
     * and named; a chunk MongoDB refuses is retried one document at a time, so the refused one is named too. A document
     * over MongoDB's 16 MiB is refused by the driver itself, before it reaches the server (stand-in or real).
     */
    private long load(MongoCollection<BsonDocument> memories, boolean standIn, List<String> loadedIds, List<NotLoaded> notLoaded) {
        long rawBytes = 0;
        List<BsonDocument> documents = options.documents();
        for (int from = 0; from < documents.size(); from += INSERT_CHUNK) {
            List<BsonDocument> chunk = new ArrayList<>();
            List<String> chunkOrigins = new ArrayList<>();
            for (int i = from; i < Math.min(documents.size(), from + INSERT_CHUNK); i++) {
                BsonDocument document = documents.get(i);
                Optional<String> problem = standIn ? StandInLimits.problem(document) : Optional.empty();
                if (problem.isPresent()) {
                    notLoaded.add(new NotLoaded(options.origins().get(i), idOf(document), problem.get()));
                } else {
                    chunk.add(document);
                    chunkOrigins.add(options.origins().get(i));
                }
            }
            List<BsonDocument> inserted = insert(memories, chunk, chunkOrigins, notLoaded);
            for (BsonDocument document : inserted) {
                loadedIds.add(idOf(document));
                rawBytes += MemoryDocuments.toBson(document).length;
            }
        }
        return rawBytes;
    }

    private static List<BsonDocument> insert(MongoCollection<BsonDocument> memories, List<BsonDocument> chunk, List<String> origins,
                                             List<NotLoaded> notLoaded) {
        if (chunk.isEmpty()) {
            return chunk;
        }
        try {
            memories.insertMany(chunk, new InsertManyOptions().ordered(true));
            return chunk;
        } catch (MongoException | BsonMaximumSizeExceededException e) {
            List<BsonDocument> inserted = new ArrayList<>();
            for (int i = 0; i < chunk.size(); i++) {
                try {
                    memories.insertOne(chunk.get(i));
                    inserted.add(chunk.get(i));
                } catch (MongoWriteException duplicate) {
                    if (duplicate.getError().getCategory() == ErrorCategory.DUPLICATE_KEY) {
                        inserted.add(chunk.get(i)); // the failed insertMany had inserted it before it stopped
                    } else {
                        notLoaded.add(new NotLoaded(origins.get(i), idOf(chunk.get(i)), "MongoDB refused it: " + firstLines(duplicate.getMessage(), 1)));
                    }
                } catch (MongoException | BsonMaximumSizeExceededException refused) {
                    notLoaded.add(new NotLoaded(origins.get(i), idOf(chunk.get(i)), "MongoDB refused it: " + firstLines(refused.getMessage(), 1)));
                }
            }
            return inserted;
        }
    }

    private void reportNotLoaded(List<NotLoaded> notLoaded, boolean standIn) {
        for (NotLoaded document : notLoaded) {
            out.printf("  not loaded: %s, _id %s: %s%n", document.origin(), document.memoryId(), document.reason());
        }
        if (!notLoaded.isEmpty()) {
            out.printf("%d document(s) not loaded%s; the others go on%n", notLoaded.size(), standIn
                    ? ": the in-JVM MongoDB stand-in cannot hold them (a real MongoDB can: --mongo-uri; the segment format archives every BSON type)"
                    : "");
        }
    }

    private void reportDeadLetters(DemoSummary summary) {
        out.printf("MOST LOADED MEMORIES WERE DEAD-LETTERED (%d dead letters for %d memories), so they were not tiered. Top reasons:%n",
                summary.deadLetters(), summary.loaded());
        summary.deadLetterReasons().stream().limit(5).forEach(reason -> {
            out.printf("  %,d x %s (%s), e.g. record %s%n", reason.count(), reason.reason(), reason.stage(), reason.example());
            out.printf("      fix: %s%n", fixFor(reason.reason()));
        });
    }

    /** What to do about a dead-letter reason, in the demo's own options. */
    private String fixFor(String reason) {
        String timestamp = options.timestampField();
        if (reason.startsWith("field " + timestamp + ": missing")) {
            return "the documents have no '" + timestamp + "' field: name the field that holds their time with --timestamp-field NAME "
                    + "(for example --timestamp-field timestamp), or give a rules file with timestamp_field (--rules FILE, docs/tiering.md)";
        }
        if (reason.startsWith("field " + MemoryFields.IMPORTANCE + ":")) {
            return "every memory needs an importance: a level (CRITICAL, HIGH, MEDIUM, LOW) or a score from 0 to 1";
        }
        if (reason.contains("not an ISO-8601 date-time") || reason.contains("expected a date")) {
            return "the time field must hold a BSON date, epoch milliseconds (int64) or seconds (int32, double), or an ISO-8601 date-time such as 2025-01-01T12:00:00Z (without an offset it is read as UTC)";
        }
        return "see docs/tiering.md for what a memory needs; `bin/coldframe rules check --doc '<document>'` shows how one document is read";
    }

    private static String idOf(BsonDocument document) {
        return MemoryDocuments.idOf(document.get(MemoryFields.ID));
    }

    static String firstLines(String text, int lines) {
        return String.join(" | ", text.lines().map(String::strip).filter(l -> !l.isEmpty()).limit(lines).toList());
    }
}
