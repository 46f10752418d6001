package io.coldframe.local;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.UUID;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.acl.AccessControlEntry;
import org.apache.kafka.common.acl.AclBinding;
import org.apache.kafka.common.acl.AclBindingFilter;
import org.apache.kafka.common.acl.AclOperation;
import org.apache.kafka.common.acl.AclPermissionType;
import org.apache.kafka.common.errors.SaslAuthenticationException;
import org.apache.kafka.common.errors.TopicAuthorizationException;
import org.apache.kafka.common.errors.TransactionalIdAuthorizationException;
import org.apache.kafka.common.resource.PatternType;
import org.apache.kafka.common.resource.ResourcePattern;
import org.apache.kafka.common.resource.ResourceType;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.bson.BsonDateTime;
import org.bson.BsonDocument;
import org.bson.BsonString;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import com.mongodb.client.MongoClient;
import com.mongodb.client.MongoClients;
import com.mongodb.client.MongoCollection;

import io.coldframe.archiver.ArchiverConfig;
import io.coldframe.archiver.ArchiverWorker;
import io.coldframe.common.CommonConfigKeys;
import io.coldframe.common.KafkaConnection;
import io.coldframe.common.MemoryDocuments;
import io.coldframe.common.MemoryFields;
import io.coldframe.common.Topics;
import io.coldframe.purger.Purger;
import io.coldframe.schemas.AvroSerde;
import io.coldframe.schemas.DailyStats;
import io.coldframe.schemas.StatsDimension;
import io.coldframe.purger.PurgerConfig;
import io.coldframe.store.SegmentStoreConfig;
import io.coldframe.streams.StreamsApp;
import io.coldframe.streams.StreamsAppConfig;

/**
 * Issue 11, Security: a broker that authenticates (SASL_PLAINTEXT, SCRAM-SHA-512) and denies whatever no ACL allows,
 * with the ACLs of the deployed model (compose/secure/create-acls.sh, which SecurityManifestTest keeps equal to the
 * Strimzi KafkaUsers). The streams app, the archiver and the purger each run with their own credentials, given
 * through the documented {@code kafka.*} keys, and archive and purge memories end to end; other principals cannot
 * write commit events or catalog entries (but the lifecycle tools' principal), and a client without (valid) credentials gets nowhere.
 */
class KafkaSecurityIT {

    private static final Path ACL_SCRIPT = Path.of("..", "compose", "secure", "create-acls.sh");
    private static final Topics TOPICS = Topics.withDefaultPrefix();
    private static final List<String> PRINCIPALS = List.of("coldframe-connect", "coldframe-streams", "coldframe-archiver",
            "coldframe-purger", "coldframe-restore", "coldframe-lifecycle", "coldframe-reader");
    /** Authenticates, but no ACL names it. */
    private static final String OUTSIDER = "outsider";
    private static final int MEMORIES = 6;

    @TempDir
    Path dir;

