package io.coldframe.streams;

import java.io.IOException;
import java.time.Duration;
import java.util.EnumSet;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicBoolean;

import org.apache.kafka.streams.KafkaStreams;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.micrometer.core.instrument.binder.jvm.JvmGcMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.core.instrument.binder.kafka.KafkaStreamsMetrics;
import io.micrometer.core.instrument.binder.system.ProcessorMetrics;

import io.coldframe.common.CommonConfigKeys;
import io.coldframe.common.KafkaConnection;
import io.coldframe.common.ops.KafkaHealth;
import io.coldframe.common.ops.OpsServer;
import io.coldframe.streams.rules.RuleSet;

/**
 * Entry point of the tiering service: runs the tiering topology and, as an application of its own, the tier analytics
 * ({@link StatsTopology}), both with exactly-once v2, until stopped, and serves the
 * ops endpoint ({@link OpsServer}) at {@code ops.port}: its metrics (tiering, Kafka Streams client, JVM) on
 * {@code GET /metrics}, {@code /health/live} (the tiering Kafka Streams client has not failed or stopped) and
 * {@code /health/ready} (Kafka answers, the tiering client is RUNNING or REBALANCING and the analytics have not failed).
 * Analytics that failed for good never stop tiering: they are logged and fail readiness until the process restarts.
 */
public final class StreamsApp implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(StreamsApp.class);
    /** States of a Kafka Streams client that will not process again by itself: not live. */
    private static final Set<KafkaStreams.State> DEAD =
            EnumSet.of(KafkaStreams.State.PENDING_ERROR, KafkaStreams.State.ERROR, KafkaStreams.State.NOT_RUNNING);

    private final StreamsAppConfig config;
    private final TieringMetrics metrics;
    private final KafkaRestoreHolds restoreHolds;
    private final KafkaStreams streams;
    /** The tier analytics ({@link StatsTopology}), its own application; null when {@code stats.enabled} is false. */
    private final KafkaStreams stats;
    private final KafkaStreamsMetrics streamsMetrics;
    private final JvmGcMetrics gcMetrics;
    private final CountDownLatch failed = new CountDownLatch(1);
    private final AtomicBoolean closed = new AtomicBoolean();
    private OpsServer opsServer;

    public StreamsApp(StreamsAppConfig config) {
        this.config = config;
        this.metrics = TieringMetrics.prometheus();
        RuleSet rules = config.rules();
        LOG.info("tiering rules from {}: {} rules, fingerprint {}{}", rules.source(), rules.rules().size(),
                rules.fingerprint().substring(0, 12), rules.overrides().isEmpty() ? "" : ", overrides " + rules.overrides());
        this.restoreHolds = new KafkaRestoreHolds(KafkaConnection.from(config), config.topics().restores());
        this.streams = new KafkaStreams(
                TieringTopology.build(config.topics(), config.policy(), config.punctuationInterval(), config.maxDuePerPunctuation(),
                        config.censusPerPunctuation(), metrics, restoreHolds, config.maxChangeBytes()),
                config.streamsProperties());
        streams.setUncaughtExceptionHandler(config.threadFailures());
        streams.setStateListener((state, previous) -> {
            if (state == KafkaStreams.State.ERROR) {
                failed.countDown();
            }
        });
        if (config.statsEnabled()) {
            this.stats = new KafkaStreams(StatsTopology.build(config.topics(), config.statsRetention()), config.statsProperties());
            stats.setUncaughtExceptionHandler(config.threadFailures());
            stats.setStateListener((state, previous) -> {
                if (state == KafkaStreams.State.ERROR) {
                    LOG.error("the tier analytics ({}) stopped for good; tiering goes on, /health/ready answers 503 until a restart",
                            config.statsApplicationId());
                }
            });
        } else {
            this.stats = null;
        }
        this.streamsMetrics = new KafkaStreamsMetrics(streams);
        streamsMetrics.bindTo(metrics.registry());
        new JvmMemoryMetrics().bindTo(metrics.registry());
        new JvmThreadMetrics().bindTo(metrics.registry());
        new ProcessorMetrics().bindTo(metrics.registry());
        this.gcMetrics = new JvmGcMetrics();
        gcMetrics.bindTo(metrics.registry());
    }

    public void start() {
        int port = config.metricsPort();
        if (port > 0) {
            KafkaHealth kafka = new KafkaHealth(KafkaConnection.from(config));
            try {
                OpsServer.Builder ops = OpsServer.builder("streams-app").scrape(metrics::scrape)
                        .liveness(() -> !DEAD.contains(streams.state()))
                        .readiness("kafka", kafka)
                        .readiness("streams", timeout -> {
                            KafkaStreams.State state = streams.state();
                            if (state != KafkaStreams.State.RUNNING && state != KafkaStreams.State.REBALANCING) {
                                throw new IllegalStateException("Kafka Streams is " + state);
                            }
                        });
                if (stats != null) {
                    ops.readiness("analytics", timeout -> {
                        if (DEAD.contains(stats.state())) {
                            throw new IllegalStateException("the tier analytics' Kafka Streams is " + stats.state());
                        }
                    });
                }
                opsServer = ops.closing(kafka)
                        .start(config.getString(CommonConfigKeys.OPS_BIND_ADDRESS), port);
            } catch (IOException e) {
                // Tiering matters more than its metrics: keep running, readable in-process through metrics().
                LOG.error("cannot serve the ops endpoint on port {} ({}); set {} to a free port, or 0 to disable", port, e.getMessage(),
                        CommonConfigKeys.OPS_PORT);
            }
        }
        restoreHolds.start();
        streams.start();
        if (stats != null) {
            stats.start();
        }
    }

    public KafkaStreams.State state() {
        return streams.state();
    }

    /** The tiering meters and the registry that also holds the Kafka Streams and JVM meters. */
    public TieringMetrics metrics() {
        return metrics;
    }

    /** Port the ops endpoint (metrics, health) listens on; -1 when it is not serving. */
    public int metricsPort() {
        return opsServer == null ? -1 : opsServer.port();
    }

    @Override
    public void close() {
        if (!closed.compareAndSet(false, true)) {
            return; // the shutdown hook of serve() and an owner may both close it
        }
        streams.close(Duration.ofSeconds(30));
        if (stats != null) {
            stats.close(Duration.ofSeconds(30));
        }
        restoreHolds.close();
        if (opsServer != null) {
            opsServer.close();
        }
        streamsMetrics.close();
        gcMetrics.close();
    }

    /**
     * Runs the app until it is stopped (0) or Kafka Streams failed for good (1: it reached ERROR). The ops endpoint
     * stays up after a failure, answering {@code /health/live} 503, until the process exits.
     */
    public static int serve(StreamsApp app) throws InterruptedException {
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            app.close();
            stopped.countDown();
            app.failed.countDown();
        }, "streams-app-shutdown"));
        app.start();
        app.failed.await();
        if (stopped.getCount() == 0) {
            return 0;
        }
        LOG.error("Kafka Streams is {}: tiering stopped; exiting 1", app.state());
        return 1;
    }

    public static void main(String[] args) throws InterruptedException {
        int code = serve(new StreamsApp(StreamsAppConfig.load(Map.of())));
        if (code != 0) {
            System.exit(code);
        }
    }
}
