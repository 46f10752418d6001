package io.coldframe.testkit;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

import org.apache.kafka.clients.admin.Admin;
import org.bson.BsonDocument;
import org.bson.BsonValue;

import com.mongodb.client.MongoClient;
import com.mongodb.client.MongoClients;
import com.mongodb.client.MongoCollection;
import com.mongodb.client.model.InsertManyOptions;

import io.coldframe.archive.InvariantAudit;
import io.coldframe.archiver.ArchiverConfig;
import io.coldframe.common.CommonConfigKeys;
import io.coldframe.common.MemoryDocuments;
import io.coldframe.common.MemoryFields;
import io.coldframe.common.Topics;
import io.coldframe.connectors.MongoSourceConnectorConfig;
import io.coldframe.local.LocalStack;
import io.coldframe.local.PipelineProgress;
import io.coldframe.purger.PurgerConfig;
import io.coldframe.store.LocalDirectorySegmentStore;
import io.coldframe.store.SegmentStoreConfig;
import io.coldframe.streams.StreamsApp;
import io.coldframe.streams.StreamsAppConfig;

/**
 * One coldframe pipeline on a {@link LocalStack} whose archiver workers and purger run as child JVMs
 * ({@link ServiceProcess}) that can really be killed, while connector and tiering stay in this JVM. Every name derives
 * from a topic prefix (topics, consumer groups, transactional ids, connector, collection), so several pipelines can
 * share one stack. Children keep their instance id across restarts, so a restarted one fences its killed
 * predecessor's producer and aborts the transaction that one left open.
 */
public final class ProcessPipeline implements AutoCloseable {

    /** How the pipeline runs. {@code serviceMain} is the class each child runs (argument: archiver or purger). */
    public record Settings(String prefix, String collection, Path workDir, String serviceMain, Duration batchLinger,
                           int batchMaxRecords, Duration sessionTimeout, List<String> childJvmOptions) {

        public static Settings defaults(String prefix, Path workDir) {
            return new Settings(prefix, "memories_" + prefix.replace('.', '_'), workDir, ServiceMain.class.getName(),
                    Duration.ofSeconds(2), 2000, Duration.ofSeconds(6), List.of());
        }

        public Settings withServiceMain(String mainClass) {
            return new Settings(prefix, collection, workDir, mainClass, batchLinger, batchMaxRecords, sessionTimeout, childJvmOptions);
        }

        public Settings withBatches(Duration linger, int maxRecords) {
            return new Settings(prefix, collection, workDir, serviceMain, linger, maxRecords, sessionTimeout, childJvmOptions);
        }

        public Settings withCollection(String name) {
            return new Settings(prefix, name, workDir, serviceMain, batchLinger, batchMaxRecords, sessionTimeout, childJvmOptions);
        }

        public Settings withChildJvmOptions(List<String> options) {
            return new Settings(prefix, collection, workDir, serviceMain, batchLinger, batchMaxRecords, sessionTimeout, List.copyOf(options));
        }
    }

    private final LocalStack stack;
    private final Settings settings;
    private final Topics topics;
    private final MongoClient mongo;
    private final MongoCollection<BsonDocument> memories;
    private final Admin admin;
    private final Map<String, String> loadedVersions = new LinkedHashMap<>();
    /** Per memory id, its latest written version: loaded, then updated or restored while the pipeline runs. */
    private final Map<String, String> expectedVersions = new ConcurrentHashMap<>();
    private final Map<String, BsonValue> idValues = new ConcurrentHashMap<>();
    private final Set<String> updatedIds = ConcurrentHashMap.newKeySet();
    private final Map<String, ServiceProcess> children = new LinkedHashMap<>();
    private final List<ServiceProcess> history = new ArrayList<>();
    private StreamsApp streamsApp;
    private boolean connectorStarted;

    public ProcessPipeline(LocalStack stack, Settings settings) throws IOException {
        this.stack = stack;
        this.settings = settings;
        this.topics = new Topics(settings.prefix());
        Files.createDirectories(settings.workDir());
        stack.createTopics(topics);
        this.mongo = MongoClients.create(stack.mongoUri());
        this.memories = mongo.getDatabase(stack.database()).getCollection(settings.collection(), BsonDocument.class);
        this.admin = Admin.create(stack.kafkaConnection().map());
    }

