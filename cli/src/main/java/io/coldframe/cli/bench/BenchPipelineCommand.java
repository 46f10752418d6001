package io.coldframe.cli.bench;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.Callable;

import io.coldframe.bench.PipelineBenchmark;
import io.coldframe.bench.Results;

import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code coldframe bench pipeline}: {@link PipelineBenchmark}. */
@Command(name = "pipeline", mixinStandardHelpOptions = true,
        description = "Connector-only and end-to-end memories/s of the whole local pipeline in one JVM, with per-stage CPU, "
                + "Kafka bytes per memory (write amplification), peak heap and resident memory; writes JSON.")
public final class BenchPipelineCommand implements Callable<Integer> {

    @Option(names = "--docs", defaultValue = "50000", description = "Memories to generate, shaped like the demo's (default: ${DEFAULT-VALUE}).")
    int docs;

    @Option(names = "--out", required = true, description = "Write the result as JSON to this file.")
    Path out;

    @Option(names = "--seed", defaultValue = "42", description = "Seed of the generated memories (default: ${DEFAULT-VALUE}).")
    long seed;

    @Option(names = "--workers", defaultValue = "2", description = "Archiver workers (default: ${DEFAULT-VALUE}).")
    int workers;

    @Option(names = "--batch-linger", defaultValue = "PT2S", description = "Archiver batch linger, ISO-8601 (default: ${DEFAULT-VALUE}, as the demo).")
    Duration batchLinger;

    @Option(names = "--timeout", defaultValue = "PT20M", description = "Give up waiting for the pipeline to drain after this (default: ${DEFAULT-VALUE}).")
    Duration timeout;

    @Option(names = "--skip-connector-only", description = "Skip the connector-only phase (no keep_up_ratio).")
    boolean skipConnectorOnly;

    @Option(names = "--work-dir", description = "Segments and state go here (default: a fresh temporary directory).")
    Path workDir;

    @Option(names = "--note", description = "A remark to put into the JSON.")
    String note;

    @Override
    public Integer call() throws Exception {
        Map<String, Object> results = new PipelineBenchmark(new PipelineBenchmark.Settings(docs, seed, workers, batchLinger, timeout,
                skipConnectorOnly, workDir, note), System.out::println).run();
        Results.write(out, results);
        System.out.println(Results.toJson(Map.of(
                "end_to_end_memories_per_s", results.get("end_to_end_memories_per_s"),
                "connector_only_per_s", String.valueOf(results.get("connector_only_per_s")),
                "keep_up_ratio", String.valueOf(results.get("keep_up_ratio")),
                "write_amplification", results.get("write_amplification"),
                "peak_rss_mib", results.get("peak_rss_mib"),
                "peak_heap_mib", results.get("peak_heap_mib"))));
        System.out.println("result written to " + out);
        return 0;
    }
}
