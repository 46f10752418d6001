package io.coldframe.testkit.faults;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Date;
import java.util.List;
import java.util.Map;

import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.bson.Document;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import com.mongodb.client.MongoClient;
import com.mongodb.client.MongoClients;
import com.mongodb.client.MongoCollection;

import io.coldframe.common.CommonConfigKeys;
import io.coldframe.common.DeadLetters;
import io.coldframe.hotcache.HotCacheCheck;
import io.coldframe.hotcache.HotCacheConfig;
import io.coldframe.hotcache.HotKeys;
import io.coldframe.hotcache.RedisConfigKeys;
import io.coldframe.local.EmbeddedPipeline;
import io.coldframe.local.EmbeddedRedis;
import io.coldframe.local.LocalStack;
import io.coldframe.testkit.ServiceProcess;

import redis.clients.jedis.RedisClient;

/**
 * The hot-cache on the real parts: MongoDB stand-in, the MongoDB connector, the tiering app on a KRaft broker, and
 * real redis-servers. The default rules keep a memory hot for 7 days, so one created 7 days minus a few seconds ago
 * turns warm a few seconds into the test.
 */
class HotCacheIT {

    private static final Duration SECONDS = Duration.ofSeconds(60);

    private static LocalStack stack;
    private static EmbeddedPipeline pipeline;
    private static EmbeddedRedis redisServer;
    private static RedisClient redis;
    private static MongoClient mongo;
    private static MongoCollection<Document> memories;
    private static Path workDir;

    @BeforeAll
    static void start() throws Exception {
        stack = LocalStack.start();
        workDir = Files.createTempDirectory("hot-cache-it");
        pipeline = new EmbeddedPipeline(new EmbeddedPipeline.Settings(stack.bootstrapServers(), stack.topics().prefix(), stack.mongoUri(),
                stack.database(), stack.collection(), workDir, workDir.resolve("archive"), 1, Duration.ofSeconds(2), Duration.ofSeconds(1),
                Map.of()));
        pipeline.startTiering();
        stack.startConnector();
        redisServer = EmbeddedRedis.start();
        pipeline.startHotCache(redisServer.url(), Map.of());
        redis = RedisClient.create(java.net.URI.create(redisServer.url()));
        mongo = MongoClients.create(stack.mongoUri());
        memories = mongo.getDatabase(stack.database()).getCollection(stack.collection());
    }

    @AfterAll
    static void stop() throws Exception {
        if (redis != null) {
            redis.close();
        }
        if (mongo != null) {
            mongo.close();
        }
        if (pipeline != null) {
            pipeline.close();
        }
        if (redisServer != null) {
            redisServer.close();
        }
        if (stack != null) {
            stack.close();
        }
    }

    private static Document memory(String id, String agent, Instant createdAt) {
        return new Document("_id", id).append("agent_id", agent).append("type", "INTERACTION").append("importance", "MEDIUM")
                .append("created_at", Date.from(createdAt)).append("text", "remember " + id);
    }

    private static HotCacheConfig checkConfig(String redisUrl) {
        return HotCacheConfig.load(Map.of(CommonConfigKeys.BOOTSTRAP_SERVERS, stack.bootstrapServers(),
                CommonConfigKeys.TOPIC_PREFIX, stack.topics().prefix(), RedisConfigKeys.URL, redisUrl));
    }

    private static HotCacheCheck.Report check(String redisUrl) throws InterruptedException {
        try (HotCacheCheck check = new HotCacheCheck(checkConfig(redisUrl))) {
            return check.run(Duration.ofSeconds(30));
        }
    }

    @Test
    void aHotMemoryAppearsWithinSecondsAndLeavesWhenItTurnsWarm() {
        Instant now = Instant.now();
        memories.insertOne(memory("turns-warm", "agent-warm", now.minus(Duration.ofDays(7)).plusSeconds(8)));
        memories.insertOne(memory("stays-hot", "agent-warm", now));

        await().atMost(SECONDS).until(() -> redis.zcard(HotKeys.memories("agent-warm")) == 2);
        assertThat(redis.hget(HotKeys.memory("agent-warm", "\"turns-warm\""), "tier")).isEqualTo("hot");

        await().atMost(SECONDS).until(() -> redis.zscore(HotKeys.memories("agent-warm"), "\"turns-warm\"") == null);
        assertThat(redis.zrange(HotKeys.memories("agent-warm"), 0, -1)).containsExactly("\"stays-hot\"");
        assertThat(redis.exists(HotKeys.memory("agent-warm", "\"turns-warm\""))).isFalse();
        assertThat(redis.hget(HotKeys.metadata("agent-warm"), HotKeys.HOT)).isEqualTo("1");
    }

