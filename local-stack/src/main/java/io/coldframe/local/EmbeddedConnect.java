package io.coldframe.local;

import io.coldframe.common.RecordSizes;
import io.coldframe.connectors.ConnectorPlugins;

import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import org.apache.kafka.common.config.provider.EnvVarConfigProvider;
import org.apache.kafka.common.utils.Time;
import org.apache.kafka.connect.connector.policy.ConnectorClientConfigOverridePolicy;
import org.apache.kafka.connect.connector.policy.NoneConnectorClientConfigOverridePolicy;
import org.apache.kafka.connect.errors.NotFoundException;
import org.apache.kafka.connect.json.JsonConverter;
import org.apache.kafka.connect.json.JsonConverterConfig;
import org.apache.kafka.connect.runtime.Connect;
import org.apache.kafka.connect.runtime.Herder;
import org.apache.kafka.connect.runtime.Worker;
import org.apache.kafka.connect.runtime.WorkerConfig;
import org.apache.kafka.connect.runtime.isolation.Plugins;
import org.apache.kafka.connect.runtime.rest.ConnectRestServer;
import org.apache.kafka.connect.runtime.rest.RestClient;
import org.apache.kafka.connect.runtime.rest.entities.ConfigInfos;
import org.apache.kafka.connect.runtime.rest.entities.ConnectorStateInfo;
import org.apache.kafka.connect.runtime.standalone.StandaloneConfig;
import org.apache.kafka.connect.runtime.standalone.StandaloneHerder;
import org.apache.kafka.connect.storage.FileOffsetBackingStore;
import org.apache.kafka.connect.storage.OffsetBackingStore;
import org.apache.kafka.connect.storage.StringConverter;
import org.apache.kafka.connect.util.FutureCallback;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A Kafka Connect standalone worker in this JVM, wired the way {@code connect-standalone} wires it (plugins,
 * REST server on a free loopback port, file offset store, standalone herder) but without its
 * exit-the-JVM-on-failure path. The MongoDB connector is loaded as an isolated plugin from {@code plugin.path}
 * (extracted from coldframe-connectors unless given). The extracted plugin carries a ServiceLoader manifest the
 * connector jar lacks, so the worker uses {@code service_load} discovery and skips the slow reflective scan.
 */
