package io.coldframe.cli.rules;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;

import org.apache.kafka.common.config.ConfigException;
import org.bson.BsonDocument;

import io.coldframe.streams.RulesCheck;
import io.coldframe.streams.StreamsAppConfig;
import io.coldframe.streams.rules.RuleSet;
import io.coldframe.streams.rules.RulesLoader;

import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code coldframe rules check FILE}: validates a tiering rules file and explains how it tiers sample documents. */
@Command(name = "rules", mixinStandardHelpOptions = true,
        description = "Tiering rules (format: docs/tiering.md).",
        subcommands = {RulesCommand.Check.class})
public final class RulesCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
        spec.commandLine().usage(System.out);
        return 0;
    }

    @Command(name = "check", mixinStandardHelpOptions = true, sortOptions = false,
            description = {
                "Validates a rules file exactly as the tiering service does at start (with the same environment "
                        + "overrides), lists the effective rules, and for each sample document shows which rule decides "
                        + "its tier, why the rules above it do not match, and when and to which tier it next changes.",
                "Exit status: 0 valid, 1 invalid rules, 2 unreadable sample documents."})
    static final class Check implements Callable<Integer> {

        @Parameters(index = "0", arity = "0..1", paramLabel = "FILE",
                description = "The rules file (YAML). Default: $COLDFRAME_TIERING_RULES_FILE, else the built-in defaults.")
        Path file;

        @Option(names = "--doc", paramLabel = "JSON",
                description = "A sample memory document as (Extended) JSON, e.g. '{\"_id\": \"m1\", \"importance\": \"LOW\", "
                        + "\"created_at\": {\"$date\": \"2026-05-01T00:00:00Z\"}}'. Repeatable.")
        List<String> docs = new ArrayList<>();

        @Option(names = "--docs-file", paramLabel = "FILE",
                description = "Sample documents from a file: one JSON document, a JSON array, or one document per line.")
        Path docsFile;

        @Option(names = "--now", paramLabel = "INSTANT", description = "Evaluate at this ISO-8601 instant (default: now).")
        Instant now;

        @Option(names = "--overrides", paramLabel = "OVERRIDES",
                description = "Rule overrides, e.g. 'age-hot.age.at_most=3d; low-cold-after-7d.tier=WARM'. "
                        + "Replaces $COLDFRAME_TIERING_RULES_OVERRIDES.")
        String overrides;

        @Option(names = "--print-defaults", description = "Print the built-in default rules file (a starting point) and exit.")
        boolean printDefaults;

        @Override
        public Integer call() {
            if (printDefaults) {
                System.out.print(RulesLoader.defaultRulesYaml());
                return 0;
            }
            Map<String, Object> explicit = new HashMap<>();
            if (file != null) {
                explicit.put(StreamsAppConfig.RULES_FILE, file.toString());
            }
            if (overrides != null) {
                explicit.put(StreamsAppConfig.RULES_OVERRIDES, overrides);
            }
            RuleSet rules;
            try {
                rules = StreamsAppConfig.load(explicit).rules();
            } catch (ConfigException e) {
                System.err.println("invalid rules: " + e.getMessage());
                return 1;
            }
            System.out.print(RulesCheck.describe(rules));
            System.out.println("rules are valid");

            List<BsonDocument> samples = new ArrayList<>();
            try {
                for (String doc : docs) {
                    samples.addAll(RulesCheck.readDocuments(doc));
                }
                if (docsFile != null) {
                    samples.addAll(RulesCheck.readDocuments(Files.readString(docsFile, StandardCharsets.UTF_8)));
                }
            } catch (IOException | RuntimeException e) {
                System.err.println("cannot read the sample documents: " + e.getMessage());
                return 2;
            }
            Instant at = now != null ? now : Instant.now();
            for (BsonDocument sample : samples) {
                System.out.println();
                System.out.print(RulesCheck.explain(rules, sample, at));
            }
            return 0;
        }
    }
}