    @Test
    void aRedisRestartWithoutPersistenceIsRebuiltFromTheCompactedHotTopic() throws Exception {
        List<Document> batch = new ArrayList<>();
        for (int i = 0; i < 50; i++) {
            batch.add(memory("rebuilt-" + i, "agent-rebuilt-" + (i % 5), Instant.now()));
        }
        memories.insertMany(batch);
        await().atMost(SECONDS).until(() -> redis.zcard(HotKeys.memories("agent-rebuilt-4")) == 10);

        redisServer.restart(); // every key is gone: no persistence

        // the test's own pooled connections broke with the restart, hence ignoreExceptions
        await().atMost(SECONDS).ignoreExceptions().until(() -> {
            for (int a = 0; a < 5; a++) {
                if (redis.zcard(HotKeys.memories("agent-rebuilt-" + a)) != 10) {
                    return false;
                }
            }
            return true;
        });
        HotCacheCheck.Report report = check(redisServer.url());
        assertThat(report.differences()).isEmpty();
        assertThat(report.memoriesInRedis()).isEqualTo(report.memoriesInTopics()).isGreaterThanOrEqualTo(50);
    }

    @Test
    void aKilledHotCacheResumesWithoutDivergence() throws Exception {
        try (EmbeddedRedis ownRedis = EmbeddedRedis.start();
             RedisClient own = RedisClient.create(java.net.URI.create(ownRedis.url()))) {
            List<Document> batch = new ArrayList<>();
            for (int i = 0; i < 3_000; i++) {
                batch.add(memory("killed-" + i, "agent-killed-" + (i % 30), Instant.now()));
            }
            memories.insertMany(batch);
            ServiceProcess first = hotCacheProcess("hot-cache-1", ownRedis.url());
            try {
                first.start();
                await().atMost(SECONDS).until(() -> own.zcard(HotKeys.memories("agent-killed-0")) > 0);
                first.kill();
            } finally {
                first.close();
            }
            ServiceProcess second = hotCacheProcess("hot-cache-2", ownRedis.url());
            try {
                second.start();
                HotCacheCheck.Report report = check(ownRedis.url());
                assertThat(report.differences()).isEmpty();
                assertThat(own.zcard(HotKeys.memories("agent-killed-29"))).isEqualTo(100);
            } finally {
                second.close();
            }
        }
    }

    @Test
    void aBadRecordIsDeadLetteredNamingRecordAndFieldAndTheCacheKeepsGoing() throws Exception {
        try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG,
                stack.bootstrapServers()), new ByteArraySerializer(), new ByteArraySerializer())) {
            producer.send(new ProducerRecord<>(stack.topics().hot(), "\"bad-1\"".getBytes(StandardCharsets.UTF_8),
                    "not avro".getBytes(StandardCharsets.UTF_8))).get();
        }
        memories.insertOne(memory("after-bad", "agent-bad", Instant.now()));

        await().atMost(SECONDS).until(() -> redis.zcard(HotKeys.memories("agent-bad")) == 1);
        try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(Map.of(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG,
                stack.bootstrapServers(), ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest", ConsumerConfig.GROUP_ID_CONFIG,
                "hot-cache-it-dead-letters"), new ByteArrayDeserializer(),
                new ByteArrayDeserializer())) {
            consumer.subscribe(List.of(stack.topics().deadLetter()));
            List<String> reasons = new ArrayList<>();
            await().atMost(SECONDS).until(() -> {
                for (ConsumerRecord<byte[], byte[]> letter : consumer.poll(Duration.ofMillis(500))) {
                    if ("hot-cache".equals(DeadLetters.header(letter.headers(), DeadLetters.STAGE))) {
                        reasons.add(DeadLetters.header(letter.headers(), DeadLetters.REASON));
                    }
                }
                return !reasons.isEmpty();
            });
            assertThat(reasons.get(0)).startsWith("record " + stack.topics().hot() + "-").contains("field value", "not a TierChange");
        }
    }

    /** The hot-cache's own main in a JVM of its own, configured from the environment, with a group of its own. */
    private static ServiceProcess hotCacheProcess(String name, String redisUrl) {
        return ServiceProcess.builder(name, "io.coldframe.hotcache.HotCacheService")
                .config(CommonConfigKeys.BOOTSTRAP_SERVERS, stack.bootstrapServers())
                .config(CommonConfigKeys.TOPIC_PREFIX, stack.topics().prefix())
                .config(CommonConfigKeys.OPS_PORT, "0")
                .config(RedisConfigKeys.URL, redisUrl)
                .config(HotCacheConfig.GROUP_ID, "hot-cache-kill-it")
                .config(HotCacheConfig.BATCH_MAX_RECORDS, "100")
                .config(HotCacheConfig.SESSION_TIMEOUT_MS, "6000")
                .logFile(workDir.resolve(name + ".log"))
                .build();
    }
}
