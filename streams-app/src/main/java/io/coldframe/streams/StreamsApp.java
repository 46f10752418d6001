package io.coldframe.streams;

import java.io.IOException;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CountDownLatch;

import org.apache.kafka.streams.KafkaStreams;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.micrometer.core.instrument.binder.jvm.JvmGcMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.core.instrument.binder.kafka.KafkaStreamsMetrics;
import io.micrometer.core.instrument.binder.system.ProcessorMetrics;

import io.coldframe.streams.rules.RuleSet;

/**
 * Entry point of the tiering service: runs the tiering topology with exactly-once v2 until stopped, and serves
 * its metrics (tiering, Kafka Streams client, JVM) on {@code GET /metrics} at {@code metrics.port}.
 */
public final class StreamsApp implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(StreamsApp.class);

    private final StreamsAppConfig config;
    private final TieringMetrics metrics;
    private final KafkaStreams streams;
    private final KafkaStreamsMetrics streamsMetrics;
    private final JvmGcMetrics gcMetrics;
    private MetricsServer metricsServer;

    public StreamsApp(StreamsAppConfig config) {
        this.config = config;
        this.metrics = TieringMetrics.prometheus();
        RuleSet rules = config.rules();
        LOG.info("tiering rules from {}: {} rules, fingerprint {}{}", rules.source(), rules.rules().size(),
                rules.fingerprint().substring(0, 12), rules.overrides().isEmpty() ? "" : ", overrides " + rules.overrides());
        this.streams = new KafkaStreams(
                TieringTopology.build(config.topics(), config.policy(), config.punctuationInterval(), config.maxDuePerPunctuation(),
                        config.censusPerPunctuation(), metrics),
                config.streamsProperties());
        streams.setUncaughtExceptionHandler(e -> {
            LOG.error("tiering stream thread failed; replacing it", e);
            return org.apache.kafka.streams.errors.StreamsUncaughtExceptionHandler.StreamThreadExceptionResponse.REPLACE_THREAD;
        });
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
            try {
                metricsServer = MetricsServer.start(port, metrics::scrape);
                LOG.info("Prometheus metrics on http://0.0.0.0:{}/metrics", metricsServer.port());
            } catch (IOException e) {
                // Tiering matters more than its metrics: keep running, readable in-process through metrics().
                LOG.error("cannot serve metrics on port {} ({}); set {} to a free port, or 0 to disable", port, e.getMessage(),
                        StreamsAppConfig.METRICS_PORT);
            }
        }
        streams.start();
    }

    public KafkaStreams.State state() {
        return streams.state();
    }

    /** The tiering meters and the registry that also holds the Kafka Streams and JVM meters. */
    public TieringMetrics metrics() {
        return metrics;
    }

    /** Port the metrics endpoint listens on; -1 when it is not serving. */
    public int metricsPort() {
        return metricsServer == null ? -1 : metricsServer.port();
    }

    @Override
    public void close() {
        streams.close(Duration.ofSeconds(30));
        if (metricsServer != null) {
            metricsServer.close();
        }
        streamsMetrics.close();
        gcMetrics.close();
    }

    public static void main(String[] args) throws InterruptedException {
        StreamsApp app = new StreamsApp(StreamsAppConfig.load(Map.of()));
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            app.close();
            stopped.countDown();
        }, "streams-app-shutdown"));
        app.start();
        stopped.await();
    }
}
