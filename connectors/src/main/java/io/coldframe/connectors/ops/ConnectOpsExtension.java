package io.coldframe.connectors.ops;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.management.ManagementFactory;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import javax.management.MBeanServer;
import javax.management.ObjectName;

import org.apache.kafka.connect.health.ConnectClusterState;
import org.apache.kafka.connect.health.ConnectorHealth;
import org.apache.kafka.connect.rest.ConnectRestExtension;
import org.apache.kafka.connect.rest.ConnectRestExtensionContext;
import org.bson.Document;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import com.mongodb.ConnectionString;
import com.mongodb.MongoClientSettings;
import com.mongodb.client.MongoClient;
import com.mongodb.client.MongoClients;

import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;

import io.coldframe.common.CommonConfigKeys;
import io.coldframe.common.KafkaConnection;
import io.coldframe.common.ops.KafkaHealth;
import io.coldframe.common.ops.OpsMetrics;
import io.coldframe.common.ops.OpsServer;

/**
 * Gives the Kafka Connect worker of the coldframe Connect image the same ops endpoint as every coldframe service
 * (on {@code ops.port}, beside the Connect REST API): a Connect REST extension, enabled with
 * {@code rest.extension.classes=io.coldframe.connectors.ops.ConnectOpsExtension}, loaded from its own plugin
 * directory. It serves
 * <ul>
 *   <li>{@code /health/live}: the worker runs;</li>
 *   <li>{@code /health/ready}: Kafka answers {@code describeCluster} and MongoDB (the connector's
 *       {@code MONGODB_URI}) answers {@code ping}. The connector's own state is deliberately not part of readiness:
 *       a worker with a FAILED task must stay reachable so that its REST API can restart the task;</li>
 *   <li>{@code /metrics}: JVM meters, {@code coldframe_connect_connector_running{connector}} (1 when the connector and
 *       all its tasks run), {@code coldframe_connect_tasks{connector,state}}, and the source tasks' record counters
 *       from Connect's own metrics ({@code coldframe_connect_source_records_polled_total},
 *       {@code coldframe_connect_source_records_written_total}).</li>
 * </ul>
 */
public final class ConnectOpsExtension implements ConnectRestExtension {

    private static final Logger LOG = LoggerFactory.getLogger(ConnectOpsExtension.class);
    private static final String SOURCE_TASK_METRICS = "kafka.connect:type=source-task-metrics,*";

    private final Map<String, String> environment;
    private Map<String, ?> workerConfig = Map.of();
    private OpsServer server;

    public ConnectOpsExtension() {
        this(System.getenv());
    }

    ConnectOpsExtension(Map<String, String> environment) {
        this.environment = environment;
    }

    @Override
    public void configure(Map<String, ?> configs) {
        this.workerConfig = Map.copyOf(configs);
    }

