package io.coldframe.local;

import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.stream.Collectors;

import kafka.server.KafkaConfig;
import kafka.server.KafkaRaftServer;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.common.KafkaFuture;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.errors.TopicExistsException;
import org.apache.kafka.common.utils.Time;
import org.apache.kafka.metadata.storage.Formatter;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.coldframe.common.KafkaConnection;

/**
 * A real Kafka broker in this JVM: one KRaft node acting as broker and controller, on loopback ports chosen at
 * start, with a temporary log directory. Every replication factor is 1 and the transaction state log accepts
 * min ISR 1, so transactional producers and Kafka Streams {@code exactly_once_v2} work.
 *
 * <p>Optionally secured ({@link Builder#scramUsers}), as compose/secure/docker-compose.secure.yml secures the compose
 * broker: every listener takes SASL_PLAINTEXT, the users authenticate with SCRAM-SHA-512, the super user
 * {@value #SUPER_USER} (the node itself, to itself and its controller) with PLAIN, and the {@code StandardAuthorizer}
 * denies whatever no ACL allows. {@link #connection()} is then the super user, {@link #connection(String)} a user.
 *
 * <p>{@link #stop()} and {@link #start()} restart the same node on the same ports and data (for fault tests);
 * {@link #close()} stops it and deletes the directory.
 */
