package io.coldframe.cli.bench;

import picocli.CommandLine.Command;

/**
 * {@code coldframe bench <benchmark>}: reproducible measurements that write their results as JSON (committed under
 * bench/results/, explained in bench/README.md). Add a benchmark by listing its command class in {@code subcommands}.
 */
@Command(name = "bench", mixinStandardHelpOptions = true,
        description = "Runs a benchmark and writes its results as JSON (see bench/README.md).",
        subcommands = {BenchSegmentCommand.class, BenchTieringCommand.class, BenchArchiverCommand.class, BenchPipelineCommand.class,
                BenchArchiveReadCommand.class, BenchHotCacheCommand.class})
public final class BenchCommand {
}
