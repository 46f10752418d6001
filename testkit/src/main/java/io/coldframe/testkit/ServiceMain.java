package io.coldframe.testkit;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.CountDownLatch;

import org.apache.kafka.streams.KafkaStreams;

import io.coldframe.archiver.ArchiverConfig;
import io.coldframe.archiver.ArchiverWorker;
import io.coldframe.common.CommonConfigKeys;
import io.coldframe.common.ConfigLoader;
import io.coldframe.local.EmbeddedConnect;
import io.coldframe.purger.Purger;
import io.coldframe.purger.PurgerConfig;
import io.coldframe.streams.StreamsApp;
import io.coldframe.streams.StreamsAppConfig;

/**
 * Runs one coldframe service in this JVM, configured from the environment ({@code COLDFRAME_*}) as the services' own
 * mains are, and reporting each protocol step on stdout ({@link ProgressMarkers}). This is what {@code coldframe chaos}
 * launches and kills: {@code java -cp <class path> io.coldframe.testkit.ServiceMain archiver|purger|streams|connect}.
 * <ul>
 *   <li>{@code archiver}, {@code purger}: the worker; each protocol step is a marker.</li>
 *   <li>{@code streams}: the tiering streams app; marks {@code streamsRunning} each time Kafka Streams reaches RUNNING.</li>
 *   <li>{@code connect <connector.properties>}: a Kafka Connect standalone worker ({@link EmbeddedConnect}, offsets
 *   kept in {@value #CONNECT_DIR_ENV}) running the connector the file describes ({@code name=} plus its config); marks
 *   {@code connectorRunning} once connector and task run.</li>
 * </ul>
 * With {@value #HOLD_FILE_ENV} set, a step named in that file is held (after its marker is printed) while the file
 * still names it, at most {@link #MAX_HOLD}: the parent arms a step, sees the marker and kills the child right there.
 */
public final class ServiceMain {

    /** Environment variable naming the hold file: its content is the one step to hold at. */
    public static final String HOLD_FILE_ENV = "COLDFRAME_CHAOS_HOLD_FILE";
    /** Environment variable naming the Connect worker's directory (offsets, plugin). */
    public static final String CONNECT_DIR_ENV = "COLDFRAME_CHAOS_CONNECT_DIR";
    /** A held step goes on after this long even if nobody killed the child. */
    public static final Duration MAX_HOLD = Duration.ofSeconds(60);

    private ServiceMain() {
    }

    public static void main(String[] args) throws Exception {
        if (args.length < 1) {
            System.err.println("usage: ServiceMain archiver|purger|streams|connect <connector.properties>");
            System.exit(2);
        }
        String holdFile = System.getenv(HOLD_FILE_ENV);
        ProgressMarkers.Gate gate = holdFile == null || holdFile.isBlank() ? ProgressMarkers.Gate.OPEN : holdGate(Path.of(holdFile));
        switch (args[0]) {
            case "streams" -> runStreams(new ProgressMarkers(System.out, gate));
            case "connect" -> runConnect(Path.of(args[1]), new ProgressMarkers(System.out, gate));
            default -> run(args[0], gate);
        }
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
            default -> throw new IllegalArgumentException("no service " + service + "; archiver, purger, streams or connect");
        }
    }

    /** Holds a step while the hold file names it (checked every 20 ms), at most {@link #MAX_HOLD}. */
    static ProgressMarkers.Gate holdGate(Path file) {
        return (step, detail) -> {
            long deadline = System.nanoTime() + MAX_HOLD.toNanos();
            while (step.equals(read(file)) && System.nanoTime() < deadline) {
                try {
                    Thread.sleep(20);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return;
                }
            }
        };
    }

    private static String read(Path file) {
        try {
            return Files.readString(file, StandardCharsets.UTF_8).trim();
        } catch (NoSuchFileException e) {
            return "";
        } catch (IOException e) {
            return "";
        }
    }

    private static void runStreams(ProgressMarkers markers) throws InterruptedException {
        StreamsApp app = new StreamsApp(StreamsAppConfig.load(Map.of()));
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            app.close();
            stopped.countDown();
        }, "streams-shutdown"));
        app.start();
        KafkaStreams.State last = null;
        while (!stopped.await(100, java.util.concurrent.TimeUnit.MILLISECONDS)) {
            KafkaStreams.State state = app.state();
            if (state != last && state == KafkaStreams.State.RUNNING) {
                markers.step("streamsRunning", "");
            }
            last = state;
        }
    }

    private static void runConnect(Path connectorFile, ProgressMarkers markers) throws IOException, InterruptedException {
        Properties file = new Properties();
        try (InputStream in = Files.newInputStream(connectorFile)) {
            file.load(in);
        }
        Map<String, String> config = new LinkedHashMap<>();
        file.stringPropertyNames().forEach(key -> config.put(key, file.getProperty(key)));
        String name = config.remove("name");
        String bootstrap = System.getenv(ConfigLoader.envName(CommonConfigKeys.BOOTSTRAP_SERVERS));
        String dir = System.getenv(CONNECT_DIR_ENV);
        EmbeddedConnect connect = EmbeddedConnect.builder(bootstrap).workDir(Path.of(dir)).start();
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            connect.close();
            stopped.countDown();
        }, "connect-shutdown"));
        connect.startConnector(name, config, Duration.ofSeconds(120));
        markers.step("connectorRunning", name);
        stopped.await();
    }
}
