package io.coldframe.local;

import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.common.config.TopicConfig;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.coldframe.common.KafkaConnection;
import io.coldframe.common.RecordSizes;
import io.coldframe.common.Topics;
import io.coldframe.connectors.MongoSourceConnectorConfig;

/**
 * Everything coldframe needs, in this JVM: a KRaft broker with the coldframe topics, MongoDB (the in-JVM stand-in,
 * or a real one given by URI) and a Connect worker running the real MongoDB source connector with the deployed
 * connector config ({@link MongoSourceConnectorConfig#forLocalMode}).
 *
 * <p>{@link #start()} brings up Kafka, the topics and MongoDB only. {@link #startConnector()} starts the Connect
 * worker (first time) and the connector, so callers choose the path under test: documents written before it are
 * published by the connector's copy of existing data, documents written after it by the live change stream.
 */
public final class LocalStack implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(LocalStack.class);

    /** Partitions of the change topic and the tier topics by default. */
    public static final int DEFAULT_DATA_PARTITIONS = 4;

    private final Topics topics;
    private final String database;
    private final String collection;
    private final Duration connectorTimeout;
    private final MongoSourceConnectorConfig connectorConfig;
    private final EmbeddedKafka kafka;
    private final EmbeddedMongo mongo;
    private final String mongoUri;
    private final Map<String, Duration> timings = new LinkedHashMap<>();
    private final Builder topicSettings;
    private EmbeddedConnect connect;

    private LocalStack(Builder settings) {
        this.topics = new Topics(settings.topicPrefix);
        this.topicSettings = settings;
        this.database = settings.database;
        this.collection = settings.collection;
        this.connectorTimeout = settings.connectorTimeout;
        this.connectorConfig = MongoSourceConnectorConfig.load();
        List<NewTopic> topicsToCreate = settings.topicsFor(topics);
        long t0 = System.nanoTime();
        EmbeddedKafka startedKafka = null;
        EmbeddedMongo startedMongo = null;
        try {
            startedKafka = EmbeddedKafka.builder().brokerProperties(settings.brokerProperties).scramUsers(settings.kafkaUsers).start();
            long t1 = System.nanoTime();
            timings.put("broker", Duration.ofNanos(t1 - t0));
            startedKafka.createTopics(topicsToCreate);
            long t2 = System.nanoTime();
            timings.put("topics", Duration.ofNanos(t2 - t1));
            if (settings.externalMongoUri == null) {
                startedMongo = EmbeddedMongo.start();
                this.mongoUri = startedMongo.connectionString();
                timings.put("mongo", Duration.ofNanos(System.nanoTime() - t2));
            } else {
                this.mongoUri = settings.externalMongoUri;
            }
        } catch (RuntimeException e) {
            closeQuietly(startedMongo);
            closeQuietly(startedKafka);
            throw e;
        }
        this.kafka = startedKafka;
        this.mongo = startedMongo;
        // The external URI may hold credentials: not logged.
        LOG.info("Local stack up: Kafka {}, MongoDB {}, timings {}", kafka.bootstrapServers(),
                mongo != null ? mongoUri + " (stand-in)" : "external", timings);
    }

    public static Builder builder() {
        return new Builder();
    }

    /** A stack with default settings: stand-in MongoDB, prefix {@code coldframe}. */
    public static LocalStack start() {
        return builder().start();
    }

    /**
     * Starts the Connect worker if it is not running, registers the MongoDB source connector and waits until it
     * and its task are RUNNING. From then on every change to the collection reaches {@link Topics#changes()}.
     */
    public synchronized void startConnector() {
        startConnectWorker();
        long t1 = System.nanoTime();
        connect.startConnector(connectorName(), connectorConfig(), connectorTimeout);
        timings.putIfAbsent("connectorRunning", Duration.ofNanos(System.nanoTime() - t1));
        LOG.info("Connector {} RUNNING, timings {}", connectorName(), timings);
    }

    /** Starts the Connect worker (no connector yet) unless it runs already; {@link #startConnector()} does it too. */
    public synchronized EmbeddedConnect startConnectWorker() {
        if (connect == null) {
            long t0 = System.nanoTime();
            connect = EmbeddedConnect.builder(kafka.bootstrapServers()).start();
            timings.put("connectWorker", Duration.ofNanos(System.nanoTime() - t0));
        }
        return connect;
    }

    /** Removes the connector (the worker keeps running and keeps the connector's offsets). */
    public synchronized void stopConnector() {
        if (connect != null) {
            connect.deleteConnector(connectorName());
        }
    }

    /** Why the connector or its task has FAILED, or empty while it runs (or was never started). */
    public synchronized Optional<String> connectorFailure() {
        return connect == null ? Optional.empty() : connect.failure(connectorName());
    }

    /** The config the connector runs with: the deployed one with the local-mode overrides. */
    public Map<String, String> connectorConfig() {
        return connectorConfig.forLocalMode(mongoUri, database, collection, topics, isMongoStandIn());
    }

    public String connectorName() {
        return connectorConfig.name();
    }

    public String bootstrapServers() {
        return kafka.bootstrapServers();
    }

    /** How clients reach this stack's broker. */
    public KafkaConnection kafkaConnection() {
        return kafka.connection();
    }

    public String mongoUri() {
        return mongoUri;
    }

    public String database() {
        return database;
    }

    public String collection() {
        return collection;
    }

    public Topics topics() {
        return topics;
    }

    /** True when MongoDB is the in-JVM stand-in (no external URI given). */
    public boolean isMongoStandIn() {
        return mongo != null;
    }

    public EmbeddedKafka kafka() {
        return kafka;
    }

    /**
     * Creates every coldframe topic of another prefix on this broker, partitioned as this stack's own, so that several
     * pipelines can share one stack; topics that exist already are left as they are.
     */
    public void createTopics(Topics other) {
        kafka.createTopics(topicSettings.topicsFor(other));
    }

    /** The in-JVM MongoDB stand-in (for outage tests: stop and restart it), or null when MongoDB is external. */
    public EmbeddedMongo mongo() {
        return mongo;
    }

    /** The Connect worker, or null before the first {@link #startConnector()}. */
    public synchronized EmbeddedConnect connect() {
        return connect;
    }

    /** Wall-clock start-up times so far: broker, topics, mongo, connectWorker, connectorRunning. */
    public synchronized Map<String, Duration> startupTimings() {
        return Map.copyOf(timings);
    }

    @Override
    public synchronized void close() {
        closeQuietly(connect);
        connect = null;
        closeQuietly(mongo);
        closeQuietly(kafka);
    }

    private static void closeQuietly(AutoCloseable closeable) {
        if (closeable == null) {
            return;
        }
        try {
            closeable.close();
        } catch (Exception e) {
            LOG.warn("Closing {} failed", closeable.getClass().getSimpleName(), e);
        }
    }

    public static final class Builder {
        private String externalMongoUri;
        private String topicPrefix = Topics.DEFAULT_PREFIX;
        private String database;
        private String collection;
        private Integer changesPartitions;
        private int tierPartitions = DEFAULT_DATA_PARTITIONS;
        private int otherPartitions = 1;
        private final Map<String, Integer> partitionOverrides = new LinkedHashMap<>();
        private final Map<String, String> brokerProperties = new LinkedHashMap<>();
        private final Map<String, String> kafkaUsers = new LinkedHashMap<>();
        private Duration connectorTimeout = Duration.ofSeconds(60);

        private Builder() {
            Map<String, String> deployed = MongoSourceConnectorConfig.load().config();
            database = deployed.get(MongoSourceConnectorConfig.DATABASE);
            collection = deployed.get(MongoSourceConnectorConfig.COLLECTION);
        }

        /**
         * Use this MongoDB (a replica set: change streams need one) instead of the in-JVM stand-in. The connector
         * then runs without the stand-in's {@code ns} stage, exactly as deployed.
         */
        public Builder mongoUri(String uri) {
            this.externalMongoUri = (uri == null || uri.isBlank()) ? null : uri;
            return this;
        }

        public Builder topicPrefix(String prefix) {
            this.topicPrefix = Objects.requireNonNull(prefix);
            return this;
        }

        public Builder database(String database) {
            this.database = Objects.requireNonNull(database);
            return this;
        }

        public Builder collection(String collection) {
            this.collection = Objects.requireNonNull(collection);
            return this;
        }

        /**
         * Partitions of the change topic. Default: 4 with a real MongoDB; 1 with the stand-in, whose update events
         * carry a wrong key and would otherwise land in another partition than the same memory's insert and delete,
         * reordering them. Real MongoDB keys every event of a document alike.
         */
        public Builder changesPartitions(int partitions) {
            this.changesPartitions = positive(partitions);
            return this;
        }

        /** Partitions of tier.hot, tier.warm and tier.cold (default 4). */
        public Builder tierPartitions(int partitions) {
            this.tierPartitions = positive(partitions);
            return this;
        }

        /** Partitions of segments.committed, purge.results and deadletter (default 1). */
        public Builder otherPartitions(int partitions) {
            this.otherPartitions = positive(partitions);
            return this;
        }

        /** Partitions of one topic, by full name. */
        public Builder partitions(String topic, int partitions) {
            partitionOverrides.put(topic, positive(partitions));
            return this;
        }

        public Builder brokerProperty(String key, String value) {
            brokerProperties.put(key, value);
            return this;
        }

        /**
         * Secures the broker with SCRAM users (name to password) and enforced ACLs ({@link EmbeddedKafka.Builder#scramUsers});
         * the stack then works as the super user. The Connect worker does not authenticate: start no connector.
         */
        public Builder kafkaUsers(Map<String, String> users) {
            kafkaUsers.putAll(users);
            return this;
        }

        public Builder connectorTimeout(Duration timeout) {
            this.connectorTimeout = Objects.requireNonNull(timeout);
            return this;
        }

        private static int positive(int n) {
            if (n < 1) {
                throw new IllegalArgumentException("partitions must be positive: " + n);
            }
            return n;
        }

        private List<NewTopic> topicsFor(Topics topics) {
            Map<String, String> compact = Map.of("cleanup.policy", "compact");
            List<NewTopic> list = new ArrayList<>();
            int defaultChangesPartitions = externalMongoUri == null ? 1 : DEFAULT_DATA_PARTITIONS;
            list.add(topic(topics.changes(), changesPartitions != null ? changesPartitions : defaultChangesPartitions, Map.of()));
            list.add(topic(topics.hot(), tierPartitions, compact));
            list.add(topic(topics.warm(), tierPartitions, compact));
            list.add(topic(topics.cold(), tierPartitions, Map.of()));
            list.add(topic(topics.segmentsCommitted(), otherPartitions, Map.of()));
            list.add(topic(topics.catalog(), otherPartitions, compact));
            list.add(topic(topics.restores(), otherPartitions, compact));
            list.add(topic(topics.purgeResults(), otherPartitions, Map.of()));
            list.add(topic(topics.deadLetter(), otherPartitions, Map.of()));
            list.add(topic(topics.lifecycleAudit(), otherPartitions, Map.of(TopicConfig.RETENTION_MS_CONFIG, Long.toString(java.time.Duration.ofDays(400).toMillis()))));
            list.add(topic(topics.erasureRequests(), otherPartitions, Map.of(TopicConfig.RETENTION_MS_CONFIG, Long.toString(java.time.Duration.ofDays(30).toMillis()))));
            list.add(topic(topics.erasureReceipts(), otherPartitions, Map.of(TopicConfig.RETENTION_MS_CONFIG, Long.toString(java.time.Duration.ofDays(400).toMillis()))));
            list.add(topic(topics.statsDaily(), otherPartitions, Map.of("cleanup.policy", "compact,delete",
                    TopicConfig.RETENTION_MS_CONFIG, Long.toString(java.time.Duration.ofDays(400).toMillis()))));
            return list;
        }

        /** As k8s/base/topics/create-topics.sh creates it: every coldframe topic takes records of whole big documents. */
        private NewTopic topic(String name, int defaultPartitions, Map<String, String> config) {
            Map<String, String> withLimit = new LinkedHashMap<>(config);
            withLimit.put(TopicConfig.MAX_MESSAGE_BYTES_CONFIG, Integer.toString(RecordSizes.DEFAULT_MAX_RECORD_BYTES));
            return new NewTopic(name, partitionOverrides.getOrDefault(name, defaultPartitions), (short) 1).configs(withLimit);
        }

        /** Starts Kafka (with the coldframe topics) and MongoDB; the connector waits for {@link #startConnector()}. */
        public LocalStack start() {
            return new LocalStack(this);
        }
    }
}
