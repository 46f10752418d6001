package io.coldframe.cli.restore;

import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Predicate;

import org.apache.kafka.common.config.AbstractConfig;
import org.apache.kafka.common.config.ConfigDef;
import org.bson.RawBsonDocument;

import com.fasterxml.jackson.databind.JsonNode;
import com.mongodb.client.MongoClient;
import com.mongodb.client.MongoCollection;

import io.coldframe.archive.ArchiveCatalog;
import io.coldframe.archive.KafkaRestoreMarks;
import io.coldframe.archive.MemoryIdInput;
import io.coldframe.archive.RestoreSelection;
import io.coldframe.archive.Restorer;
import io.coldframe.archiver.ArchiverConfig;
import io.coldframe.cli.DurationArgument;
import io.coldframe.cli.MongoOptions;
import io.coldframe.cli.ServiceClient;
import io.coldframe.cli.ServiceClientOptions;
import io.coldframe.cli.StoreOptions;
import io.coldframe.cli.TerminalProgress;
import io.coldframe.cli.ToolCommand;
import io.coldframe.common.CommonConfigKeys;
import io.coldframe.common.KafkaConnection;
import io.coldframe.common.Topics;
import io.coldframe.schemas.CatalogEntry;
import io.coldframe.store.SegmentStore;
import io.coldframe.store.SegmentStores;

import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

@Command(name = "restore", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Puts archived memories back into MongoDB exactly as archived (byte for byte), by memory id, by agent or "
                + "by segment. A document whose _id is in MongoDB is never touched: it is the same or newer (the purger "
                + "deletes only exact archived versions).",
                "By id and by agent the archive catalog (the compacted topic <prefix>.catalog) says where each memory's latest "
                        + "archived version lies; when Kafka or the catalog cannot be read, the store's manifests are scanned "
                        + "instead (for an agent: every record of every segment).",
                "Before a segment's documents are inserted, a restore mark per memory goes to <prefix>.restores, so the tiering "
                        + "engine keeps them out of the cold tier until the hold ends. Without Kafka nothing is inserted unless "
                        + "--no-mark is given.",
                "Store, Kafka and MongoDB are configured like the services: the options below, else COLDFRAME_<KEY> environment "
                        + "variables (e.g. COLDFRAME_ARCHIVER_STORE_DIR, COLDFRAME_ARCHIVER_S3_BUCKET, COLDFRAME_KAFKA_BOOTSTRAP_SERVERS, "
                        + "COLDFRAME_MONGODB_URI; S3 keys only through COLDFRAME_ARCHIVER_S3_ACCESS_KEY/_SECRET_KEY or the AWS "
                        + "credentials chain). A secured Kafka: COLDFRAME_KAFKA_SECURITY_PROTOCOL, COLDFRAME_KAFKA_SASL_MECHANISM, "
                        + "COLDFRAME_KAFKA_SASL_JAAS_CONFIG (as the principal coldframe-restore), COLDFRAME_KAFKA_SSL_TRUSTSTORE_*.",
                "With --service URL (or $COLDFRAME_SERVICE_URL) the archive service restores instead (POST /restore, with --token): "
                        + "its catalog index, store and MongoDB, its restore marks and their 7-day hold."},
        footer = {"", "Exit codes: 0 every requested memory is restored or already present; 1 a segment could not be read, an insert "
                + "failed or marks could not be published; 2 usage error; 3 some requested memory is not in the archive.",
                "", "Examples:",
                "  coldframe restore --id 65f0a1b2c3d4e5f6a7b8c9d0 --archive-dir /srv/archive",
                "  coldframe restore --agent agent-7 --s3-bucket coldframe --hold 30d",
                "  coldframe restore --segment coldframe.tier.cold-3-1200-3199 --dry-run",
                "  coldframe restore --id 65f0a1b2c3d4e5f6a7b8c9d0 --service http://127.0.0.1:8090 --token \"$TOKEN\""})
public final class RestoreCommand extends ToolCommand {

    @Option(names = "--id", paramLabel = "ID",
            description = "A memory id (repeatable): canonical Extended JSON of _id ('{\"$oid\": \"65f0...\"}', '\"mem-1\"'), "
                    + "or 24 hex digits (an ObjectId), or plain text (a string id).")
    List<String> ids = new ArrayList<>();