    @Override
    public void register(ConnectRestExtensionContext context) {
        Map<String, Object> explicit = new HashMap<>();
        Object bootstrap = workerConfig.get("bootstrap.servers");
        if (bootstrap != null) {
            explicit.put(CommonConfigKeys.BOOTSTRAP_SERVERS,
                    bootstrap instanceof List<?> list ? String.join(",", list.stream().map(String::valueOf).toList()) : bootstrap.toString());
        }
        // The worker's own security settings, so that readiness and lag reach a secured cluster as the worker does.
        for (String key : KafkaConnection.SECURITY_KEYS) {
            if (workerConfig.get(key) != null) {
                explicit.put(CommonConfigKeys.KAFKA_PREFIX + key, workerConfig.get(key));
            }
        }
        ConnectOpsConfig config = ConnectOpsConfig.load(explicit, environment);
        if (config.opsPort() == 0) {
            LOG.info("coldframe ops endpoint disabled (ops.port=0)");
            return;
        }
        PrometheusMeterRegistry registry = OpsMetrics.newRegistry();
        ConnectorMetrics connector = new ConnectorMetrics(registry, context.clusterState(), config.connectorName());
        KafkaHealth kafka = new KafkaHealth(KafkaConnection.from(config));
        OpsServer.Builder builder = OpsServer.builder("connect").registry(registry)
                .readiness("kafka", kafka)
                .beforeScrape(connector::refresh)
                .closing(kafka).closing(OpsMetrics.bindJvm(registry));
        String mongoUri = environment.get(ConnectOpsConfig.MONGODB_URI_ENV);
        if (mongoUri != null && !mongoUri.isBlank()) {
            MongoClient mongo = pingClient(mongoUri, OpsServer.DEFAULT_CHECK_TIMEOUT);
            builder.readiness("mongodb", timeout -> mongo.getDatabase("admin").runCommand(new Document("ping", 1))).closing(mongo);
        } else {
            LOG.warn("{} is not set: the connector cannot start, and readiness does not check MongoDB", ConnectOpsConfig.MONGODB_URI_ENV);
        }
        try {
            server = builder.start(config.opsBindAddress(), config.opsPort());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static MongoClient pingClient(String uri, Duration timeout) {
        long ms = timeout.toMillis();
        return MongoClients.create(MongoClientSettings.builder()
                .applyConnectionString(new ConnectionString(uri))
                .applicationName("coldframe-connect-health")
                .applyToClusterSettings(cluster -> cluster.serverSelectionTimeout(ms, TimeUnit.MILLISECONDS))
                .applyToSocketSettings(socket -> socket.connectTimeout((int) ms, TimeUnit.MILLISECONDS).readTimeout((int) ms, TimeUnit.MILLISECONDS))
                .applyToConnectionPoolSettings(pool -> pool.maxSize(1))
                .build());
    }

    /** The port the ops endpoint listens on, -1 when it is not serving. */
    public int opsPort() {
        return server == null ? -1 : server.port();
    }

    @Override
    public void close() {
        if (server != null) {
            server.close();
            server = null;
        }
    }

    @Override
    public String version() {
        String version = ConnectOpsExtension.class.getPackage().getImplementationVersion();
        return version == null ? "unknown" : version;
    }

    /** The connector's state from the herder, and the source tasks' record counters from Connect's JMX metrics. */
    private static final class ConnectorMetrics {

        private static final List<String> STATES = List.of("RUNNING", "PAUSED", "STOPPED", "FAILED", "UNASSIGNED", "RESTARTING");

        private final PrometheusMeterRegistry registry;
        private final ConnectClusterState cluster;
        private final String connector;
        private final AtomicInteger running = new AtomicInteger();
        private final Map<String, AtomicInteger> tasks = new ConcurrentHashMap<>();
        private final Set<ObjectName> bound = ConcurrentHashMap.newKeySet();
        private final MBeanServer mbeans = ManagementFactory.getPlatformMBeanServer();

        ConnectorMetrics(PrometheusMeterRegistry registry, ConnectClusterState cluster, String connector) {
            this.registry = registry;
            this.cluster = cluster;
            this.connector = connector;
            Gauge.builder("coldframe.connect.connector.running", running, AtomicInteger::get)
                    .description("1 when the coldframe source connector and all its tasks are RUNNING, else 0")
                    .tag("connector", connector).register(registry);
            for (String state : STATES) {
                AtomicInteger count = new AtomicInteger();
                tasks.put(state, count);
                Gauge.builder("coldframe.connect.tasks", count, AtomicInteger::get).description("Tasks of the connector by state")
                        .tag("connector", connector).tag("state", state.toLowerCase(Locale.ROOT)).register(registry);
            }
        }

        void refresh() {
            tasks.values().forEach(count -> count.set(0));
            try {
                ConnectorHealth health = cluster.connectorHealth(connector);
                health.tasksState().values().forEach(task -> {
                    AtomicInteger count = tasks.get(task.state());
                    if (count != null) {
                        count.incrementAndGet();
                    }
                });
                boolean allRunning = "RUNNING".equals(health.connectorState().state()) && !health.tasksState().isEmpty()
                        && health.tasksState().values().stream().allMatch(task -> "RUNNING".equals(task.state()));
                running.set(allRunning ? 1 : 0);
            } catch (RuntimeException e) {
                // Not registered yet, or the herder is not ready: not running.
                running.set(0);
            }
            bindSourceTaskCounters();
        }

        private void bindSourceTaskCounters() {
            try {
                for (ObjectName name : mbeans.queryNames(new ObjectName(SOURCE_TASK_METRICS), null)) {
                    if (bound.add(name)) {
                        counter(name, "source-record-poll-total", "coldframe.connect.source.records.polled",
                                "Records the source task polled from MongoDB (after transformations)");
                        counter(name, "source-record-write-total", "coldframe.connect.source.records.written",
                                "Records the source task's producer wrote to Kafka");
                    }
                }
            } catch (javax.management.JMException e) {
                LOG.debug("cannot read Connect's source task metrics", e);
            }
        }

        private void counter(ObjectName name, String attribute, String meter, String description) {
            FunctionCounter.builder(meter, name, n -> {
                        try {
                            return ((Number) mbeans.getAttribute(n, attribute)).doubleValue();
                        } catch (Exception e) {
                            return Double.NaN;
                        }
                    })
                    .description(description)
                    .tag("connector", String.valueOf(name.getKeyProperty("connector")))
                    .tag("task", String.valueOf(name.getKeyProperty("task")))
                    .register(registry);
        }
    }
}