    /** Inserts the documents (in order, 1,000 per call) and remembers each one's id and version. */
    public void load(List<BsonDocument> documents) {
        for (int from = 0; from < documents.size(); from += 1000) {
            List<BsonDocument> chunk = documents.subList(from, Math.min(documents.size(), from + 1000));
            memories.insertMany(chunk, new InsertManyOptions().ordered(true));
            for (BsonDocument document : chunk) {
                String id = MemoryDocuments.idOf(document.get(MemoryFields.ID));
                String version = MemoryDocuments.versionOf(document);
                synchronized (this) {
                    loadedVersions.put(id, version);
                }
                expectedVersions.put(id, version);
                idValues.put(id, document.get(MemoryFields.ID));
            }
        }
    }

    /**
     * Records a write made while the pipeline runs (an update, a restore): from now on {@code version} is the one this
     * memory must keep, in MongoDB or in a verified segment. {@code updated} marks it as changed since it was loaded.
     */
    public void recordWrite(String id, String version, boolean updated) {
        expectedVersions.put(id, version);
        if (updated) {
            updatedIds.add(id);
        }
    }

    /** The {@code _id} value a loaded memory id stands for, or null. */
    public BsonValue idValue(String id) {
        return idValues.get(id);
    }

    /** A copy of every memory id with its latest written version. */
    public Map<String, String> expectedVersions() {
        return Map.copyOf(expectedVersions);
    }

    public Set<String> updatedIds() {
        return Set.copyOf(updatedIds);
    }

    /** Starts the tiering streams app in this JVM. */
    public synchronized void startTiering() {
        if (streamsApp == null) {
            streamsApp = new StreamsApp(StreamsAppConfig.load(Map.of(
                    CommonConfigKeys.BOOTSTRAP_SERVERS, stack.bootstrapServers(),
                    CommonConfigKeys.TOPIC_PREFIX, settings.prefix(),
                    StreamsAppConfig.APPLICATION_ID, tieringApplicationId(),
                    StreamsAppConfig.STATE_DIR, settings.workDir().resolve("streams-state").toString(),
                    StreamsAppConfig.PUNCTUATION_INTERVAL_MS, "1000",
                    CommonConfigKeys.OPS_PORT, "0")));
            streamsApp.start();
        }
    }

    /** Starts the MongoDB source connector of this pipeline's collection and prefix, and waits until it runs. */
    public synchronized void startConnector() {
        stack.startConnectWorker().startConnector(connectorName(), MongoSourceConnectorConfig.load()
                .forLocalMode(stack.mongoUri(), stack.database(), settings.collection(), topics, stack.isMongoStandIn()), Duration.ofSeconds(60));
        connectorStarted = true;
    }

    /**
     * Starts (or restarts, once the previous one ended) the tiering streams app as a child JVM ({@code streams}), with
     * a fixed state directory (so a restart keeps its process id and fences its predecessor's transactions) and the
     * settings' session timeout.
     */
    public ServiceProcess startTieringProcess() {
        return start("streams", () -> child("streams", "streams")
                .config(CommonConfigKeys.BOOTSTRAP_SERVERS, stack.bootstrapServers())
                .config(CommonConfigKeys.TOPIC_PREFIX, settings.prefix())
                .config(StreamsAppConfig.APPLICATION_ID, tieringApplicationId())
                .config(StreamsAppConfig.STATE_DIR, settings.workDir().resolve("streams-state").toString())
                .config(StreamsAppConfig.PUNCTUATION_INTERVAL_MS, "1000")
                .config(StreamsAppConfig.SESSION_TIMEOUT_MS, Long.toString(settings.sessionTimeout().toMillis()))
                .config(CommonConfigKeys.OPS_PORT, "0"));
    }