    @Option(names = "--agent", paramLabel = "AGENT", description = "Every archived memory of this agent (field agent_id).")
    String agent;

    @Option(names = "--segment", paramLabel = "SEG", description = "Every memory of this stored segment (its id, or its .mkv/.manifest.json name).")
    String segment;

    @Mixin
    MongoOptions mongoOptions;

    @Mixin
    StoreOptions store;

    @Option(names = "--hold", paramLabel = "DURATION", defaultValue = "7d", converter = DurationArgument.class,
            description = "Keep restored memories out of the cold tier this long (7d, 12h, P7D ...). Default: ${DEFAULT-VALUE}.")
    Duration hold;

    @Option(names = "--no-mark", description = "Publish no restore marks (works without Kafka); the tiering engine may archive the "
            + "restored memories again as soon as their rules say so.")
    boolean noMark;

    @Option(names = "--dry-run", description = "Find and read what would be restored; change nothing.")
    boolean dryRun;

    @Mixin
    ServiceClientOptions service;

    private static final ConfigDef MONGO = CommonConfigKeys.withMongo(new ConfigDef());

    @Override
    protected int run() throws Exception {
        int selections = (ids.isEmpty() ? 0 : 1) + (agent == null ? 0 : 1) + (segment == null ? 0 : 1);
        if (selections != 1) {
            throw new Failure(USAGE, "name what to restore: exactly one of --id (repeatable), --agent or --segment");
        }
        if (service.given()) {
            return throughService(service.client());
        }
        ArchiverConfig archiver = store.archiverConfig(MONGO.names());
        AbstractConfig mongo = mongoOptions.config(MONGO, store.config());
        boolean marksRequired = !noMark && !dryRun;
        KafkaConnection kafka = KafkaConnection.from(archiver);
        Topics topics = archiver.topics();

        try (SegmentStore segments = SegmentStores.create(archiver);
             MongoClient client = mongoOptions.client(mongo);
             KafkaRestoreMarks kafkaMarks = marksRequired ? new KafkaRestoreMarks(kafka, topics.restores(), store.kafkaTimeout) : null) {
            MongoCollection<RawBsonDocument> memories = MongoOptions.collection(client, mongo, RawBsonDocument.class);
            Restorer restorer = new Restorer(segments, memories, marksRequired ? kafkaMarks : Restorer.NO_MARKS, hold, dryRun,
                    this::note, TerminalProgress.factory(1000), Clock.systemUTC());
            Restorer.Result result = new Restorer.Result();
            String storeName = SegmentStores.describe(archiver);

            RestoreSelection selection = new RestoreSelection(restorer,
                    (keep, fallback) -> catalog(kafka, topics, keep, marksRequired, fallback), storeName, this::note);
            List<Restorer.Target> targets = !ids.isEmpty() ? selection.byIds(ids, result)
                    : agent != null ? selection.byAgent(agent, result)
                    : selection.bySegment(segmentIdOf(segment), result);

            restorer.restore(targets, result);
            return report(result, topics, storeName);
        }
    }

    /** The catalog, filtered; empty (with a note saying what happens instead) when it cannot be read. */
    private Optional<ArchiveCatalog> catalog(KafkaConnection kafka, Topics topics, Predicate<CatalogEntry> keep, boolean marksRequired,
            String fallback) throws ArchiveCatalog.UnavailableException {
        try {
            return Optional.of(ArchiveCatalog.load(kafka, topics, store.kafkaTimeout, keep));
        } catch (ArchiveCatalog.UnavailableException e) {
            if (e.kafkaUnreachable() && marksRequired) {
                throw new Failure(FAILED, "Kafka at " + kafka.bootstrapServers() + " is not reachable (" + e.getMessage() + "): the restore marks that "
                        + "keep restored memories out of the cold tier cannot be published, so nothing was restored. Give --no-mark "
                        + "to restore without them (the store's manifests are then scanned), or --dry-run to see what would be restored");
            }
            note("catalog unavailable (" + e.getMessage() + "): " + fallback);
            return Optional.empty();
        }
    }