    @Test
    void eachServiceWorksAsItsOwnPrincipalAndOnlyTheArchiverWritesCommitsAndCatalog() throws Exception {
        Map<String, String> users = new LinkedHashMap<>();
        PRINCIPALS.forEach(user -> users.put(user, UUID.randomUUID().toString()));
        users.put(OUTSIDER, UUID.randomUUID().toString());
        try (LocalStack stack = LocalStack.builder().kafkaUsers(users).start();
             MongoClient mongo = MongoClients.create(stack.mongoUri())) {
            EmbeddedKafka kafka = stack.kafka();
            try (Admin admin = kafka.admin()) {
                List<AclBinding> acls = aclsOfTheDeployedModel();
                admin.createAcls(acls).all().get(30, TimeUnit.SECONDS);
                // The controller accepts ACLs before the broker's authorizer has them from the metadata log.
                await().atMost(Duration.ofSeconds(30)).until(() ->
                        admin.describeAcls(AclBindingFilter.ANY).values().get(10, TimeUnit.SECONDS).containsAll(acls));
            }
            MongoCollection<BsonDocument> memories = mongo.getDatabase(stack.database()).getCollection(stack.collection(), BsonDocument.class);
            List<BsonDocument> cold = new ArrayList<>();
            for (int i = 0; i < MEMORIES; i++) {
                cold.add(new BsonDocument("_id", new BsonString("secure-" + i)).append(MemoryFields.AGENT, new BsonString("agent-s"))
                        .append(MemoryFields.IMPORTANCE, new BsonString("LOW"))
                        .append(MemoryFields.CREATED_AT, new BsonDateTime(Instant.now().minus(Duration.ofDays(90)).toEpochMilli())));
            }
            memories.insertMany(cold);
            publishChangesAsConnect(kafka, cold);

            StreamsApp streams = new StreamsApp(StreamsAppConfig.load(serviceConfig(kafka, users, "coldframe-streams", Map.of(
                    StreamsAppConfig.STATE_DIR, dir.resolve("streams").toString(),
                    StreamsAppConfig.PUNCTUATION_INTERVAL_MS, "1000"))));
            ArchiverWorker archiver = new ArchiverWorker(ArchiverConfig.load(serviceConfig(kafka, users, "coldframe-archiver", Map.of(
                    ArchiverConfig.INSTANCE_ID, "secure-0",
                    ArchiverConfig.BATCH_LINGER_MS, "1000",
                    ArchiverConfig.STAGING_DIR, dir.resolve("staging").toString(),
                    SegmentStoreConfig.STORE_DIR, dir.resolve("archive").toString()))));
            Purger purger = new Purger(PurgerConfig.load(serviceConfig(kafka, users, "coldframe-purger", Map.of(
                    CommonConfigKeys.MONGODB_URI, stack.mongoUri(),
                    CommonConfigKeys.MONGODB_DATABASE, stack.database(),
                    CommonConfigKeys.MONGODB_COLLECTION, stack.collection(),
                    PurgerConfig.INSTANCE_ID, "secure-0",
                    SegmentStoreConfig.STORE_DIR, dir.resolve("archive").toString()))));
            Thread archiving = new Thread(archiver, "archiver-secure");
            Thread purging = new Thread(purger, "purger-secure");
            try {
                streams.start();
                archiving.start();
                purging.start();
                await().atMost(Duration.ofMinutes(2)).until(() -> purger.deletedTotal() == MEMORIES || !archiving.isAlive() || !purging.isAlive());
                assertThat(archiving.isAlive()).as("archiver loop running").isTrue();
                assertThat(purging.isAlive()).as("purger loop running").isTrue();
                assertThat(memories.countDocuments()).as("memories left in MongoDB").isZero();
                assertThat(archiver.archivedTotal()).isEqualTo(MEMORIES);
                // the tier analytics work as coldframe-streams too: they read the commit events and purge results
                await().atMost(Duration.ofMinutes(1)).untilAsserted(() -> {
                    DailyStats archive = archiveCellOfToday(kafka.connection("coldframe-reader"));
                    assertThat(archive).isNotNull();
                    assertThat(archive.getArchived()).isEqualTo(MEMORIES);
                    assertThat(archive.getPurged()).isEqualTo(MEMORIES);
                });
            } finally {
                purger.close();
                archiver.close();
                archiving.join(30_000);
                purging.join(30_000);
                streams.close();
            }

            // The read-only tools' principal reads the audit trail ...
            assertThat(countRecords(kafka.connection("coldframe-reader"), TOPICS.segmentsCommitted())).isPositive();
            // ... but nobody except the archivers writes commit events or catalog entries: the purger would delete on a forged one.
            for (String intruder : List.of("coldframe-purger", "coldframe-streams", "coldframe-reader", OUTSIDER)) {
                for (String topic : List.of(TOPICS.segmentsCommitted(), TOPICS.catalog())) {
                    assertThatThrownBy(() -> send(kafka.connection(intruder), topic)).as(intruder + " writing " + topic)
                            .hasCauseInstanceOf(TopicAuthorizationException.class);
                }
            }
            // coldframe erase and retention run, as coldframe-lifecycle, write what they must (catalog entries moved or
            // tombstoned, tier view tombstones, audit events, erasure receipts); nobody else writes audit events or receipts.
            for (String topic : List.of(TOPICS.catalog(), TOPICS.hot(), TOPICS.warm(), TOPICS.lifecycleAudit(), TOPICS.erasureReceipts())) {
                send(kafka.connection("coldframe-lifecycle"), topic);
            }
            for (String intruder : List.of("coldframe-purger", "coldframe-reader", OUTSIDER)) {
                for (String topic : List.of(TOPICS.lifecycleAudit(), TOPICS.erasureReceipts())) {
                    assertThatThrownBy(() -> send(kafka.connection(intruder), topic)).as(intruder + " writing " + topic)
                            .hasCauseInstanceOf(TopicAuthorizationException.class);
                }
            }
            // A principal cannot pose as an archiver transaction either.
            Properties forged = kafka.connection("coldframe-purger").properties();
            forged.put(ProducerConfig.TRANSACTIONAL_ID_CONFIG, "coldframe-archiver-forged");
            forged.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, 10_000);
            try (KafkaProducer<String, String> producer = new KafkaProducer<>(forged, new StringSerializer(), new StringSerializer())) {
                assertThatThrownBy(producer::initTransactions).isInstanceOf(TransactionalIdAuthorizationException.class);
            }

            // Without valid credentials a client gets nowhere: a wrong password is refused, no SASL at all gets no answer.
            KafkaConnection wrongPassword = KafkaConnection.plaintext(kafka.bootstrapServers()).with(Map.of(
                    "security.protocol", "SASL_PLAINTEXT", "sasl.mechanism", EmbeddedKafka.SCRAM_MECHANISM,
                    "sasl.jaas.config", jaas("coldframe-archiver", "not-the-password")));
            assertThatThrownBy(() -> describeCluster(wrongPassword)).hasCauseInstanceOf(SaslAuthenticationException.class);
            assertThatThrownBy(() -> describeCluster(KafkaConnection.plaintext(kafka.bootstrapServers())))
                    .satisfies(e -> assertThat(e instanceof java.util.concurrent.TimeoutException
                            || e instanceof ExecutionException && e.getCause() instanceof org.apache.kafka.common.errors.TimeoutException)
                            .as("timed out: " + e).isTrue());
        }
    }

    /** What a service is given in a deployment: its own credentials through the documented keys, nothing else. */
    private static Map<String, String> serviceConfig(EmbeddedKafka kafka, Map<String, String> users, String user, Map<String, String> more) {
        Map<String, String> config = new LinkedHashMap<>(more);
        config.put(CommonConfigKeys.BOOTSTRAP_SERVERS, kafka.bootstrapServers());
        config.put(CommonConfigKeys.TOPIC_PREFIX, TOPICS.prefix());
        config.put(CommonConfigKeys.KAFKA_SECURITY_PROTOCOL, "SASL_PLAINTEXT");
        config.put(CommonConfigKeys.KAFKA_SASL_MECHANISM, EmbeddedKafka.SCRAM_MECHANISM);
        config.put(CommonConfigKeys.KAFKA_SASL_JAAS_CONFIG, jaas(user, users.get(user)));
        config.put(CommonConfigKeys.OPS_PORT, "0");
        return config;
    }

    private static String jaas(String user, String password) {
        return "org.apache.kafka.common.security.scram.ScramLoginModule required username=\"" + user + "\" password=\"" + password + "\";";
    }

    /** The MongoDB source connector's part: insert events on the change topic, written as coldframe-connect. */
    private static void publishChangesAsConnect(EmbeddedKafka kafka, List<BsonDocument> documents) throws Exception {
        try (KafkaProducer<String, String> connect = new KafkaProducer<>(kafka.connection("coldframe-connect").properties(),
                new StringSerializer(), new StringSerializer())) {
            for (BsonDocument document : documents) {
                BsonDocument key = new BsonDocument("_id", document.get("_id"));
                BsonDocument event = new BsonDocument("operationType", new BsonString("insert")).append("documentKey", key)
                        .append("fullDocument", document);
                connect.send(new ProducerRecord<>(TOPICS.changes(), MemoryDocuments.toCanonicalJson(key),
                        MemoryDocuments.toCanonicalJson(event))).get(30, TimeUnit.SECONDS);
            }
        }
    }

    private static void send(KafkaConnection as, String topic) throws Exception {
        Properties props = as.properties();
        // Without idempotence the refusal is the topic's, not the producer id's.
        props.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, false);
        props.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, 10_000);
        try (KafkaProducer<String, String> producer = new KafkaProducer<>(props, new StringSerializer(), new StringSerializer())) {
            producer.send(new ProducerRecord<>(topic, "forged", "forged")).get(20, TimeUnit.SECONDS);
        }
    }

    /** The latest {@code ALL} archive cell of today on the stats topic, or null. */
    private static DailyStats archiveCellOfToday(KafkaConnection as) {
        Properties props = as.properties();
        props.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        AvroSerde<DailyStats> serde = AvroSerde.of(DailyStats.class);
        DailyStats latest = null;
        try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(props, new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
            List<TopicPartition> partitions = consumer.partitionsFor(TOPICS.statsDaily(), Duration.ofSeconds(20)).stream()
                    .map(info -> new TopicPartition(TOPICS.statsDaily(), info.partition())).toList();
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            Map<TopicPartition, Long> end = consumer.endOffsets(partitions);
            while (partitions.stream().anyMatch(p -> consumer.position(p) < end.get(p))) {
                for (var record : consumer.poll(Duration.ofMillis(500))) {
                    DailyStats cell = serde.decode(record.value());
                    if (cell.getTier() == null && cell.getDimension() == StatsDimension.ALL
                            && cell.getDay().equals(java.time.LocalDate.now(java.time.ZoneOffset.UTC))) {
                        latest = cell;
                    }
                }
            }
        }
        return latest;
    }

    private static long countRecords(KafkaConnection as, String topic) {
        Properties props = as.properties();
        props.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(props, new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
            List<TopicPartition> partitions = consumer.partitionsFor(topic, Duration.ofSeconds(20)).stream()
                    .map(info -> new TopicPartition(topic, info.partition())).toList();
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            long count = 0;
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            while (count == 0 && System.nanoTime() < deadline) {
                count += consumer.poll(Duration.ofMillis(500)).count();
            }
            return count;
        }
    }

    private static void describeCluster(KafkaConnection as) throws Exception {
        Map<String, Object> config = as.map();
        config.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, 5_000);
        config.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, 5_000);
        try (Admin admin = Admin.create(config)) {
            admin.describeCluster().clusterId().get(8, TimeUnit.SECONDS);
        }
    }

    /** The ACL lines of create-acls.sh: {@code acl USER RESOURCE-TYPE NAME literal|prefix OPERATION...}. */
    private static List<AclBinding> aclsOfTheDeployedModel() throws IOException {
        Matcher line = Pattern.compile("^acl\\s+(\\S+)\\s+(\\S+)\\s+(\\S+)\\s+(literal|prefix)\\s+(.+)$", Pattern.MULTILINE)
                .matcher(Files.readString(ACL_SCRIPT, StandardCharsets.UTF_8));
        List<AclBinding> bindings = new ArrayList<>();
        while (line.find()) {
            ResourcePattern resource = new ResourcePattern(resourceType(line.group(2)), line.group(3),
                    line.group(4).equals("prefix") ? PatternType.PREFIXED : PatternType.LITERAL);
            for (String operation : line.group(5).trim().split("\\s+")) {
                bindings.add(new AclBinding(resource, new AccessControlEntry("User:" + line.group(1), "*",
                        AclOperation.valueOf(operation.replaceAll("([a-z])([A-Z])", "$1_$2").toUpperCase(Locale.ROOT)), AclPermissionType.ALLOW)));
            }
        }
        assertThat(bindings).as("ACLs in " + ACL_SCRIPT).hasSizeGreaterThan(20);
        return bindings;
    }

    private static ResourceType resourceType(String name) {
        return switch (name) {
            case "topic" -> ResourceType.TOPIC;
            case "group" -> ResourceType.GROUP;
            case "transactionalId" -> ResourceType.TRANSACTIONAL_ID;
            default -> throw new IllegalArgumentException("resource type " + name);
        };
    }
}
