package io.coldframe.testkit;

import java.io.IOException;
import java.util.Map;

import io.coldframe.archiver.ArchiverConfig;
import io.coldframe.archiver.ArchiverWorker;
import io.coldframe.purger.Purger;
import io.coldframe.purger.PurgerConfig;

/**
 * Runs one archiver worker or the purger in this JVM, configured from the environment ({@code COLDFRAME_*}) as the
 * services' own mains are, and reporting each protocol step on stdout ({@link ProgressMarkers}). This is what
 * {@code coldframe chaos} launches and kills: {@code java -cp <class path> io.coldframe.testkit.ServiceMain archiver|purger}.
 */
public final class ServiceMain {

    private ServiceMain() {
    }

    public static void main(String[] args) throws IOException {
        if (args.length != 1) {
            System.err.println("usage: ServiceMain archiver|purger");
            System.exit(2);
        }
        run(args[0], ProgressMarkers.Gate.OPEN);
    }

    /** Runs the service until it is stopped (SIGTERM closes it cleanly) or killed; steps pass through {@code gate}. */
    public static void run(String service, ProgressMarkers.Gate gate) throws IOException {
        ProgressMarkers markers = new ProgressMarkers(System.out, gate);
        switch (service) {
            case "archiver" -> {
                ArchiverWorker worker = new ArchiverWorker(ArchiverConfig.load(Map.of()), markers.archiver());
                Runtime.getRuntime().addShutdownHook(new Thread(worker::close, "archiver-shutdown"));
                worker.run();
            }
            case "purger" -> {
                Purger purger = new Purger(PurgerConfig.load(Map.of()), markers.purger());
                Runtime.getRuntime().addShutdownHook(new Thread(purger::close, "purger-shutdown"));
                purger.run();
            }
            default -> throw new IllegalArgumentException("no service " + service + "; archiver or purger");
        }
    }
}
