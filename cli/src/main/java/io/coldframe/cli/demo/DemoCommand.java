package io.coldframe.cli.demo;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;

import org.bson.BsonDocument;

import io.coldframe.cli.up.LocalServices;
import io.coldframe.cli.up.ServiceOptions;
import io.coldframe.common.MemoryFields;
import io.coldframe.streams.StreamsAppConfig;
import io.coldframe.testkit.MemoryGenerator;

import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

@Command(name = "demo", mixinStandardHelpOptions = true,
        description = "Runs the whole pipeline on the embedded stack: loads memories into MongoDB, tiers them, archives "
                + "the cold ones into verified QR-video segments, purges them from MongoDB, reconciles and prints a summary.")
public final class DemoCommand implements Callable<Integer> {

    @Option(names = "--docs", defaultValue = "20000", description = "Memories to generate (default: ${DEFAULT-VALUE}).")
    int docs;

    @Option(names = "--seed", defaultValue = "42", description = "Seed of the generated memories (default: ${DEFAULT-VALUE}).")
    long seed;

    @Option(names = "--anchor", description = "Generated ages count back from this UTC date (default: today), so a seed and anchor give the same memories.")
    LocalDate anchor;

    @Option(names = "--corpus", description = "Load this JSONL file instead: one MongoDB Extended JSON document per line, each with an _id.")
    Path corpus;

    @Option(names = "--summary", description = "Also write the summary as JSON to this file.")
    Path summary;

    @Option(names = "--mongo-uri", description = "Use this MongoDB (a replica set) instead of the in-JVM stand-in. Default: $MONGODB_URI if set.")
    String mongoUri;

    @Option(names = "--archive-dir", description = "Store segments here (default: a fresh temporary directory).")
    Path archiveDir;

    @Option(names = "--workers", defaultValue = "2", description = "Archiver workers (default: ${DEFAULT-VALUE}).")
    int workers;

    @Option(names = "--timeout", defaultValue = "PT10M", description = "Give up waiting for the pipeline to drain after this ISO-8601 duration (default: ${DEFAULT-VALUE}).")
    Duration timeout;

    @Option(names = "--rules", paramLabel = "FILE", description = "Tier with this rules file instead of the built-in defaults "
            + "(tiering.rules.file; format in docs/tiering.md; `coldframe rules check --print-defaults` prints a starting point).")
    Path rules;

    @Option(names = "--timestamp-field", paramLabel = "NAME", description = "The document field ages count from, when it is not "
            + "created_at (for example timestamp); it overrides the rules' timestamp_field.")
    String timestampField;

    @Option(names = "--serve", description = "After the summary, keep the stack up with every service and the archive service "
            + "(as coldframe up does), printing one line per endpoint, until interrupted.")
    boolean serve;

    @Mixin
    ServiceOptions service;

    @Override
    public Integer call() throws Exception {
        List<BsonDocument> documents = new ArrayList<>();
        List<String> origins = new ArrayList<>();
        if (corpus != null) {
            for (CorpusFile.Line line : CorpusFile.read(corpus)) {
                documents.add(line.document());
                origins.add(corpus.getFileName() + ":" + line.number());
            }
        } else {
            Instant anchorInstant = (anchor != null ? anchor : LocalDate.now(ZoneOffset.UTC)).atStartOfDay(ZoneOffset.UTC).toInstant();
            documents.addAll(new MemoryGenerator(seed, anchorInstant).generate(docs));
            origins.addAll(Demo.Options.generatedOrigins(documents.size()));
        }
        Map<String, String> tiering = new HashMap<>();
        if (rules != null) {
            tiering.put(StreamsAppConfig.RULES_FILE, rules.toString());
        }
        if (timestampField != null) {
            tiering.put(StreamsAppConfig.RULES_OVERRIDES, "timestamp_field=" + timestampField);
        }
        String uri = mongoUri != null ? mongoUri : System.getenv("MONGODB_URI");
        Demo.Options options = new Demo.Options(documents, origins, uri, archiveDir, workers, Duration.ofSeconds(2), timeout, tiering,
                timestampField != null ? timestampField : MemoryFields.CREATED_AT);
        Demo.AfterSummary afterSummary = !serve ? Demo.AfterSummary.NOTHING : (summary, stack, workDir, archiveDir) -> {
            report(summary);
            System.out.println();
            System.out.println("serving the demo's stack and archive ...");
            LocalServices services = LocalServices.start(stack, service.settings(workDir, archiveDir, workers, tiering));
            services.printEndpoints(System.out);
            services.serveUntilInterrupted(System.out, stack, service.stopTimeout());
        };
        DemoSummary result;
        try {
            result = new Demo(options, System.out).run(afterSummary).summary();
        } catch (Demo.Failure e) {
            System.err.println("demo failed: " + e.getMessage());
            return 1;
        }
        report(result);
        if (result.mostlyDeadLettered()) {
            System.err.println("demo failed: most loaded memories were dead-lettered (see the reasons and fixes above)");
            return 1;
        }
        return result.lost() == 0 && result.drained() ? 0 : 1;
    }

    private void report(DemoSummary result) throws IOException {
        System.out.println();
        System.out.println("coldframe demo summary");
        System.out.print(result.toText());
        if (summary != null) {
            Files.writeString(summary, result.toJson() + System.lineSeparator(), StandardCharsets.UTF_8);
            System.out.println("summary written to " + summary);
        }
    }
}
