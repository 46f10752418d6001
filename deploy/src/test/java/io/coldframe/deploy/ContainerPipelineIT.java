package io.coldframe.deploy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

import org.bson.BsonDateTime;
import org.bson.BsonDocument;
import org.bson.BsonString;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.testcontainers.DockerClientFactory;
import org.testcontainers.containers.GenericContainer;
import org.testcontainers.containers.MongoDBContainer;
import org.testcontainers.containers.Network;
import org.testcontainers.containers.output.Slf4jLogConsumer;
import org.testcontainers.containers.startupcheck.OneShotStartupCheckStrategy;
import org.testcontainers.containers.wait.strategy.Wait;
import org.testcontainers.junit.jupiter.Testcontainers;
import org.testcontainers.kafka.KafkaContainer;
import org.testcontainers.utility.DockerImageName;
import org.testcontainers.images.builder.Transferable;
import org.testcontainers.utility.MountableFile;

import com.mongodb.client.MongoClient;
import com.mongodb.client.MongoClients;
import com.mongodb.client.MongoCollection;
import com.mongodb.client.model.Filters;

import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.http.apache5.Apache5HttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3Client;

import io.coldframe.archiver.ArchiverConfig;
import io.coldframe.common.CommonConfigKeys;
import io.coldframe.common.ConfigLoader;
import io.coldframe.common.MemoryDocuments;
import io.coldframe.common.MemoryFields;
import io.coldframe.common.ops.OpsServer;
import io.coldframe.connectors.RegisterConnector;
import io.coldframe.deploy.Deployment.Service;
import io.coldframe.segment.SegmentReader;
import io.coldframe.segment.SegmentRecord;
import io.coldframe.segment.VerificationReport;
import io.coldframe.store.S3SegmentStore;
import io.coldframe.store.SegmentStoreConfig;
import io.coldframe.store.SegmentStores;
import io.coldframe.streams.StreamsAppConfig;

/**
 * The walking skeleton's end-to-end scenario on the built images, as deployed: a real MongoDB replica set, Kafka in
 * KRaft mode, the topics made by k8s/base/topics/create-topics.sh, the Connect image with the connector registered
 * by RegisterConnector, the streams app, two archiver workers storing segments in an S3-compatible store (MinIO) and
 * the purger, all configured through COLDFRAME_* variables as docker-compose.yml configures them. Old LOW memories end up archived in verified segments and deleted from MongoDB; recent and CRITICAL
 * ones stay; the reconcile finds nothing lost.
 *
 * <p>Skipped where there is no Docker. Needs the images in the local Docker daemon (docs/deploy.md):
 * <pre>
 * ./mvnw -B -DskipTests -pl connectors,streams-app,archiver-worker,purger -am install jib:dockerBuild
 * ./mvnw -B -pl deploy verify
 * </pre>
 * Without them the test is skipped with that message, or fails with {@code -Dcoldframe.it.requireImages=true}.
 */
@Testcontainers(disabledWithoutDocker = true)
class ContainerPipelineIT {

    private static final String CONNECT_REST_PASSWORD = "it-connect-rest";
    private static final Logger LOG = LoggerFactory.getLogger(ContainerPipelineIT.class);
    private static final String KAFKA_IN_NETWORK = "kafka:19092";
    private static final String MONGO_IN_NETWORK = "mongodb://mongo:27017/?directConnection=true";
    private static final String MINIO_IMAGE = "minio/minio:latest";
    private static final String S3_ACCESS = "coldframe";
    private static final String S3_SECRET = "coldframe-it-secret";
    private static final String BUCKET = "coldframe-segments";
    private static final int MEMORIES_PER_KIND = 150;

    private static final Network NETWORK = Network.newNetwork();
    private static final List<GenericContainer<?>> STARTED = new ArrayList<>();
    private static MongoDBContainer mongo;
    private static KafkaContainer kafka;
    private static GenericContainer<?> minio;

    @BeforeAll
    static void startInfrastructure() {
        for (Service service : Service.values()) {
            requireImage(service);
        }
        Repo.Pom root = Repo.Pom.of("");
        mongo = started(new MongoDBContainer(DockerImageName.parse("mongo:8.0")).withNetwork(NETWORK).withNetworkAliases("mongo"));
        kafka = started(new KafkaContainer(DockerImageName.parse(root.property("image.kafka.base")))
                .withNetwork(NETWORK).withNetworkAliases("kafka").withListener(KAFKA_IN_NETWORK));
        minio = started(new GenericContainer<>(MINIO_IMAGE).withNetwork(NETWORK).withNetworkAliases("minio")
                .withCommand("server", "/data").withEnv("MINIO_ROOT_USER", S3_ACCESS).withEnv("MINIO_ROOT_PASSWORD", S3_SECRET)
                .withExposedPorts(9000).waitingFor(Wait.forHttp("/minio/health/live").forPort(9000)));
    }

