package io.coldframe.archiver;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.DescribeTopicsOptions;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.Uuid;

import io.coldframe.common.KafkaConnection;

/**
 * The Kafka topic id of each cold topic, the part of a segment id that tells one topic incarnation from another. It is
 * read from the cluster ({@code Admin.describeTopics}), the authority on which incarnation a topic name means now, and
 * cached until the worker's partitions are assigned again ({@link #forget}) or an archive attempt failed: a topic that
 * is deleted and recreated revokes its partitions, so the next assignment reads the new id.
 */
final class TopicIds implements AutoCloseable {

    /** Where topic ids come from: the cluster, or a fixed map in tests. */
    interface Source extends AutoCloseable {
        Uuid describe(String topic);

        @Override
        default void close() {
        }
    }

    private final Source source;
    private final Map<String, Uuid> cache = new ConcurrentHashMap<>();

    TopicIds(Source source) {
        this.source = source;
    }

    /** Topic ids from the cluster {@code kafka} reaches, each look-up bounded by {@code timeout}. */
    static TopicIds fromCluster(KafkaConnection kafka, Duration timeout) {
        Properties props = kafka.properties();
        props.put(AdminClientConfig.CLIENT_ID_CONFIG, "coldframe-archiver-topic-ids");
        props.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, (int) timeout.toMillis());
        props.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, (int) Math.min(timeout.toMillis(), 30_000));
        Admin admin = Admin.create(props);
        return new TopicIds(new Source() {
            @Override
            public Uuid describe(String topic) {
                try {
                    return admin.describeTopics(List.of(topic), new DescribeTopicsOptions().timeoutMs((int) timeout.toMillis()))
                            .allTopicNames().get(timeout.toMillis(), TimeUnit.MILLISECONDS).get(topic).topicId();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new KafkaException("interrupted while reading the topic id of " + topic, e);
                } catch (ExecutionException e) {
                    throw new KafkaException("cannot read the topic id of " + topic + ": " + e.getCause().getMessage(), e.getCause());
                } catch (java.util.concurrent.TimeoutException e) {
                    throw new KafkaException("the topic id of " + topic + " was not read within " + timeout, e);
                }
            }

            @Override
            public void close() {
                admin.close(Duration.ofSeconds(5));
            }
        });
    }

    /** The topic's id; a {@link KafkaException} when the cluster cannot say (the archive attempt is then retried). */
    Uuid idOf(String topic) {
        return cache.computeIfAbsent(topic, t -> {
            Uuid id = source.describe(t);
            if (id == null || Uuid.ZERO_UUID.equals(id)) {
                throw new KafkaException("the cluster reports no topic id for " + t + " (topic ids need Kafka 2.8 or later)");
            }
            return id;
        });
    }

    /** Reads every topic id again on next use. */
    void forget() {
        cache.clear();
    }

    @Override
    public void close() {
        source.close();
    }
}
