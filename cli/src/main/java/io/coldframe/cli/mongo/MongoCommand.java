package io.coldframe.cli.mongo;

import picocli.CommandLine.Command;

/** {@code coldframe mongo init}: the memory collection in MongoDB. */
@Command(name = "mongo", mixinStandardHelpOptions = true,
        description = "The memory collection in MongoDB.",
        subcommands = {MongoInitCommand.class})
public final class MongoCommand {
}
