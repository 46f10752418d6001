package io.coldframe.cli.mongo;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.apache.kafka.common.config.AbstractConfig;
import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.common.config.ConfigException;
import org.bson.RawBsonDocument;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.mongodb.client.MongoClient;
import com.mongodb.client.MongoCollection;

import io.coldframe.cli.DurationArgument;
import io.coldframe.cli.MongoOptions;
import io.coldframe.cli.ServiceRules;
import io.coldframe.cli.ToolCommand;
import io.coldframe.common.CommonConfigKeys;
import io.coldframe.purger.MemoryIndexes;

import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

@Command(name = "init", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Creates the recommended indexes of the memory collection: agent_id + timestamp (an agent's timeline), "
                + "importance, and the timestamp field the tiering rules age memories by; with --ttl-field also a TTL index. "
                + "Indexes are matched by keys, whatever their names; existing ones are never dropped or changed, so running it "
                + "again creates nothing.",
                "Prints a JSON report: every planned index with its state (existed, created, missing with --dry-run, or conflict: "
                        + "same keys, other TTL) and the counts. The purger's /health/ready warns while one is missing."},
        footer = {"", "Exit codes: 0 every planned index exists now; 1 MongoDB failed, or an index conflicts with the plan; 2 usage error.",
                "", "Examples:",
                "  coldframe mongo init --mongo-uri mongodb://127.0.0.1:27017",
                "  coldframe mongo init --rules rules.yaml --ttl-field expires_at --dry-run"})
public final class MongoInitCommand extends ToolCommand {

    @Mixin
    MongoOptions mongoOptions;

    @Option(names = "--timestamp-field", paramLabel = "NAME", description = "The field memories are aged by. Default: the rules' timestamp_field.")
    String timestampField;

    @Option(names = "--rules", paramLabel = "FILE", description = "The tiering rules file. Default: $COLDFRAME_TIERING_RULES_FILE, else the built-in rules.")
    Path rules;

    @Option(names = "--ttl-field", paramLabel = "NAME", description = "A TTL index on this date field (mongodb.ttl.field): MongoDB deletes a "
            + "document once the date plus --ttl-expire-after has passed, archived or not. Only for a field set on disposable memories.")
    String ttlField;

    @Option(names = "--ttl-expire-after", paramLabel = "DURATION", converter = DurationArgument.class,
            description = "How long after the TTL field's date a document expires (mongodb.ttl.expire.after.seconds). Default: 0s.")
    Duration ttlExpireAfter;

    @Option(names = "--dry-run", description = "Report what exists and what is missing; create nothing.")
    boolean dryRun;

    @Option(names = "--report", paramLabel = "FILE", description = "Also write the JSON report to this file.")
    Path report;

    @Option(names = {"-c", "--config"}, paramLabel = "KEY=VALUE", description = "A mongodb.* key (repeatable), e.g. -c mongodb.database=agents.")
    Map<String, String> config = new LinkedHashMap<>();

    private static final ConfigDef DEFINITION = MemoryIndexes.define(CommonConfigKeys.withMongo(new ConfigDef()));
    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    @Override
    protected int run() throws Exception {
        config.keySet().stream().filter(key -> !DEFINITION.names().contains(key)).findFirst().ifPresent(key -> {
            throw new Failure(USAGE, "unknown configuration key " + key);
        });
        Map<String, String> pairs = new HashMap<>(config);
        pairs.put(MemoryIndexes.TIMESTAMP_FIELD, timestampField != null ? timestampField : ServiceRules.load(rules).timestampField());
        if (ttlField != null) {
            pairs.put(MemoryIndexes.TTL_FIELD, ttlField);
        }
        if (ttlExpireAfter != null) {
            pairs.put(MemoryIndexes.TTL_EXPIRE_AFTER_SECONDS, Long.toString(ttlExpireAfter.toSeconds()));
        }
        AbstractConfig mongo = mongoOptions.config(DEFINITION, pairs);
        MemoryIndexes plan;
        try {
            plan = MemoryIndexes.of(mongo);
        } catch (ConfigException e) {
            throw new Failure(USAGE, e.getMessage());
        }
        try (MongoClient client = mongoOptions.client(mongo)) {
            MongoCollection<RawBsonDocument> memories = MongoOptions.collection(client, mongo, RawBsonDocument.class);
            List<MemoryIndexes.Finding> findings = dryRun ? plan.inspect(memories) : plan.ensure(memories);
            IndexReport result = IndexReport.of(MongoOptions.describe(mongo), mongo.getString(MemoryIndexes.TIMESTAMP_FIELD), dryRun, findings);
            String json = JSON.writeValueAsString(result);
            out().println(json);
            if (report != null) {
                Files.writeString(report, json + "\n");
            }
            if (result.conflicts() > 0) {
                return fail(FAILED, MemoryIndexes.problems(findings));
            }
            return OK;
        }
    }
}