    @AfterAll
    static void stopAll() {
        for (int i = STARTED.size() - 1; i >= 0; i--) {
            STARTED.get(i).stop();
        }
        NETWORK.close();
    }

    @Test
    void oldLowMemoriesAreArchivedAndDeletedRecentAndCriticalStayNothingIsLost(@TempDir Path cache) throws Exception {
        Instant now = Instant.now();
        Map<String, BsonDocument> old = memories("old", "LOW", now.minus(Duration.ofDays(90)));
        Map<String, BsonDocument> recent = memories("recent", "LOW", now.minus(Duration.ofDays(1)));
        Map<String, BsonDocument> critical = memories("critical", "CRITICAL", now.minus(Duration.ofDays(90)));
        Map<String, BsonDocument> loaded = new LinkedHashMap<>();
        loaded.putAll(old);
        loaded.putAll(recent);
        loaded.putAll(critical);

        try (MongoClient client = MongoClients.create(mongo.getConnectionString() + "/?directConnection=true")) {
            MongoCollection<BsonDocument> memories = client.getDatabase("coldframe").getCollection("memories", BsonDocument.class);
            memories.insertMany(new ArrayList<>(loaded.values()));

            createTopics();
            try (S3Client s3 = s3Client()) {
                s3.createBucket(b -> b.bucket(BUCKET));
            }
            GenericContainer<?> connect = started(service(Service.CONNECT, "connect")
                    .withEnv(env(CommonConfigKeys.BOOTSTRAP_SERVERS, KAFKA_IN_NETWORK))
                    .withEnv("CONNECT_REST_ADVERTISED_HOST_NAME", "connect")
                    .withEnv("MONGODB_URI", MONGO_IN_NETWORK)
                    // The REST API's users (the image requires Basic authentication).
                    .withCopyToContainer(Transferable.of("coldframe-register=" + CONNECT_REST_PASSWORD + "\n"),
                            "/etc/coldframe/connect-rest/credentials.properties")
                    .withExposedPorts(CommonConfigKeys.DEFAULT_OPS_PORT, 8083));
            runOnce(new GenericContainer<>(Service.CONNECT.image()).withNetwork(NETWORK)
                    .withCreateContainerCmdModifier(cmd -> cmd.withEntrypoint("java", "-cp",
                            "/opt/coldframe/connect-plugins/coldframe-ops/classpath/*:/opt/coldframe/connect-plugins/coldframe-ops/libs/*",
                            RegisterConnector.class.getName()))
                    .withEnv(ConfigLoader.envName(RegisterConnector.CONNECT_URL), "http://connect:8083")
                    .withEnv(ConfigLoader.envName(RegisterConnector.REST_USERNAME), "coldframe-register")
                    .withEnv(ConfigLoader.envName(RegisterConnector.REST_PASSWORD), CONNECT_REST_PASSWORD), "register-connector");

            started(service(Service.STREAMS_APP, "streams-app")
                    .withEnv(env(CommonConfigKeys.BOOTSTRAP_SERVERS, KAFKA_IN_NETWORK))
                    .withEnv(env(StreamsAppConfig.PUNCTUATION_INTERVAL_MS, "1000"))
                    .withEnv(env(StreamsAppConfig.STATE_DIR, "/tmp/streams-state")));
            List<GenericContainer<?>> archivers = new ArrayList<>();
            for (int i = 0; i < 2; i++) {
                archivers.add(started(service(Service.ARCHIVER_WORKER, "archiver-worker-" + i)
                        .withEnv(env(CommonConfigKeys.BOOTSTRAP_SERVERS, KAFKA_IN_NETWORK))
                        .withEnv(s3Settings("http://minio:9000"))
                        .withEnv(env(ArchiverConfig.BATCH_LINGER_MS, "2000"))
                        .withEnv(env(ArchiverConfig.BATCH_MAX_RECORDS, "100"))));
            }
            // The purger confirms each committed segment in the archivers' store before it deletes.
            GenericContainer<?> purger = started(service(Service.PURGER, "purger")
                    .withEnv(env(CommonConfigKeys.BOOTSTRAP_SERVERS, KAFKA_IN_NETWORK))
                    .withEnv(env(CommonConfigKeys.MONGODB_URI, MONGO_IN_NETWORK))
                    .withEnv(s3Settings("http://minio:9000")));

            await().atMost(Duration.ofMinutes(6)).pollInterval(Duration.ofSeconds(5)).untilAsserted(() ->
                    assertThat(memories.countDocuments(Filters.in("_id", idValues(old)))).as("old LOW memories left in MongoDB").isZero());

            for (Map<String, BsonDocument> kept : List.of(recent, critical)) {
                assertThat(memories.countDocuments(Filters.in("_id", idValues(kept)))).isEqualTo(kept.size());
            }
            Map<String, SegmentRecord> archived = verifiedSegmentRecords(cache);
            List<String> lost = new ArrayList<>();
            for (Map.Entry<String, BsonDocument> memory : loaded.entrySet()) {
                boolean inMongo = memories.countDocuments(Filters.eq("_id", memory.getValue().get("_id"))) == 1;
                SegmentRecord record = archived.get(memory.getKey());
                if (!inMongo && record == null) {
                    lost.add(memory.getKey());
                }
                if (record != null) {
                    assertThat(MemoryDocuments.toBson(record.document())).as("archived bytes of " + memory.getKey())
                            .isEqualTo(MemoryDocuments.toBson(memory.getValue()));
                }
            }
            assertThat(lost).as("lost memories").isEmpty();
            assertThat(archived.keySet()).containsAll(old.keySet());

            for (GenericContainer<?> container : List.of(connect, purger, archivers.get(0))) {
                assertThat(get(container, OpsServer.READY_PATH).statusCode()).isEqualTo(200);
            }
            String archiverMetrics = get(archivers.get(0), OpsServer.METRICS_PATH).body()
                    + get(archivers.get(1), OpsServer.METRICS_PATH).body();
            assertThat(archiverMetrics).contains("coldframe_archiver_segments_total", "coldframe_consumer_lag{");
            assertThat(get(purger, OpsServer.METRICS_PATH).body()).contains("coldframe_purger_memories_total{outcome=\"deleted\"}");
            // A real replica set: read, byte comparison and delete ran in MongoDB transactions, not on the guard alone.
            assertThat(purger.getLogs()).contains("read, version check and delete run in one transaction per batch")
                    .doesNotContain("deletes rely on the $expr guard alone");
            assertThat(get(purger, OpsServer.METRICS_PATH).body()).contains("coldframe_purger_dead_letters_total{kind=\"segment-unconfirmed\"} 0.0");
            assertThat(get(connect, OpsServer.METRICS_PATH).body()).contains("coldframe_connect_connector_running{connector=\"coldframe-mongo-source\"} 1.0");
        }
    }

