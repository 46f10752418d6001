package io.coldframe.cli.up;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;

import io.coldframe.cli.DurationArgument;

import picocli.CommandLine.Option;

/** The archive service's options of the commands that serve it ({@code up}, {@code demo --serve}), as a picocli mixin. */
public final class ServiceOptions {

    @Option(names = "--host", defaultValue = "127.0.0.1", description = "Address the archive service listens on (default: ${DEFAULT-VALUE}).")
    String host;

    @Option(names = "--port", defaultValue = "8088", description = "Port of the archive service; 0 takes any free one (default: ${DEFAULT-VALUE}).")
    int port;

    @Option(names = "--token", description = "Write token of the archive service (restore, verify); without one it is read-only.")
    String token;

    @Option(names = "--stop-timeout", paramLabel = "DURATION", defaultValue = "45s", converter = DurationArgument.class,
            description = "After Ctrl-C, how long stopping may take before the command prints every thread's stack and halts "
                    + "(default: ${DEFAULT-VALUE}).")
    Duration stopTimeout;

    public Duration stopTimeout() {
        return stopTimeout;
    }

    /** The settings {@link LocalServices} runs with, for these options. */
    public LocalServices.Settings settings(Path workDir, Path archiveDir, int archiverWorkers,
                                           Map<String, String> streamsConfig) {
        return new LocalServices.Settings(workDir, archiveDir, archiverWorkers, host, port, token, streamsConfig);
    }
}
