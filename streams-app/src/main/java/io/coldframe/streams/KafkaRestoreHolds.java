package io.coldframe.streams;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.coldframe.common.KafkaConnection;
import io.coldframe.schemas.AvroSerde;
import io.coldframe.schemas.RestoreMark;

/**
 * Follows the compacted restores topic from its start on a thread of its own and keeps the holds in memory.
 * Not a Kafka Streams global store on purpose: that would make the service's start wait for Kafka and its
 * shutdown hang while Kafka is unreachable. The restore publishes a mark before it inserts the document, so the
 * hold is normally known before the restored document's change event is tiered.
 */
final class KafkaRestoreHolds implements RestoreHolds, AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(KafkaRestoreHolds.class);
    private static final Duration RETRY = Duration.ofSeconds(5);
    /** Short, so a broker that is already gone does not hold up a shutdown for the consumer's default 30 s. */
    private static final Duration CLOSE_TIMEOUT = Duration.ofSeconds(5);

    private final Map<String, Instant> holds = new ConcurrentHashMap<>();
    private final KafkaConsumer<String, RestoreMark> consumer;
    private final String topic;
    /** Counted down by close; the follower waits on it between attempts, so it never needs an interrupt. */
    private final CountDownLatch closing = new CountDownLatch(1);
    private final Thread follower;

    KafkaRestoreHolds(KafkaConnection kafka, String topic) {
        Properties props = kafka.properties();
        props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        props.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        this.consumer = new KafkaConsumer<>(props, new StringDeserializer(), AvroSerde.of(RestoreMark.class).deserializer());
        this.topic = topic;
        this.follower = new Thread(this::follow, "restore-holds");
        follower.setDaemon(true);
    }

    void start() {
        follower.start();
    }

    @Override
    public Instant holdUntil(String memoryId) {
        return holds.get(memoryId);
    }

    private void follow() {
        try {
            while (!assign()) {
                if (closing.await(RETRY.toMillis(), TimeUnit.MILLISECONDS)) {
                    return;
                }
            }
            while (closing.getCount() > 0) {
                for (ConsumerRecord<String, RestoreMark> record : consumer.poll(Duration.ofSeconds(1))) {
                    if (record.value() == null) {
                        holds.remove(record.key());
                    } else {
                        holds.put(record.value().getMemoryId(), record.value().getHoldUntil());
                    }
                }
            }
        } catch (WakeupException | InterruptedException e) {
            // closing
        } finally {
            consumer.close(CLOSE_TIMEOUT);
        }
    }

    private boolean assign() {
        try {
            List<TopicPartition> partitions = consumer.partitionsFor(topic, RETRY).stream()
                    .map(info -> new TopicPartition(topic, info.partition())).toList();
            if (partitions.isEmpty()) {
                LOG.warn("restores topic {} not found yet; restored memories get no hold until it exists", topic);
                return false;
            }
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            return true;
        } catch (WakeupException e) {
            throw e;
        } catch (KafkaException e) {
            LOG.warn("cannot read restores topic {} yet: {}", topic, e.getMessage());
            return false;
        }
    }

    @Override
    public void close() {
        // no interrupt: it would make the consumer's own close throw and end the thread with an exception
        closing.countDown();
        consumer.wakeup();
        try {
            follower.join(Duration.ofSeconds(10).toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
