package io.coldframe.cli.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.stream.Stream;

import io.coldframe.bench.HotCacheBenchmark;
import io.coldframe.bench.Results;

import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code coldframe bench hot-cache}: the Redis hot tier benchmark ({@link HotCacheBenchmark}). */
@Command(name = "hot-cache", mixinStandardHelpOptions = true, sortOptions = false,
        description = {
            "Puts agents x per-agent demo memories on the hot tier topic of an embedded broker, times the hot-cache ingesting "
                    + "them into a real redis-server, then times GET /agents/{agent}/memories/recent?limit=10 through the archive "
                    + "service for random agents.",
            "Writes ingest_memories_per_s, recent_p50_ms, recent_p95_ms, recent_p99_ms, what zstd and deflate save per "
                    + "document, Redis memory, and the targets (ingest >= 10,000/s, recent p95 <= 5 ms) as JSON."})
public final class BenchHotCacheCommand implements Callable<Integer> {

    @Option(names = "--agents", defaultValue = "10000", paramLabel = "N", description = "Agents (default: ${DEFAULT-VALUE}).")
    int agents;

    @Option(names = "--per-agent", defaultValue = "100", paramLabel = "N", description = "Hot memories per agent (default: ${DEFAULT-VALUE}).")
    int perAgent;

    @Option(names = "--requests", defaultValue = "5000", paramLabel = "N", description = "Measured recent-10 reads (default: ${DEFAULT-VALUE}).")
    int requests;

    @Option(names = "--warmup", defaultValue = "1000", paramLabel = "N", description = "Reads before measuring (default: ${DEFAULT-VALUE}).")
    int warmup;

    @Option(names = "--out", paramLabel = "FILE.json", description = "Also write the result to this file.")
    Path out;

    @Override
    public Integer call() throws Exception {
        if (agents < 1 || perAgent < 1 || requests < 1 || warmup < 0) {
            System.err.println("bench hot-cache: --agents, --per-agent and --requests must be at least 1, --warmup at least 0");
            return 2;
        }
        Path workDir = Files.createTempDirectory("coldframe-bench-hot-cache");
        Map<String, Object> result;
        try {
            result = HotCacheBenchmark.run(new HotCacheBenchmark.Settings(agents, perAgent, requests, warmup, workDir), System.err::println);
        } finally {
            deleteRecursively(workDir); // the broker's log of a full run is over a gigabyte
        }
        System.out.println(Results.toJson(result));
        if (out != null) {
            Results.write(out, result);
            System.err.println("written to " + out);
        }
        return 0;
    }

    private static void deleteRecursively(Path dir) throws IOException {
        try (Stream<Path> paths = Files.walk(dir)) {
            for (Path path : paths.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(path);
            }
        }
    }
}
