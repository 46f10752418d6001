package io.coldframe.common.ops;

import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.DescribeClusterOptions;
import org.apache.kafka.clients.admin.ListConsumerGroupOffsetsOptions;
import org.apache.kafka.clients.admin.ListOffsetsOptions;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.IsolationLevel;
import org.apache.kafka.common.TopicPartition;

import io.coldframe.common.KafkaConnection;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;

/**
 * A small Kafka admin client for the ops endpoint: the readiness check ({@code describeCluster} within the check
 * timeout) and the consumer-group lag gauge. It is created lazily and never blocks the service's own clients.
 */
public final class KafkaHealth implements HealthCheck, AutoCloseable {

    /** Gauge {group, topic, partition}: committed offset to last stable offset, the lag KEDA scales archivers on. */
    public static final String CONSUMER_LAG = "coldframe.consumer.lag";

    private static final Duration ADMIN_TIMEOUT = Duration.ofSeconds(5);

    private final Map<String, Object> adminConfig;
    private final Map<String, AtomicLong> lag = new ConcurrentHashMap<>();
    private volatile Admin admin;

    public KafkaHealth(KafkaConnection kafka) {
        Map<String, Object> config = kafka.map();
        config.put(AdminClientConfig.CLIENT_ID_CONFIG, "coldframe-ops");
        config.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, (int) ADMIN_TIMEOUT.toMillis());
        config.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, (int) ADMIN_TIMEOUT.toMillis());
        config.put(AdminClientConfig.RECONNECT_BACKOFF_MAX_MS_CONFIG, 10_000);
        this.adminConfig = Map.copyOf(config);
    }

    /** Ready when the cluster answers {@code describeCluster} in time. */
    @Override
    public void check(Duration timeout) throws Exception {
        int ms = (int) Math.max(1, timeout.toMillis());
        admin().describeCluster(new DescribeClusterOptions().timeoutMs(ms)).clusterId().get(ms, TimeUnit.MILLISECONDS);
    }

    /**
     * Registers {@value #CONSUMER_LAG} for every partition of {@code topic} in {@code group} and returns the refresh
     * to run before each scrape ({@link OpsServer.Builder#beforeScrape}). End offsets are read_committed (transaction
     * markers count as consumed), as the coldframe consumers read.
     */
    public Runnable consumerLag(MeterRegistry registry, String group, String topic) {
        return () -> {
            try {
                refreshLag(registry, group, topic);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            } catch (Exception e) {
                throw new IllegalStateException("consumer lag of " + group + " on " + topic + ": " + e.getMessage(), e);
            }
        };
    }

    private void refreshLag(MeterRegistry registry, String group, String topic) throws Exception {
        long ms = ADMIN_TIMEOUT.toMillis();
        TopicDescription description = admin().describeTopics(List.of(topic)).allTopicNames().get(ms, TimeUnit.MILLISECONDS).get(topic);
        Map<TopicPartition, OffsetSpec> latest = new HashMap<>();
        description.partitions().forEach(p -> latest.put(new TopicPartition(topic, p.partition()), OffsetSpec.latest()));
        var ends = admin().listOffsets(latest, new ListOffsetsOptions(IsolationLevel.READ_COMMITTED)).all().get(ms, TimeUnit.MILLISECONDS);
        Map<TopicPartition, OffsetAndMetadata> committed = admin()
                .listConsumerGroupOffsets(group, new ListConsumerGroupOffsetsOptions()).partitionsToOffsetAndMetadata()
                .get(ms, TimeUnit.MILLISECONDS);
        for (TopicPartition partition : latest.keySet()) {
            OffsetAndMetadata offset = committed.get(partition);
            long end = ends.get(partition).offset();
            long value = Math.max(0, end - (offset == null ? 0 : offset.offset()));
            lag.computeIfAbsent(group + '\u0000' + partition, key -> {
                AtomicLong holder = new AtomicLong();
                Gauge.builder(CONSUMER_LAG, holder, AtomicLong::get)
                        .description("Records in the partition the consumer group has not committed yet")
                        .tag("group", group).tag("topic", topic).tag("partition", Integer.toString(partition.partition()))
                        .register(registry);
                return holder;
            }).set(value);
        }
    }

    private Admin admin() {
        Admin current = admin;
        if (current == null) {
            synchronized (this) {
                if (admin == null) {
                    admin = Admin.create(adminConfig);
                }
                current = admin;
            }
        }
        return current;
    }

    @Override
    public synchronized void close() {
        if (admin != null) {
            admin.close(Duration.ofSeconds(2));
            admin = null;
        }
    }
}
