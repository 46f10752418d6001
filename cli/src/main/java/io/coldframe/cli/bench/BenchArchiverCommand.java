package io.coldframe.cli.bench;

import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.Callable;

import io.coldframe.bench.ArchiverScaleBenchmark;
import io.coldframe.bench.Results;

import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code coldframe bench archiver}: {@link ArchiverScaleBenchmark}. */
@Command(name = "archiver", mixinStandardHelpOptions = true,
        description = "Archived docs/s with 1 and with 2 archiver worker JVMs on the same cold backlog; writes JSON.")
public final class BenchArchiverCommand implements Callable<Integer> {

    @Option(names = "--docs", defaultValue = "20000", description = "Memories to generate; ~90% become cold (default: ${DEFAULT-VALUE}).")
    int docs;

    @Option(names = "--out", required = true, description = "Write the result as JSON to this file.")
    Path out;

    @Option(names = "--partitions", defaultValue = "9",
            description = "Partitions of the benchmark's cold topic. It is keyed by agent (50 generated ones), and the range assignor "
                    + "gives two workers the first and the second half of the partitions: with 9 each half holds 25 agents, with the "
                    + "local stack's 4 it is 22/28, with 12 19/31 (default: ${DEFAULT-VALUE}).")
    int partitions;

    @Option(names = "--repeats", defaultValue = "1", description = "Runs per configuration; the JSON keeps all, the summary the best (default: ${DEFAULT-VALUE}).")
    int repeats;

    @Option(names = "--seed", defaultValue = "42", description = "Seed of the generated memories (default: ${DEFAULT-VALUE}).")
    long seed;

    @Option(names = "--no-pinned", description = "Skip the runs with each worker pinned to one core.")
    boolean noPinned;

    @Option(names = "--work-dir", description = "Child logs and segments go here (default: a fresh temporary directory).")
    Path workDir;

    @Option(names = "--note", description = "A remark to put into the JSON.")
    String note;

    @Override
    public Integer call() throws Exception {
        Map<String, Object> results = new ArchiverScaleBenchmark(
                new ArchiverScaleBenchmark.Settings(docs, partitions, repeats, seed, !noPinned, workDir, note), System.out::println).run();
        Results.write(out, results);
        System.out.println("result written to " + out);
        return 0;
    }
}