    /** The service restores; its answer is reported like a restore done here. */
    private int throughService(ServiceClient client) {
        if (noMark || mongoOptions.given()) {
            throw new Failure(USAGE, "--service restores with the service's MongoDB and restore marks: drop --no-mark, --mongo-uri, "
                    + "--database and --collection, or drop --service");
        }
        Map<String, Object> request = new HashMap<>();
        if (!ids.isEmpty()) {
            request.put("ids", ids.stream().map(id -> MemoryIdInput.candidates(id).get(0)).toList());
        } else if (agent != null) {
            request.put("agent", agent);
        } else {
            request.put("segment", segmentIdOf(segment));
        }
        request.put("dry_run", dryRun);
        ServiceClient.Answer answer = client.restore(request);
        if (answer.status() == 401 || answer.status() == 403) {
            throw new Failure(USAGE, "the archive service at " + client.url() + " refused the restore: " + answer.reason()
                    + (answer.status() == 401 ? " (give --token or COLDFRAME_SERVICE_TOKEN)" : ""));
        }
        if (answer.status() == 400) {
            throw new Failure(USAGE, "the archive service at " + client.url() + ": " + answer.reason());
        }
        if (answer.status() != 200) {
            throw new Failure(FAILED, "the archive service at " + client.url() + " could not restore: " + answer.reason());
        }
        JsonNode r = answer.body();
        List<String> notFound = new ArrayList<>();
        r.path("not_found").forEach(n -> notFound.add(n.asText()));
        if (!notFound.isEmpty()) {
            note("not in the archive: " + String.join(", ", notFound.subList(0, Math.min(10, notFound.size())))
                    + (notFound.size() > 10 ? ", ... (" + notFound.size() + " in all)" : ""));
        }
        out().println((dryRun ? "dry run, nothing changed: would have " : "") + "restored " + r.path("restored").asLong()
                + ", already present " + r.path("already_present").asLong()
                + (r.path("superseded").asLong() > 0 ? ", superseded " + r.path("superseded").asLong() : "")
                + ", not found " + notFound.size() + ", failed " + r.path("failed").asLong()
                + " (" + r.path("requested").asLong() + " requested, through the archive service at " + client.url() + ")");
        if (r.hasNonNull("aborted")) {
            return fail(FAILED, r.get("aborted").asText() + "; the remaining memories were not inserted (run the restore again: it skips what is present)");
        }
        if (r.path("failed").asLong() > 0) {
            return FAILED;
        }
        return notFound.isEmpty() ? OK : NOT_FOUND;
    }

    static String segmentIdOf(String argument) {
        String name = Path.of(argument).getFileName().toString();
        for (String suffix : List.of(".mkv", ".manifest.json")) {
            if (name.endsWith(suffix)) {
                return name.substring(0, name.length() - suffix.length());
            }
        }
        return name;
    }

    // ------------------------------------------------------------------------------------------------ report

    private int report(Restorer.Result result, Topics topics, String storeName) {
        if (!result.notFound().isEmpty()) {
            note("not in the archive (" + storeName + "): " + String.join(", ", result.notFound().subList(0, Math.min(10, result.notFound().size())))
                    + (result.notFound().size() > 10 ? ", ... (" + result.notFound().size() + " in all)" : ""));
        }
        String counts = "restored " + result.restored()
                + (result.redacted() > 0 ? " (of which " + result.redacted() + " redacted by policy "
                        + String.join(", ", result.redactionPolicies()) + ": the archive holds only the redacted documents)" : "")
                + ", already present " + result.alreadyPresent()
                + (result.superseded() > 0 ? ", superseded " + result.superseded() : "")
                + ", not found " + result.notFound().size() + ", failed " + result.failed()
                + " (" + result.requested() + (result.requested() == 1 ? " archived memory" : " archived memories") + " found, "
                + result.segments() + (result.segments() == 1 ? " segment" : " segments") + " read)";
        out().println((dryRun ? "dry run, nothing changed: would have " : "") + counts);
        if (result.holdUntil() != null) {
            out().println("restore marks on " + topics.restores() + " hold them out of the cold tier until " + result.holdUntil());
        }
        if (result.aborted() != null) {
            return fail(FAILED, result.aborted() + "; the remaining memories were not inserted (run the restore again: it skips what is present)");
        }
        if (result.failed() > 0) {
            return FAILED;
        }
        return result.notFound().isEmpty() ? OK : NOT_FOUND;
    }
}
