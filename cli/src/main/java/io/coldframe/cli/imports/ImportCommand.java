package io.coldframe.cli.imports;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

import org.apache.kafka.common.config.AbstractConfig;
import org.apache.kafka.common.config.ConfigDef;
import org.bson.RawBsonDocument;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.mongodb.client.MongoClient;

import io.coldframe.archive.ImportReport;
import io.coldframe.archive.ImportSource;
import io.coldframe.archive.MemoryImporter;
import io.coldframe.cli.MongoOptions;
import io.coldframe.cli.TerminalProgress;
import io.coldframe.cli.ToolCommand;
import io.coldframe.common.CommonConfigKeys;

import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(name = "import", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Upserts memory documents into the memory collection by _id, in batches: a .jsonl file (one MongoDB Extended "
                + "JSON document per line, canonical or relaxed), a .json file (a document or an array of them), or a directory "
                + "of such files. Every BSON type comes through as the Extended JSON says; _id is stored first, where MongoDB "
                + "keeps it.",
                "A document already stored byte for byte is not written, so running it again changes nothing and says so. Bad "
                        + "input (not JSON, no _id, refused by MongoDB) is named by file, line and field and left out; the rest lands.",
                "--report FILE writes the parity report as JSON: read, inserted, updated, unchanged, rejected (each with file, "
                        + "line, id, field and reason), every file's SHA-256, and the count and checksum of the source's "
                        + "documents against the collection's."},
        footer = {"", "Exit codes: 0 everything imported and source and collection agree; 1 documents were rejected, the parity "
                + "check failed, or MongoDB failed; 2 usage error.",
                "", "Examples:",
                "  coldframe import memories.jsonl --mongo-uri mongodb://127.0.0.1:27017 --report parity.json",
                "  coldframe import exports/ --batch 1000 --dry-run"})
public final class ImportCommand extends ToolCommand {

    @Parameters(index = "0", paramLabel = "FILE|DIR", description = "A .jsonl or .json file, or a directory of them.")
    Path input;

    @Mixin
    MongoOptions mongoOptions;

    @Option(names = "--report", paramLabel = "FILE", description = "Write the parity report (JSON) here.")
    Path report;

    @Option(names = "--batch", paramLabel = "N", defaultValue = "" + MemoryImporter.DEFAULT_BATCH,
            description = "Documents per write. Default: ${DEFAULT-VALUE}.")
    int batch;

    @Option(names = "--dry-run", description = "Read, compare with the collection and count; write nothing.")
    boolean dryRun;

    @Option(names = {"-c", "--config"}, paramLabel = "KEY=VALUE", description = "A mongodb.* key (repeatable), e.g. -c mongodb.database=agents.")
    Map<String, String> config = new LinkedHashMap<>();

    private static final ConfigDef DEFINITION = CommonConfigKeys.withMongo(new ConfigDef());
    private static final ObjectMapper JSON = new ObjectMapper().setPropertyNamingStrategy(PropertyNamingStrategies.SNAKE_CASE)
            .enable(SerializationFeature.INDENT_OUTPUT);
    private static final int REJECTIONS_SHOWN = 10;

    @Override
    protected int run() throws Exception {
        config.keySet().stream().filter(key -> !DEFINITION.names().contains(key)).findFirst().ifPresent(key -> {
            throw new Failure(USAGE, "unknown configuration key " + key);
        });
        if (batch < 1) {
            throw new Failure(USAGE, "--batch must be at least 1");
        }
        ImportSource source = ImportSource.of(input);
        AbstractConfig mongo = mongoOptions.config(DEFINITION, config);
        String collection = MongoOptions.describe(mongo);
        ImportReport result;
        try (MongoClient client = mongoOptions.client(mongo)) {
            result = new MemoryImporter(MongoOptions.collection(client, mongo, RawBsonDocument.class), batch, TerminalProgress.factory(1L << 20))
                    .run(source, dryRun);
        }
        if (report != null) {
            ObjectNode json = JSON.valueToTree(result);
            json.put("collection", collection);
            json.put("changed_nothing", result.changedNothing());
            Files.writeString(report, JSON.writeValueAsString(json) + "\n");
        }
        return summarize(result, collection);
    }

    private int summarize(ImportReport result, String collection) {
        result.rejections().stream().limit(REJECTIONS_SHOWN).forEach(r -> note("rejected " + r.file() + ":" + r.line()
                + (r.id() == null ? "" : " _id " + r.id()) + (r.field() == null ? "" : " field " + r.field()) + ": " + r.reason()));
        if (result.rejected() > REJECTIONS_SHOWN) {
            note("... " + result.rejected() + " rejected in all" + (report == null ? " (--report FILE lists every one)" : ", every one in " + report));
        }
        out().println((dryRun ? "dry run, nothing written: would have " : "") + "read " + result.read() + ", inserted " + result.inserted()
                + ", updated " + result.updated() + ", unchanged " + result.unchanged() + ", rejected " + result.rejected()
                + " (" + result.files().size() + (result.files().size() == 1 ? " file" : " files") + ", into " + collection + ")");
        if (!dryRun && result.changedNothing() && result.unchanged() > 0) {
            out().println("nothing changed: every document was already in " + collection + " byte for byte");
        }
        ImportReport.Parity parity = result.parity();
        out().println("parity: source " + parity.sourceDocuments() + " documents, collection " + parity.collectionDocuments()
                + (parity.match() ? ", checksums match" : ", missing " + parity.missing() + ", different " + parity.different()
                        + " (checksums differ)"));
        if (dryRun) {
            return OK;
        }
        return result.rejected() == 0 && parity.match() ? OK : FAILED;
    }
}
