package io.coldframe.hotcache;

import java.io.IOException;
import java.util.function.BooleanSupplier;

import io.micrometer.core.instrument.Counter;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;

import io.coldframe.common.CommonConfigKeys;
import io.coldframe.common.KafkaConnection;
import io.coldframe.common.ops.KafkaHealth;
import io.coldframe.common.ops.OpsMetrics;
import io.coldframe.common.ops.OpsServer;

import redis.clients.jedis.UnifiedJedis;

/**
 * The hot-cache's ops endpoint ({@code ops.port}): live while the loop runs, ready when Kafka answers and Redis
 * answers PING; metrics:
 * <ul>
 *   <li>{@code coldframe_hotcache_records_total}: tier and commit records written to Redis and committed;</li>
 *   <li>{@code coldframe_hotcache_memories_total{op="upsert"|"remove"|"trim"|"not-cacheable"}}: what they did;</li>
 *   <li>{@code coldframe_hotcache_dead_letters_total}: records dead-lettered (alert on any increase);</li>
 *   <li>{@code coldframe_hotcache_redis_retries_total}: pipelines Redis did not acknowledge, retried;</li>
 *   <li>{@code coldframe_hotcache_resyncs_total}: partitions replayed because Redis lost them;</li>
 *   <li>{@code coldframe_consumer_lag{group,topic,partition}} on the hot topic.</li>
 * </ul>
 */
final class HotCacheOps implements HotCacheListener, AutoCloseable {

    private final HotCacheConfig config;
    private final PrometheusMeterRegistry registry = OpsMetrics.newRegistry();
    private final Counter records;
    private final Counter upserts;
    private final Counter removals;
    private final Counter trims;
    private final Counter notCacheable;
    private final Counter deadLetters;
    private final Counter retries;
    private final Counter resyncs;
    private OpsServer server;

    HotCacheOps(HotCacheConfig config) {
        this.config = config;
        this.records = Counter.builder("coldframe.hotcache.records").description("Records written to Redis and committed").register(registry);
        this.upserts = memories("upsert");
        this.removals = memories("remove");
        this.trims = memories("trim");
        this.notCacheable = memories("not-cacheable");
        this.deadLetters = Counter.builder("coldframe.hotcache.dead.letters")
                .description("Records dead-lettered instead of cached; any increase is an alert").register(registry);
        this.retries = Counter.builder("coldframe.hotcache.redis.retries")
                .description("Pipelines Redis did not acknowledge; each batch is retried, never skipped").register(registry);
        this.resyncs = Counter.builder("coldframe.hotcache.resyncs")
                .description("Partitions replayed from the start because Redis lost them").register(registry);
    }

    private Counter memories(String op) {
        return Counter.builder("coldframe.hotcache.memories").tag("op", op).description("Memories by what the hot-cache did in Redis")
                .register(registry);
    }

    /** Starts serving on {@code ops.port} unless it is 0. */
    void start(BooleanSupplier alive, UnifiedJedis redis) throws IOException {
        int port = config.getInt(CommonConfigKeys.OPS_PORT);
        if (port == 0) {
            return;
        }
        KafkaHealth kafka = new KafkaHealth(KafkaConnection.from(config));
        server = OpsServer.builder("hot-cache").registry(registry)
                .liveness(alive)
                .readiness("kafka", kafka)
                .readiness("redis", timeout -> redis.ping())
                .beforeScrape(kafka.consumerLag(registry, config.getString(HotCacheConfig.GROUP_ID), config.topics().hot()))
                .closing(kafka).closing(OpsMetrics.bindJvm(registry))
                .start(config.getString(CommonConfigKeys.OPS_BIND_ADDRESS), port);
    }

    @Override
    public void committed(RedisTierWriter.Outcome outcome, int count) {
        records.increment(count);
        upserts.increment(outcome.upserts());
        removals.increment(outcome.removals());
        trims.increment(outcome.trimmed());
        notCacheable.increment(outcome.notCacheable());
    }

    @Override
    public void deadLettered(String field, String reason) {
        deadLetters.increment();
    }

    @Override
    public void redisRetrying(int attempt, long backoffMs, String problem) {
        retries.increment();
    }

    @Override
    public void resyncing(String topic, int partition) {
        resyncs.increment();
    }

    @Override
    public void close() {
        if (server != null) {
            server.close();
        }
    }
}