public final class EmbeddedKafka implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(EmbeddedKafka.class);
    private static final int NODE_ID = 1;
    private static final String CONTROLLER_LISTENER = "CONTROLLER";
    public static final String SUPER_USER = "admin";
    public static final String SCRAM_MECHANISM = "SCRAM-SHA-512";
    private static final String SUPER_USER_MECHANISM = "PLAIN";

    private final Path workDir;
    private final boolean deleteWorkDir;
    private final int brokerPort;
    private final int controllerPort;
    private final KafkaConfig config;
    private final String clusterId = Uuid.randomUuid().toString();
    /** User to password, the super user included; empty without security. */
    private final Map<String, String> scramUsers;
    private KafkaRaftServer server;
    private boolean closed;

    private EmbeddedKafka(Builder builder) throws IOException {
        this.deleteWorkDir = builder.workDir == null;
        this.workDir = builder.workDir != null ? builder.workDir : Ports.tempDir("coldframe-kafka");
        this.brokerPort = builder.brokerPort > 0 ? builder.brokerPort : Ports.freeLoopbackPort();
        this.controllerPort = builder.controllerPort > 0 ? builder.controllerPort : Ports.freeLoopbackPort(brokerPort);
        this.scramUsers = builder.scramUsers.isEmpty() ? Map.of() : withSuperUser(builder.scramUsers);
        Map<String, String> props = brokerProperties(workDir.resolve("data").toString());
        props.putAll(builder.overrides);
        this.config = new KafkaConfig(props, false);
    }

    public static Builder builder() {
        return new Builder();
    }

    private static Map<String, String> withSuperUser(Map<String, String> users) {
        Map<String, String> all = new LinkedHashMap<>(users);
        all.putIfAbsent(SUPER_USER, Uuid.randomUuid().toString());
        return Map.copyOf(all);
    }

    private boolean secured() {
        return !scramUsers.isEmpty();
    }

    private Map<String, String> brokerProperties(String logDir) {
        String loopback = "127.0.0.1";
        String listener = secured() ? "SASL_PLAINTEXT" : "PLAINTEXT";
        Map<String, String> p = new LinkedHashMap<>();
        p.put("process.roles", "broker,controller");
        p.put("node.id", String.valueOf(NODE_ID));
        p.put("controller.quorum.voters", NODE_ID + "@" + loopback + ":" + controllerPort);
        p.put("listeners", listener + "://" + loopback + ":" + brokerPort + "," + CONTROLLER_LISTENER + "://" + loopback + ":" + controllerPort);
        p.put("advertised.listeners", listener + "://" + loopback + ":" + brokerPort);
        p.put("controller.listener.names", CONTROLLER_LISTENER);
        p.put("inter.broker.listener.name", listener);
        p.put("listener.security.protocol.map", listener + ":" + listener + "," + CONTROLLER_LISTENER + ":" + listener);
        if (secured()) {
            p.putAll(securityProperties(listener));
        }
        p.put("log.dirs", logDir);
        // One node: every replication factor and min ISR is 1, including the internal topics.
        p.put("default.replication.factor", "1");
        p.put("min.insync.replicas", "1");
        p.put("offsets.topic.replication.factor", "1");
        p.put("transaction.state.log.replication.factor", "1");
        p.put("transaction.state.log.min.isr", "1");
        p.put("share.coordinator.state.topic.replication.factor", "1");
        p.put("share.coordinator.state.topic.min.isr", "1");
        // Small internal topics start fast (defaults are 50 partitions each); a single node gains nothing from more.
        p.put("offsets.topic.num.partitions", "1");
        p.put("transaction.state.log.num.partitions", "1");
        p.put("group.initial.rebalance.delay.ms", "0");
        p.put("num.partitions", "1");
        // Sized for a 2-core machine and a few MB of data.
        p.put("num.network.threads", "2");
        p.put("num.io.threads", "2");
        p.put("num.recovery.threads.per.data.dir", "1");
        p.put("background.threads", "2");
        p.put("log.cleaner.dedupe.buffer.size", String.valueOf(4L * 1024 * 1024));
        p.put("log.cleaner.threads", "1");
        return p;
    }

    private Map<String, String> securityProperties(String listener) {
        Map<String, String> p = new LinkedHashMap<>();
        String clients = "listener.name." + listener.toLowerCase(Locale.ROOT) + ".";
        String controller = "listener.name." + CONTROLLER_LISTENER.toLowerCase(Locale.ROOT) + ".";
        p.put("sasl.enabled.mechanisms", SCRAM_MECHANISM + "," + SUPER_USER_MECHANISM);
        p.put(controller + "sasl.enabled.mechanisms", SUPER_USER_MECHANISM);
        // The node reaches itself (transaction markers) and its controller (registration, heartbeats) as the super user.
        p.put("sasl.mechanism.inter.broker.protocol", SUPER_USER_MECHANISM);
        p.put("sasl.mechanism.controller.protocol", SUPER_USER_MECHANISM);
        p.put(clients + "plain.sasl.jaas.config", superUserJaas());
        p.put(controller + "plain.sasl.jaas.config", superUserJaas());
        p.put(clients + SCRAM_MECHANISM.toLowerCase(Locale.ROOT) + ".sasl.jaas.config",
                "org.apache.kafka.common.security.scram.ScramLoginModule required;");
        p.put("authorizer.class.name", "org.apache.kafka.metadata.authorizer.StandardAuthorizer");
        p.put("allow.everyone.if.no.acl.found", "false");
        p.put("super.users", "User:" + SUPER_USER);
        return p;
    }

    /** The PLAIN server and client line of the super user: its password is both the one it checks and the one it sends. */
    private String superUserJaas() {
        String password = scramUsers.get(SUPER_USER);
        return "org.apache.kafka.common.security.plain.PlainLoginModule required username=\"" + SUPER_USER + "\" password=\""
                + password + "\" user_" + SUPER_USER + "=\"" + password + "\";";
    }

    private String jaas(String user) {
        return "org.apache.kafka.common.security.scram.ScramLoginModule required username=\"" + user + "\" password=\""
                + scramUsers.get(user) + "\";";
    }

    /** Starts (or restarts after {@link #stop()}) the node on the same ports and data directory. */
    public synchronized EmbeddedKafka start() {
        if (closed) {
            throw new IllegalStateException("closed");
        }
        if (server != null) {
            return this;
        }
        long t0 = System.nanoTime();
        try {
            formatStorageOnce();
            KafkaRaftServer raftServer = new KafkaRaftServer(config, Time.SYSTEM);
            try {
                raftServer.startup();
            } catch (RuntimeException e) {
                shutdownQuietly(raftServer);
                throw e;
            }
            server = raftServer;
        } catch (Exception e) {
            throw new IllegalStateException("Embedded Kafka failed to start on " + bootstrapServers(), e);
        }
        LOG.info("Embedded Kafka (KRaft) up at {} in {} ms", bootstrapServers(), TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0));
        return this;
    }

    private void formatStorageOnce() throws Exception {
        // As "kafka-storage format --ignore-formatted": a restart finds the directory formatted with this cluster id
        // and keeps its data.
        new Formatter()
                .setPrintStream(new PrintStream(OutputStream.nullOutputStream()))
                .setNodeId(NODE_ID)
                .setClusterId(clusterId)
                .setIgnoreFormatted(true)
                .setControllerListenerName(CONTROLLER_LISTENER)
                .setMetadataLogDirectory(config.metadataLogDir())
                .setHasDynamicQuorum(false)
                .setDirectories(config.logDirs())
                .setScramArguments(scramUsers.entrySet().stream().filter(user -> !user.getKey().equals(SUPER_USER))
                        .map(user -> SCRAM_MECHANISM + "=[name=" + user.getKey() + ",password=" + user.getValue() + "]").toList())
                .run();
    }

    /** Stops the node (controlled shutdown), keeping ports and data for {@link #start()}. */
    public synchronized void stop() {
        if (server == null) {
            return;
        }
        KafkaRaftServer stopping = server;
        server = null;
        shutdownQuietly(stopping);
    }

    private static void shutdownQuietly(KafkaRaftServer raftServer) {
        try {
            raftServer.shutdown();
            raftServer.awaitShutdown();
        } catch (RuntimeException e) {
            LOG.warn("Embedded Kafka shutdown failed", e);
        }
    }

    public synchronized boolean isRunning() {
        return server != null;
    }

    public String bootstrapServers() {
        return "127.0.0.1:" + brokerPort;
    }

    public int brokerPort() {
        return brokerPort;
    }

    public Path workDir() {
        return workDir;
    }

    /** How a client reaches this broker: plaintext, or as the super user when secured. */
    public KafkaConnection connection() {
        return secured() ? KafkaConnection.plaintext(bootstrapServers()).with(Map.of("security.protocol", "SASL_PLAINTEXT",
                "sasl.mechanism", SUPER_USER_MECHANISM, "sasl.jaas.config", superUserJaas())) : KafkaConnection.plaintext(bootstrapServers());
    }

    /** The secured broker as {@code user}, one of {@link Builder#scramUsers}. */
    public KafkaConnection connection(String user) {
        if (!scramUsers.containsKey(user) || user.equals(SUPER_USER)) {
            throw new IllegalArgumentException("no SCRAM user " + user + " on this broker");
        }
        return KafkaConnection.plaintext(bootstrapServers()).with(Map.of(
                "security.protocol", "SASL_PLAINTEXT", "sasl.mechanism", SCRAM_MECHANISM, "sasl.jaas.config", jaas(user)));
    }

    /** Client config with this broker's connection ({@link #connection()}); add to it what the client needs. */
    public Map<String, Object> clientConfig() {
        return connection().map();
    }

    public Admin admin() {
        return Admin.create(clientConfig());
    }

    /** Creates one topic (replication factor 1); an existing topic of that name is left as it is. */
    public void createTopic(String name, int partitions, Map<String, String> config) {
        createTopics(List.of(new NewTopic(name, partitions, (short) 1).configs(config)));
    }

    /** Creates topics and waits until they exist; topics that already exist are left as they are. */
    public void createTopics(Collection<NewTopic> topics) {
        if (topics.isEmpty()) {
            return;
        }
        try (Admin admin = admin()) {
            List<String> skipped = new ArrayList<>();
            for (Map.Entry<String, KafkaFuture<Void>> result
                    : admin.createTopics(topics).values().entrySet()) {
                try {
                    result.getValue().get(30, TimeUnit.SECONDS);
                } catch (ExecutionException e) {
                    if (e.getCause() instanceof TopicExistsException) {
                        skipped.add(result.getKey());
                    } else {
                        throw new IllegalStateException("Cannot create topic " + result.getKey(), e.getCause());
                    }
                }
            }
            if (!skipped.isEmpty()) {
                LOG.debug("Topics already existed: {}", skipped);
            }
            Set<String> names = topics.stream().map(NewTopic::name).collect(Collectors.toSet());
            awaitTopicsVisible(admin, names, Duration.ofSeconds(30));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("Interrupted while creating topics", e);
        } catch (TimeoutException e) {
            throw new IllegalStateException("Timed out creating topics", e);
        }
    }

    private static void awaitTopicsVisible(Admin admin, Set<String> names, Duration timeout)
            throws InterruptedException, TimeoutException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            try {
                // describeTopics succeeds once the broker's metadata cache knows every partition leader.
                admin.describeTopics(names).allTopicNames().get(5, TimeUnit.SECONDS);
                return;
            } catch (ExecutionException e) {
                if (System.nanoTime() > deadline) {
                    throw new TimeoutException("Topics " + names + " not visible: " + e.getCause());
                }
                Thread.sleep(50);
            }
        }
    }

    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        stop();
        closed = true;
        if (deleteWorkDir) {
            Ports.deleteRecursively(workDir);
        }
    }

    public static final class Builder {
        private final Map<String, String> overrides = new LinkedHashMap<>();
        private final Map<String, String> scramUsers = new LinkedHashMap<>();
        private Path workDir;
        private int brokerPort;
        private int controllerPort;

        private Builder() {
        }

        /** Extra or overriding broker properties (e.g. log.segment.bytes for a compaction test). */
        public Builder brokerProperty(String key, String value) {
            overrides.put(key, value);
            return this;
        }

        public Builder brokerProperties(Map<String, String> properties) {
            overrides.putAll(properties);
            return this;
        }

        /**
         * Secures the broker: SASL_PLAINTEXT with SCRAM-SHA-512 for these users (name to password) and a super
         * user, and ACLs enforced with no access where none is found.
         */
        public Builder scramUsers(Map<String, String> users) {
            scramUsers.putAll(users);
            return this;
        }

        /** Keeps data in this directory (not deleted on close) instead of a temporary one. */
        public Builder workDir(Path dir) {
            this.workDir = dir;
            return this;
        }

        public Builder brokerPort(int port) {
            this.brokerPort = port;
            return this;
        }

        public Builder controllerPort(int port) {
            this.controllerPort = port;
            return this;
        }

        /** Builds and starts the node. */
        public EmbeddedKafka start() {
            EmbeddedKafka kafka;
            try {
                kafka = new EmbeddedKafka(this);
            } catch (IOException e) {
                throw new IllegalStateException("Cannot prepare embedded Kafka", e);
            }
            try {
                return kafka.start();
            } catch (RuntimeException e) {
                kafka.close();
                throw e;
            }
        }
    }
}
