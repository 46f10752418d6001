package io.coldframe.cli.retention;

import picocli.CommandLine.Command;

/** {@code coldframe retention run}: the cold tier's retention applied to the archive. */
@Command(name = "retention", mixinStandardHelpOptions = true,
        description = "The cold tier's retention (the rules' cold.retain) applied to the archive.",
        subcommands = {RetentionRunCommand.class})
public final class RetentionCommand {
}
