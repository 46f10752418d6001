package io.coldframe.cli.bench;

import java.nio.file.Path;
import java.util.concurrent.Callable;

import io.coldframe.bench.Results;
import io.coldframe.bench.TieringBenchmark;

import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code coldframe bench tiering}: the tiering benchmark ({@link TieringBenchmark}).
 */
@Command(name = "tiering", mixinStandardHelpOptions = true, sortOptions = false,
        description = {
            "Ingests N memories into the real tiering topology (RocksDB stores, default rules, driven in-process by a "
                    + "TopologyTestDriver), then times punctuations that each find a fraction F of the store due.",
            "Writes records, due, ingest_records_per_s, punctuation_ms, punctuation_records_per_s and more as JSON. "
                    + "Exit status 0 when every punctuation re-tiered exactly the memories that were due."})
public final class BenchTieringCommand implements Callable<Integer> {

    @Option(names = "--records", defaultValue = "100000", paramLabel = "N", description = "Memories to ingest (default: ${DEFAULT-VALUE}).")
    long records;

    @Option(names = "--due-fraction", defaultValue = "0.01", paramLabel = "F",
            description = "Fraction of the store due at each measured punctuation (default: ${DEFAULT-VALUE}).")
    double dueFraction;

    @Option(names = "--rounds", defaultValue = "9", description = "Measured punctuations; the median is reported (default: ${DEFAULT-VALUE}).")
    int rounds;

    @Option(names = "--out", paramLabel = "FILE.json", description = "Also write the result to this file.")
    Path out;

    @Option(names = "--state-dir", paramLabel = "DIR", description = "Keep the RocksDB stores here (default: a temporary directory, deleted).")
    Path stateDir;

    @Override
    public Integer call() throws Exception {
        TieringBenchmark.Result result = TieringBenchmark.run(records, dueFraction, rounds, stateDir, System.err::println);
        System.out.println(Results.toJson(result.toMap()));
        if (out != null) {
            Results.write(out, result.toMap());
            System.err.println("written to " + out);
        }
        return result.verified() ? 0 : 1;
    }
}
