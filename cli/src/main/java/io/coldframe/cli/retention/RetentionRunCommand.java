package io.coldframe.cli.retention;

import java.nio.file.Path;
import java.time.Instant;
import java.time.Period;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.apache.kafka.common.config.ConfigException;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;

import io.coldframe.archive.ArchiveCatalog;
import io.coldframe.archive.lifecycle.KafkaCatalogUpdates;
import io.coldframe.archive.lifecycle.KafkaRetentionAudit;
import io.coldframe.archive.lifecycle.RetentionConfig;
import io.coldframe.archive.lifecycle.RetentionPass;
import io.coldframe.archive.lifecycle.RewriteProgress;
import io.coldframe.archive.lifecycle.SegmentRewrite;
import io.coldframe.archiver.ArchiverConfig;
import io.coldframe.cli.ServiceRules;
import io.coldframe.cli.StoreOptions;
import io.coldframe.cli.ToolCommand;
import io.coldframe.common.KafkaConnection;
import io.coldframe.common.Topics;
import io.coldframe.segment.SegmentOptions;
import io.coldframe.segment.SegmentWriter;
import io.coldframe.store.SegmentStore;
import io.coldframe.store.SegmentStores;
import io.coldframe.streams.rules.RuleSet;
import io.coldframe.streams.rules.Units;

import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

@Command(name = "run", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Runs one retention pass: every stored segment the catalog references whose records are all past the cold "
                + "tier's retention (the rules' cold.retain, counted from each memory's created_at) expires; one partly past it is "
                + "rewritten without the expired records (verified before the old one goes) once at least "
                + RetentionConfig.MIN_EXPIRED_SHARE + " of its records expired, else it is left for a later pass.",
                "Crash safe and idempotent: run it again after a failure and it completes; again after success and it does nothing. "
                        + "Each expiry or rewrite is audited on <prefix>.lifecycle.audit. Prints a JSON report.",
                "Store and Kafka are configured as for gc: the options below, else COLDFRAME_<KEY> environment variables."},
        footer = {"", "Exit codes: 0 done (or nothing to do); 1 a step failed (run it again); 2 usage error (no retention in the rules).",
                "", "Examples:",
                "  coldframe retention run --rules rules.yaml --archive-dir /srv/archive --dry-run",
                "  coldframe retention run --rules rules.yaml --archive-dir /srv/archive -c retention.rewrite.min.expired.share=0.5"})
public final class RetentionRunCommand extends ToolCommand {

    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    @Option(names = "--rules", paramLabel = "FILE", description = "The tiering rules file. Default: $COLDFRAME_TIERING_RULES_FILE, else the built-in rules.")
    Path rules;

    @Option(names = "--dry-run", description = "Decide and report what would expire or be rewritten; change nothing.")
    boolean dryRun;

    @Mixin
    StoreOptions store;

    @Override
    protected int run() throws Exception {
        RuleSet ruleSet = ServiceRules.load(rules);
        Period retain = ruleSet.coldRetention().orElseThrow(() -> new Failure(USAGE, "the rules (" + ruleSet.source()
                + ") give the cold tier no retention: add e.g. 'cold: {retain: 12mo}' (docs/tiering.md)"));
        ArchiverConfig archiver = store.archiverConfig(RetentionConfig.DEFINITION.names());
        RetentionConfig config;
        try {
            config = RetentionConfig.load(store.config());
        } catch (ConfigException e) {
            throw new Failure(USAGE, e.getMessage());
        }
        KafkaConnection kafka = KafkaConnection.from(archiver);
        Topics topics = archiver.topics();
        Instant cutoff = Instant.now().atZone(ZoneOffset.UTC).minus(retain).toInstant();
        ArchiveCatalog catalog = ArchiveCatalog.load(kafka, topics, store.kafkaTimeout);
        try (SegmentStore segments = SegmentStores.create(archiver);
             KafkaRetentionAudit audit = new KafkaRetentionAudit(kafka, topics.lifecycleAudit(), store.kafkaTimeout)) {
            SegmentRewrite rewrite = new SegmentRewrite(segments, new KafkaCatalogUpdates(kafka, topics.catalog(), store.kafkaTimeout),
                    new SegmentWriter(SegmentOptions.defaults()), archiver.stagingDir().resolve("retention"), RewriteProgress.NONE);
            RetentionPass.Report report = new RetentionPass(segments, rewrite, audit, config)
                    .run(catalog.entries(), Units.formatPeriod(retain), cutoff, dryRun);
            out().println(JSON.writeValueAsString(reportJson(report, ruleSet.source(), topics)));
            return OK;
        }
    }

    private static Map<String, Object> reportJson(RetentionPass.Report report, String rulesSource, Topics topics) {
        Map<String, Object> json = new LinkedHashMap<>();
        json.put("rules", rulesSource);
        json.put("retain", report.retain());
        json.put("cutoff", report.cutoff().toString());
        json.put("dry_run", report.dryRun());
        json.put("min_expired_share", report.minExpiredShare());
        json.put("segments_checked", report.segmentsChecked());
        List<Map<String, Object>> segments = new ArrayList<>();
        Map<String, Integer> counts = new LinkedHashMap<>(Map.of("expire", 0, "rewrite", 0, "leave", 0));
        for (RetentionPass.SegmentAction action : report.actions()) {
            Map<String, Object> segment = new LinkedHashMap<>();
            String decision = action.decision().name().toLowerCase();
            counts.merge(decision, 1, Integer::sum);
            segment.put("segment", action.segmentId());
            segment.put("decision", decision);
            segment.put("expired_records", action.expired());
            segment.put("records", action.records());
            action.result().ifPresent(result -> {
                segment.put("outcome", result.outcome().name().toLowerCase());
                result.newSegmentId().ifPresent(id -> segment.put("new_segment", id));
                segment.put("kept", result.kept());
            });
            segments.add(segment);
        }
        json.put("segments", segments);
        json.put("expired_segments", counts.get("expire"));
        json.put("rewritten_segments", counts.get("rewrite"));
        json.put("left_for_later", counts.get("leave"));
        json.put("audit_topic", topics.lifecycleAudit());
        return json;
    }
}
