package io.coldframe.cli;

import io.coldframe.cli.bench.BenchCommand;
import io.coldframe.cli.chaos.ChaosCommand;
import io.coldframe.cli.demo.DemoCommand;
import io.coldframe.cli.erase.EraseCommand;
import io.coldframe.cli.gc.GcCommand;
import io.coldframe.cli.imports.ImportCommand;
import io.coldframe.cli.mongo.MongoCommand;
import io.coldframe.cli.hotcache.HotCacheCommand;
import io.coldframe.cli.restore.RestoreCommand;
import io.coldframe.cli.retention.RetentionCommand;
import io.coldframe.cli.rules.RulesCommand;
import io.coldframe.cli.scrub.ScrubCommand;
import io.coldframe.cli.segment.SegmentCommand;
import io.coldframe.cli.up.UpCommand;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/** The coldframe command line. */
@Command(name = "coldframe", mixinStandardHelpOptions = true, version = "coldframe 0.1.0",
        description = "Keeps AI-agent memory in MongoDB cheap without ever losing it.",
        subcommands = {DemoCommand.class, SegmentCommand.class, RestoreCommand.class, RulesCommand.class, BenchCommand.class,
            ChaosCommand.class, GcCommand.class, EraseCommand.class, ScrubCommand.class, UpCommand.class, MongoCommand.class, ImportCommand.class,
            HotCacheCommand.class, RetentionCommand.class})
public final class ColdframeCli {

    public static void main(String[] args) {
        int exitCode;
        try {
            exitCode = new CommandLine(new ColdframeCli()).execute(args);
        } catch (Throwable e) {
            // an Error (a broken class path, out of memory) escapes picocli; the embedded stack's threads would then keep
            // the JVM up for ever: say why and exit instead
            e.printStackTrace();
            exitCode = 1;
        }
        System.exit(exitCode);
    }
}