    private static Map<String, BsonDocument> memories(String kind, String importance, Instant createdAt) {
        Map<String, BsonDocument> memories = new LinkedHashMap<>();
        for (int i = 0; i < MEMORIES_PER_KIND; i++) {
            BsonDocument document = new BsonDocument("_id", new BsonString(kind + "-" + i))
                    .append(MemoryFields.AGENT, new BsonString("agent-" + (i % 7)))
                    .append(MemoryFields.TYPE, new BsonString("INTERACTION"))
                    .append(MemoryFields.IMPORTANCE, new BsonString(importance))
                    .append(MemoryFields.CREATED_AT, new BsonDateTime(createdAt.toEpochMilli()))
                    .append("content", new BsonString("memory " + i + " of kind " + kind));
            memories.put(MemoryDocuments.idOf(document.get(MemoryFields.ID)), document);
        }
        return memories;
    }

    private static List<Object> idValues(Map<String, BsonDocument> memories) {
        return memories.values().stream().map(d -> (Object) d.getString("_id").getValue()).toList();
    }

    /** The archivers' S3 settings, as compose sets them; {@code endpoint} as seen from where they are used. */
    private static Map<String, String> s3Settings(String endpoint) {
        Map<String, String> settings = new HashMap<>();
        settings.putAll(env(SegmentStoreConfig.STORE_TYPE, SegmentStores.S3));
        settings.putAll(env(SegmentStoreConfig.S3_BUCKET, BUCKET));
        settings.putAll(env(SegmentStoreConfig.S3_ENDPOINT, endpoint));
        settings.putAll(env(SegmentStoreConfig.S3_ACCESS_KEY, S3_ACCESS));
        settings.putAll(env(SegmentStoreConfig.S3_SECRET_KEY, S3_SECRET));
        return settings;
    }

    private static String minioFromHere() {
        return "http://" + minio.getHost() + ":" + minio.getMappedPort(9000);
    }

