package io.coldframe.cli;

import picocli.CommandLine.Command;

/**
 * {@code coldframe bench <benchmark>}: reproducible measurements that write their results as JSON (committed under
 * bench/results/, explained in bench/README.md). Add a benchmark by listing its command class in {@code subcommands}.
 */
@Command(name = "bench", mixinStandardHelpOptions = true,
        description = "Runs a benchmark and writes its results as JSON (see bench/README.md).",
        subcommands = {
            BenchSegmentCommand.class,
            // further benchmarks go here, e.g. BenchTieringCommand.class
        })
public final class BenchCommand {

    /** Runs the benchmarks on their own: {@code java -cp coldframe.jar io.coldframe.cli.BenchCommand segment --out r.json}. */
    public static void main(String[] args) {
        System.exit(new picocli.CommandLine(new BenchCommand()).execute(args));
    }
}