    /**
     * Starts (or restarts) a Kafka Connect standalone worker as a child JVM ({@code connect}) running this pipeline's
     * MongoDB source connector; its offsets (the change stream's resume token) stay in the work dir across restarts.
     */
    public ServiceProcess startConnectProcess() {
        Path dir = settings.workDir().resolve("connect");
        Path file = dir.resolve("connector.properties");
        try {
            Files.createDirectories(dir);
            Properties properties = new Properties();
            properties.putAll(MongoSourceConnectorConfig.load()
                    .forLocalMode(stack.mongoUri(), stack.database(), settings.collection(), topics, stack.isMongoStandIn()));
            properties.put("name", connectorName());
            try (var out = Files.newOutputStream(file)) {
                properties.store(out, "the chaos run's MongoDB source connector");
            }
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
        return start("connect", () -> child("connect", "connect")
                .argument(file.toString())
                .config(CommonConfigKeys.BOOTSTRAP_SERVERS, stack.bootstrapServers())
                .env(ServiceMain.CONNECT_DIR_ENV, dir.toString()));
    }

    /** The file whose content (a step name) makes child {@code name} hold at that step ({@link ServiceMain}). */
    public Path holdFile(String name) {
        return settings.workDir().resolve("control").resolve(name + ".hold");
    }

    /** Makes child {@code name} hold right after it next reports {@code step}, until disarmed or killed. */
    public void arm(String name, String step) {
        try {
            Files.createDirectories(holdFile(name).getParent());
            Path tmp = holdFile(name).resolveSibling(name + ".tmp");
            Files.writeString(tmp, step);
            Files.move(tmp, holdFile(name), java.nio.file.StandardCopyOption.REPLACE_EXISTING, java.nio.file.StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    /** Lets child {@code name} go on (a held step continues). */
    public void disarm(String name) {
        try {
            Files.deleteIfExists(holdFile(name));
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    /**
     * Starts (or restarts, once the previous one ended) archiver worker {@code index}; extra environment variables go
     * to the child as they are and win over the settings (e.g. {@code COLDFRAME_ARCHIVER_GROUP_ID}).
     */
    public ServiceProcess startArchiver(int index, Map<String, String> extraEnvironment) {
        return start("archiver-" + index, () -> child("archiver-" + index, "archiver")
                .config(CommonConfigKeys.BOOTSTRAP_SERVERS, stack.bootstrapServers())
                .config(CommonConfigKeys.TOPIC_PREFIX, settings.prefix())
                .config(ArchiverConfig.GROUP_ID, archiverGroup())
                .config(ArchiverConfig.INSTANCE_ID, "w" + index)
                .config(ArchiverConfig.BATCH_LINGER_MS, Long.toString(settings.batchLinger().toMillis()))
                .config(ArchiverConfig.BATCH_MAX_RECORDS, Integer.toString(settings.batchMaxRecords()))
                .config(SegmentStoreConfig.STORE_DIR, archiveDir().toString())
                .config(ArchiverConfig.STAGING_DIR, settings.workDir().resolve("staging").toString())
                .config(ArchiverConfig.SESSION_TIMEOUT_MS, Long.toString(settings.sessionTimeout().toMillis()))
                .envs(extraEnvironment));
    }

    /** Starts (or restarts, once the previous one ended) the purger; extra environment variables win over the settings. */
    public ServiceProcess startPurger(Map<String, String> extraEnvironment) {
        return start("purger", () -> child("purger", "purger")
                .config(CommonConfigKeys.BOOTSTRAP_SERVERS, stack.bootstrapServers())
                .config(CommonConfigKeys.TOPIC_PREFIX, settings.prefix())
                .config(CommonConfigKeys.MONGODB_URI, purgerMongoUri())
                .config(CommonConfigKeys.MONGODB_DATABASE, stack.database())
                .config(CommonConfigKeys.MONGODB_COLLECTION, settings.collection())
                .config(PurgerConfig.GROUP_ID, purgerGroup())
                .config(PurgerConfig.INSTANCE_ID, "p0")
                .config(SegmentStoreConfig.STORE_DIR, archiveDir().toString())
                .config(PurgerConfig.RETRY_INITIAL_BACKOFF_MS, "250")
                .config(PurgerConfig.RETRY_MAX_BACKOFF_MS, "4000")
                .config(PurgerConfig.SESSION_TIMEOUT_MS, Long.toString(settings.sessionTimeout().toMillis()))
                .envs(extraEnvironment));
    }

    /** The stand-in answers fast or not at all: fail a delete within 2 s, so the purger's own backoff does the retrying. */
    private String purgerMongoUri() {
        String uri = stack.mongoUri();
        return stack.isMongoStandIn() ? uri + (uri.contains("?") ? "&" : "/?") + "serverSelectionTimeoutMS=2000&connectTimeoutMS=2000" : uri;
    }

    /** A fresh child for each start (markers start anew); the log file of a name is appended to. */
    private synchronized ServiceProcess start(String name, java.util.function.Supplier<ServiceProcess.Builder> builder) {
        ServiceProcess existing = children.get(name);
        if (existing != null && existing.isAlive()) {
            throw new IllegalStateException(name + " is still running");
        }
        ServiceProcess child = builder.get().build();
        children.put(name, child);
        history.add(child);
        return child.start();
    }

    private ServiceProcess.Builder child(String name, String service) {
        ServiceProcess.Builder builder = ServiceProcess.builder(name, settings.serviceMain())
                .argument(service)
                .logFile(settings.workDir().resolve("logs").resolve(name + ".log"))
                .env(ServiceMain.HOLD_FILE_ENV, holdFile(name).toString())
                .jvmOption("-Dcoldframe.segment.ffmpegLogLevel=quiet");
        settings.childJvmOptions().forEach(builder::jvmOption);
        return builder;
    }

    /** A started child by name ({@code archiver-0}, {@code purger}), or null. */
    public synchronized ServiceProcess child(String name) {
        return children.get(name);
    }

    public synchronized List<ServiceProcess> children() {
        return new ArrayList<>(children.values());
    }

    /** Every child ever started, restarts included, oldest first (each with the markers it reported). */
    public synchronized List<ServiceProcess> history() {
        return new ArrayList<>(history);
    }

    /** The consuming stages (tiering, archivers, purger) with their groups and input topics. */
    public List<PipelineProgress.Stage> stages() {
        return List.of(new PipelineProgress.Stage(tieringApplicationId(), topics.changes()),
                new PipelineProgress.Stage(archiverGroup(), topics.cold()),
                new PipelineProgress.Stage(purgerGroup(), topics.segmentsCommitted()));
    }

    /** Waits until every loaded memory was published and tiering has consumed everything (the cold topic is complete). */
    public boolean awaitTiered(Duration timeout) throws InterruptedException {
        return new PipelineProgress(admin, topics.changes(), stages().subList(0, 1))
                .awaitDrained(expectedVersions.size(), Duration.ofSeconds(1), timeout, snapshot -> { });
    }

    /** Waits until every stage has consumed and committed everything, steady over one settle period. */
    public boolean awaitDrained(Duration settle, Duration timeout, java.util.function.Consumer<PipelineProgress.Snapshot> onProgress)
            throws InterruptedException {
        return new PipelineProgress(admin, topics.changes(), stages()).awaitDrained(expectedVersions.size(), settle, timeout, onProgress);
    }

    public PipelineProgress.Snapshot snapshot() {
        return new PipelineProgress(admin, topics.changes(), stages()).snapshot();
    }

    /** The independent end check: MongoDB, every stored segment read back now, the committed purge results. */
    public InvariantAudit.Result audit() throws IOException {
        return InvariantAudit.audit(memories, store(), expectedVersions(), updatedIds(), stack.kafkaConnection(), topics);
    }

    /** A monitor that re-checks the invariant every {@code interval} while things run. */
    public InvariantMonitor monitor(Duration interval) throws IOException {
        return new InvariantMonitor(memories, store(), this::expectedVersions, interval);
    }

    public LocalDirectorySegmentStore store() throws IOException {
        return new LocalDirectorySegmentStore(archiveDir());
    }

    public Path archiveDir() {
        return settings.workDir().resolve("archive");
    }

    public synchronized Map<String, String> loadedVersions() {
        return Map.copyOf(loadedVersions);
    }

    public MongoCollection<BsonDocument> memories() {
        return memories;
    }

    public Topics topics() {
        return topics;
    }

    public Admin admin() {
        return admin;
    }

    public LocalStack stack() {
        return stack;
    }

    public Settings settings() {
        return settings;
    }

    public String tieringApplicationId() {
        return settings.prefix() + "-tiering";
    }

    public String archiverGroup() {
        return settings.prefix() + "-archiver";
    }

    public String purgerGroup() {
        return settings.prefix() + "-purger";
    }

    public String connectorName() {
        return settings.prefix() + "-mongo-source";
    }

    /** Stops the children cleanly (SIGTERM), the streams app and the connector; the stack stays up. */
    public void stopServices() {
        for (ServiceProcess child : children()) {
            if (child.isAlive()) {
                child.stop(Duration.ofSeconds(20));
            }
        }
        synchronized (this) {
            if (streamsApp != null) {
                streamsApp.close();
                streamsApp = null;
            }
            if (connectorStarted) {
                stack.connect().deleteConnector(connectorName());
                connectorStarted = false;
            }
        }
    }

    @Override
    public void close() {
        for (ServiceProcess child : children()) {
            child.close();
        }
        synchronized (this) {
            if (streamsApp != null) {
                streamsApp.close();
                streamsApp = null;
            }
            if (connectorStarted && stack.connect() != null) {
                try {
                    stack.connect().deleteConnector(connectorName());
                } catch (RuntimeException e) {
                    // the stack may be closing
                }
                connectorStarted = false;
            }
        }
        admin.close();
        mongo.close();
    }
}