public final class EmbeddedConnect implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(EmbeddedConnect.class);

    private final Path workDir;
    private final boolean deleteWorkDir;
    private final Connect<StandaloneHerder> connect;

    private EmbeddedConnect(Path workDir, boolean deleteWorkDir, Connect<StandaloneHerder> connect) {
        this.workDir = workDir;
        this.deleteWorkDir = deleteWorkDir;
        this.connect = connect;
    }

    public static Builder builder(String bootstrapServers) {
        return new Builder(bootstrapServers);
    }

    /** Registers (or replaces) a connector; it starts asynchronously, see {@link #awaitRunning}. */
    public void putConnector(String name, Map<String, String> config) {
        Map<String, String> withName = new LinkedHashMap<>(config);
        withName.put("name", name);
        FutureCallback<Herder.Created<?>> callback = new FutureCallback<>();
        connect.herder().putConnectorConfig(name, withName, true, callback::onCompletion);
        try {
            callback.get(60, TimeUnit.SECONDS);
        } catch (ExecutionException e) {
            throw new IllegalStateException("Connector " + name + " rejected: " + e.getCause().getMessage(), e.getCause());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("Interrupted registering connector " + name, e);
        } catch (TimeoutException e) {
            throw new IllegalStateException("Timed out registering connector " + name, e);
        }
    }

    /** Registers the connector and waits until it and all its tasks are RUNNING. */
    public void startConnector(String name, Map<String, String> config, Duration timeout) {
        putConnector(name, config);
        awaitRunning(name, timeout);
    }

    public void deleteConnector(String name) {
        FutureCallback<Herder.Created<?>> callback = new FutureCallback<>();
        connect.herder().deleteConnectorConfig(name, callback::onCompletion);
        try {
            callback.get(60, TimeUnit.SECONDS);
        } catch (ExecutionException e) {
            throw new IllegalStateException("Cannot delete connector " + name, e.getCause());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("Interrupted deleting connector " + name, e);
        } catch (TimeoutException e) {
            throw new IllegalStateException("Timed out deleting connector " + name, e);
        }
    }

    /**
     * Validates a connector config as {@code PUT /connector-plugins/<class>/config/validate} does: the connector's
     * own checks (the MongoDB connector connects to MongoDB for them) plus Connect's (converters, errors.*,
     * topic.creation.*, client overrides).
     */
    public ConfigInfos validate(String name, Map<String, String> config) {
        Map<String, String> withName = new LinkedHashMap<>(config);
        withName.put("name", name);
        FutureCallback<ConfigInfos> callback = new FutureCallback<>();
        connect.herder().validateConnectorConfig(withName, callback::onCompletion);
        try {
            return callback.get(60, TimeUnit.SECONDS);
        } catch (ExecutionException e) {
            throw new IllegalStateException("Cannot validate connector config: " + e.getCause().getMessage(), e.getCause());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("Interrupted validating connector config", e);
        } catch (TimeoutException e) {
            throw new IllegalStateException("Timed out validating connector config", e);
        }
    }

    /** The connector's and its tasks' states, as {@code GET /connectors/<name>/status} shows them. */
    public ConnectorStateInfo status(String name) {
        return connect.herder().connectorStatus(name);
    }

    /**
     * Waits until the connector and at least one task, and every task it has, are RUNNING. Fails at once when the
     * connector or a task is FAILED, with the worker's stack trace in the message.
     */
    public void awaitRunning(String name, Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        String last = "not registered";
        while (System.nanoTime() < deadline) {
            try {
                ConnectorStateInfo info = status(name);
                last = describe(info);
                Optional<String> failure = failure(name, info);
                if (failure.isPresent()) {
                    throw new IllegalStateException(failure.get());
                }
                List<ConnectorStateInfo.TaskState> tasks = info.tasks();
                if ("RUNNING".equals(info.connector().state()) && !tasks.isEmpty()
                        && tasks.stream().allMatch(t -> "RUNNING".equals(t.state()))) {
                    return;
                }
            } catch (NotFoundException e) {
                last = "not found";
            }
            try {
                Thread.sleep(50);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("Interrupted waiting for connector " + name, e);
            }
        }
        throw new IllegalStateException("Connector " + name + " not RUNNING after " + timeout + ": " + last);
    }

    /**
     * Why the connector or one of its tasks is FAILED (the worker's stack trace), or empty while none is. A failed task
     * never restarts by itself: whoever waits for its output should stop waiting.
     */
    public Optional<String> failure(String name) {
        try {
            return failure(name, status(name));
        } catch (NotFoundException e) {
            return Optional.empty();
        }
    }

    private static Optional<String> failure(String name, ConnectorStateInfo info) {
        if ("FAILED".equals(info.connector().state())) {
            return Optional.of("Connector " + name + " FAILED: " + info.connector().trace());
        }
        for (ConnectorStateInfo.TaskState task : info.tasks()) {
            if ("FAILED".equals(task.state())) {
                return Optional.of("Connector " + name + " task " + task.id() + " FAILED: " + task.trace());
            }
        }
        return Optional.empty();
    }

    private static String describe(ConnectorStateInfo info) {
        StringBuilder s = new StringBuilder("connector ").append(info.connector().state()).append(", tasks [");
        for (ConnectorStateInfo.TaskState task : info.tasks()) {
            s.append(task.id()).append('=').append(task.state()).append(' ');
        }
        return s.append(']').toString();
    }

    /** The REST API, e.g. {@code http://127.0.0.1:40123/}. */
    public URI restUrl() {
        return connect.rest().advertisedUrl();
    }

    public StandaloneHerder herder() {
        return connect.herder();
    }

    /** Working directory holding the offsets file. */
    public Path workDir() {
        return workDir;
    }

    @Override
    public void close() {
        try {
            connect.stop();
            connect.awaitStop();
        } catch (RuntimeException e) {
            LOG.warn("Connect worker shutdown failed", e);
        } finally {
            if (deleteWorkDir) {
                Ports.deleteRecursively(workDir);
            }
        }
    }

    public static final class Builder {
        private final String bootstrapServers;
        private final Map<String, String> overrides = new LinkedHashMap<>();
        private Path pluginPath;
        private Path workDir;

        private Builder(String bootstrapServers) {
            this.bootstrapServers = bootstrapServers;
        }

        /** Directory to use as {@code plugin.path}; by default the MongoDB connector is extracted into workDir. */
        public Builder pluginPath(Path pluginPath) {
            this.pluginPath = pluginPath;
            return this;
        }

        /** Keeps offsets (and plugins) in this directory, not deleted on close, so a new worker resumes. */
        public Builder workDir(Path workDir) {
            this.workDir = workDir;
            return this;
        }

        public Builder workerProperty(String key, String value) {
            overrides.put(key, value);
            return this;
        }

        public EmbeddedConnect start() {
            boolean deleteWorkDir = workDir == null;
            Path dir;
            try {
                dir = workDir != null ? Files.createDirectories(workDir) : Ports.tempDir("coldframe-connect");
            } catch (IOException e) {
                throw new IllegalStateException("Cannot create Connect work dir", e);
            }
            try {
                Path plugins = pluginPath != null ? pluginPath : ConnectorPlugins.extractMongoPlugin(dir.resolve("plugins"));
                Map<String, String> props = workerProperties(dir, plugins);
                props.putAll(overrides);
                return new EmbeddedConnect(dir, deleteWorkDir, startWorker(props));
            } catch (IOException | RuntimeException e) {
                if (deleteWorkDir) {
                    Ports.deleteRecursively(dir);
                }
                throw new IllegalStateException("Connect worker failed to start: " + e.getMessage(), e);
            }
        }

        private Map<String, String> workerProperties(Path dir, Path plugins) {
            Map<String, String> p = new LinkedHashMap<>();
            p.put(WorkerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
            p.put(WorkerConfig.KEY_CONVERTER_CLASS_CONFIG, StringConverter.class.getName());
            p.put(WorkerConfig.VALUE_CONVERTER_CLASS_CONFIG, StringConverter.class.getName());
            p.put(StandaloneConfig.OFFSET_STORAGE_FILE_FILENAME_CONFIG, dir.resolve("connect.offsets").toString());
            // Offsets (the change-stream resume token) reach the file at most this long after the records reach Kafka.
            p.put(WorkerConfig.OFFSET_COMMIT_INTERVAL_MS_CONFIG, "1000");
            p.put(WorkerConfig.PLUGIN_PATH_CONFIG, plugins.toString());
            // The change events' compression, set on the worker as deployed (connectors may not override it).
            p.put("producer.compression.type", "zstd");
            // As deployed: change events of documents up to MongoDB's 16 MiB, as Extended JSON (RecordSizes).
            RecordSizes.producerSettings(RecordSizes.DEFAULT_MAX_RECORD_BYTES)
                    .forEach((key, value) -> p.put("producer." + key, value.toString()));
            p.put(WorkerConfig.CONNECTOR_CLIENT_POLICY_CLASS_CONFIG, "None");
            // The connector jar itself has no META-INF/services manifest. The plugin dir extracted here carries one
            // (ConnectorPlugins.MANIFEST_JAR), so ServiceLoader discovery finds it without the 3-7 s reflective scan;
            // a plugin path given from outside may lack it, so that one is scanned.
            p.put(WorkerConfig.PLUGIN_DISCOVERY_CONFIG, pluginPath == null ? "service_load" : "hybrid_warn");
            p.put("listeners", "http://127.0.0.1:" + Ports.freeLoopbackPort());
            // Same provider the deployed connector config relies on (${env:MONGODB_URI}).
            p.put(WorkerConfig.CONFIG_PROVIDERS_CONFIG, "env");
            p.put(WorkerConfig.CONFIG_PROVIDERS_CONFIG + ".env.class", EnvVarConfigProvider.class.getName());
            return p;
        }

        private static Connect<StandaloneHerder> startWorker(Map<String, String> props) {
            Plugins plugins = new Plugins(props);
            // Connect swaps the thread's context class loader to its delegating loader while it builds the worker;
            // put ours back afterwards so this thread's later class loading is unaffected.
            ClassLoader previous = plugins.compareAndSwapWithDelegatingLoader();
            ConnectRestServer rest = null;
            try {
                StandaloneConfig config = new StandaloneConfig(props);
                RestClient restClient = new RestClient(config);
                rest = new ConnectRestServer(config.rebalanceTimeout(), restClient, config.originals());
                rest.initializeServer();
                URI url = rest.advertisedUrl();
                String workerId = url.getHost() + ":" + url.getPort();
                // As deployed (worker.properties): connectors may override none of the worker's client settings.
                ConnectorClientConfigOverridePolicy policy = new NoneConnectorClientConfigOverridePolicy();
                policy.configure(config.originalsStrings());
                OffsetBackingStore offsets = new FileOffsetBackingStore(plugins.newInternalConverter(true,
                        JsonConverter.class.getName(), Map.of(JsonConverterConfig.SCHEMAS_ENABLE_CONFIG, "false")));
                offsets.configure(config);
                Worker worker = new Worker(workerId, Time.SYSTEM, plugins, config, offsets, policy);
                StandaloneHerder herder = new StandaloneHerder(worker, config.kafkaClusterId(), policy);
                Connect<StandaloneHerder> connect = new Connect<>(herder, rest);
                try {
                    connect.start();
                } catch (RuntimeException e) {
                    connect.stop();
                    throw e;
                }
                return connect;
            } catch (RuntimeException e) {
                if (rest != null) {
                    try {
                        rest.stop();
                    } catch (RuntimeException ignored) {
                        // already failing
                    }
                }
                throw e;
            } finally {
                Plugins.compareAndSwapLoaders(previous);
            }
        }
    }
}
