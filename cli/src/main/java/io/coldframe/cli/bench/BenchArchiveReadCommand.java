package io.coldframe.cli.bench;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Callable;

import io.coldframe.bench.Results;
import io.coldframe.bench.archiveread.ArchiveReadBenchmark;
import io.coldframe.segment.SegmentOptions;

import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code coldframe bench archive-read}: {@link ArchiveReadBenchmark}. */
@Command(name = "archive-read", mixinStandardHelpOptions = true,
        description = "An archive of N memories in an in-JVM S3-compatible store, then random gets by id through the archive "
                + "service over HTTP (cold and warm block cache), timeline queries and the catalog's restart to ready; writes JSON.")
public final class BenchArchiveReadCommand implements Callable<Integer> {

    @Option(names = "--memories", defaultValue = "100000", description = "Memories in the archive, shaped like the demo's (default: ${DEFAULT-VALUE}).")
    int memories;

    @Option(names = "--out", required = true, description = "Write the result as JSON to this file.")
    Path out;

    @Option(names = "--gets", defaultValue = "1000", description = "Gets by id per phase, cold and warm (default: ${DEFAULT-VALUE}).")
    int gets;

    @Option(names = "--timelines", defaultValue = "200", description = "Timeline queries (default: ${DEFAULT-VALUE}).")
    int timelines;

    @Option(names = "--block-bytes", description = "Block target of the segment writer, to explore the get-latency / density trade-off "
            + "(default: the writer's default, " + SegmentOptions.DEFAULT_BLOCK_TARGET_BYTES + ", which the archiver uses).")
    Integer blockBytes;

    @Option(names = "--seed", defaultValue = "42", description = "Seed of the generated memories (default: ${DEFAULT-VALUE}).")
    long seed;

    @Option(names = "--work-dir", description = "The S3 server's directory and the service's state and cache (default: a fresh temporary directory).")
    Path workDir;

    @Option(names = "--note", description = "A remark to put into the JSON.")
    String note;

    @Override
    public Integer call() throws Exception {
        Map<String, Object> results = new ArchiveReadBenchmark(
                new ArchiveReadBenchmark.Settings(memories, gets, timelines,
                        blockBytes != null ? blockBytes : SegmentOptions.DEFAULT_BLOCK_TARGET_BYTES, seed, workDir, note), System.out::println).run();
        Results.write(out, results);
        Map<String, Object> summary = new LinkedHashMap<>();
        summary.put("get_by_id_p95_ms", results.get("get_by_id_p95_ms"));
        summary.put("restart_to_ready_ms", results.get("restart_to_ready_ms"));
        summary.put("blocks_per_get", results.get("blocks_per_get"));
        summary.put("targets", results.get("targets"));
        System.out.println(Results.toJson(summary));
        System.out.println("result written to " + out);
        return 0;
    }
}
