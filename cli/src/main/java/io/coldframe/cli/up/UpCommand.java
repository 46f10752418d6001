package io.coldframe.cli.up;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.Callable;

import io.coldframe.local.LocalStack;

import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code coldframe up}: the embedded stack and every service, up until interrupted. */
@Command(name = "up", mixinStandardHelpOptions = true,
        description = {"Starts the embedded stack (KRaft broker, Kafka Connect with the MongoDB connector, the in-JVM MongoDB stand-in "
                + "unless --mongo-uri) and every service (tiering, archivers, purger, the archive service), prints one line per "
                + "endpoint (mongodb:, kafka:, connect:, archive:, service:) and stays up until interrupted (Ctrl-C).",
                "Other commands can target what it printed, e.g. coldframe restore --mongo-uri <mongodb> --bootstrap-servers <kafka> "
                        + "--archive-dir <archive>."})
public final class UpCommand implements Callable<Integer> {

    @Option(names = "--mongo-uri", description = "Use this MongoDB (a replica set) instead of the in-JVM stand-in. Default: $MONGODB_URI if set.")
    String mongoUri;

    @Option(names = "--archive-dir", description = "Store segments here (default: a fresh temporary directory).")
    Path archiveDir;

    @Option(names = "--workers", defaultValue = "2", description = "Archiver workers (default: ${DEFAULT-VALUE}).")
    int workers;

    @Mixin
    ServiceOptions service;

    @Override
    public Integer call() throws Exception {
        Path workDir = Files.createTempDirectory("coldframe-up");
        Path archive = archiveDir != null ? archiveDir : workDir.resolve("archive");
        String uri = mongoUri != null ? mongoUri : System.getenv("MONGODB_URI");
        System.out.println("starting the embedded stack and every service ...");
        LocalStack stack = LocalStack.builder().mongoUri(uri).start();
        LocalServices services;
        try {
            services = LocalServices.start(stack, service.settings(workDir, archive, workers, Map.of()));
        } catch (RuntimeException e) {
            stack.close();
            throw e;
        }
        services.printEndpoints(System.out);
        services.serveUntilInterrupted(System.out, stack, service.stopTimeout());
        return 0;
    }
}