    private static S3Client s3Client() {
        return S3Client.builder().httpClientBuilder(Apache5HttpClient.builder()).region(Region.US_EAST_1)
                .endpointOverride(URI.create(minioFromHere())).forcePathStyle(true)
                .credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create(S3_ACCESS, S3_SECRET))).build();
    }

    /** Every record of every segment in the bucket that verifies now; a segment that does not fails the test. */
    private static Map<String, SegmentRecord> verifiedSegmentRecords(Path cache) throws IOException {
        Map<String, String> settings = new HashMap<>(s3Settings(minioFromHere()));
        settings.putAll(env(SegmentStoreConfig.S3_CACHE_DIR, cache.toString()));
        ArchiverConfig config = new ArchiverConfig(ConfigLoader.resolve(ArchiverConfig.DEFINITION, Map.of(), settings));
        Map<String, SegmentRecord> records = new HashMap<>();
        Set<String> problems = new TreeSet<>();
        try (S3SegmentStore store = S3SegmentStore.create(config)) {
            for (String segmentId : store.list()) {
                try (SegmentReader reader = SegmentReader.open(store.fetch(segmentId))) {
                    VerificationReport report = reader.verify();
                    if (report.ok()) {
                        reader.records().forEach(record -> records.put(record.memoryId(), record));
                    } else {
                        problems.add(segmentId + ": " + report.problems());
                    }
                }
            }
        }
        assertThat(problems).as("segments that do not verify").isEmpty();
        return records;
    }

    /** The topics, by the deployment's own script, in a one-shot Kafka container. */
    private static void createTopics() {
        runOnce(new GenericContainer<>(Repo.Pom.of("").property("image.kafka.base")).withNetwork(NETWORK)
                .withCopyFileToContainer(MountableFile.forHostPath(Repo.path(Deployment.TOPICS_SCRIPT)), "/coldframe/create-topics.sh")
                .withCreateContainerCmdModifier(cmd -> cmd.withEntrypoint("bash", "/coldframe/create-topics.sh"))
                .withEnv(env(CommonConfigKeys.BOOTSTRAP_SERVERS, KAFKA_IN_NETWORK)), "create-topics");
    }

    private static GenericContainer<?> service(Service service, String alias) {
        return new GenericContainer<>(service.image()).withNetwork(NETWORK).withNetworkAliases(alias)
                .withExposedPorts(CommonConfigKeys.DEFAULT_OPS_PORT)
                .withLogConsumer(new Slf4jLogConsumer(LoggerFactory.getLogger("container." + alias)).withSeparateOutputStreams())
                .waitingFor(Wait.forHttp(OpsServer.READY_PATH).forPort(CommonConfigKeys.DEFAULT_OPS_PORT).forStatusCode(200)
                        .withStartupTimeout(Duration.ofMinutes(3)));
    }

    private static void runOnce(GenericContainer<?> container, String name) {
        container.withLogConsumer(new Slf4jLogConsumer(LoggerFactory.getLogger("container." + name)))
                .withStartupCheckStrategy(new OneShotStartupCheckStrategy().withTimeout(Duration.ofMinutes(5)));
        container.start();
        container.stop();
    }

    private static <C extends GenericContainer<?>> C started(C container) {
        container.start();
        STARTED.add(container);
        return container;
    }

    private static Map<String, String> env(String key, String value) {
        return Map.of(ConfigLoader.envName(key), value);
    }

    private static HttpResponse<String> get(GenericContainer<?> container, String path) throws IOException, InterruptedException {
        URI uri = URI.create("http://" + container.getHost() + ":" + container.getMappedPort(CommonConfigKeys.DEFAULT_OPS_PORT) + path);
        return HttpClient.newHttpClient().send(HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(10)).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    /** The image in the local daemon, else loaded from the module's target/jib-image.tar, else skip (or fail). */
    private static void requireImage(Service service) {
        var docker = DockerClientFactory.instance().client();
        if (present(service.image())) {
            return;
        }
        Path tar = Repo.path(service.module + "/target/jib-image.tar");
        if (Files.isRegularFile(tar)) {
            LOG.info("loading {} from {}", service.image(), tar);
            try (InputStream in = Files.newInputStream(tar)) {
                docker.loadImageCmd(in).exec();
            } catch (IOException e) {
                throw new IllegalStateException("cannot load " + tar, e);
            }
            if (present(service.image())) {
                return;
            }
        }
        String message = "image " + service.image() + " is not in the local Docker daemon; build the images first: "
                + "./mvnw -B -DskipTests -pl connectors,streams-app,archiver-worker,purger -am install jib:dockerBuild";
        if (Boolean.getBoolean("coldframe.it.requireImages")) {
            throw new IllegalStateException(message);
        }
        assumeTrue(false, message);
    }

    private static boolean present(String image) {
        try {
            DockerClientFactory.instance().client().inspectImageCmd(image).exec();
            return true;
        } catch (com.github.dockerjava.api.exception.NotFoundException e) {
            return false;
        }
    }
}
