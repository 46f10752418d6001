package io.coldframe.hotcache;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;

import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.MockConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.RebalanceInProgressException;
import org.junit.jupiter.api.Test;

import io.coldframe.common.CommonConfigKeys;
import io.coldframe.schemas.AvroSerde;
import io.coldframe.schemas.TierChange;

import redis.clients.jedis.RedisClient;

/** The replay of a partition Redis lost starts again when the group refuses its first commit, instead of ending the loop. */
class HotCacheResyncTest {

    @Test
    void aResyncWhoseCommitTheGroupRefusesIsTriedAgainAndTheLoopKeepsRunning() throws Exception {
        try (TestRedis server = new TestRedis(); RedisClient redis = server.client()) {
            HotCacheConfig config = new HotCacheConfig(Map.of(RedisConfigKeys.URL, server.url(),
                    CommonConfigKeys.BOOTSTRAP_SERVERS, "127.0.0.1:9", HotCacheConfig.RESYNC_CHECK_MS, "50"));
            TopicPartition hot = new TopicPartition(config.topics().hot(), 0);
            AtomicInteger refusedCommits = new AtomicInteger();
            MockConsumer<byte[], byte[]> consumer = new MockConsumer<>("earliest") {
                @Override
                public synchronized void commitSync(Map<TopicPartition, OffsetAndMetadata> offsets) {
                    if (!offsets.isEmpty() && refusedCommits.getAndIncrement() == 0) {
                        throw new RebalanceInProgressException("a rebalance is in progress (test)");
                    }
                    super.commitSync(offsets);
                }
            };
            consumer.updateBeginningOffsets(Map.of(hot, 0L));
            TierChange change = TierChanges.entered(HotKeys.HOT, "agent-1", "\"m1\"", 1_000, 2_000, "hello").change();
            consumer.schedulePollTask(() -> {
                consumer.rebalance(List.of(hot));
                consumer.addRecord(new ConsumerRecord<>(hot.topic(), 0, 0, "\"m1\"".getBytes(), AvroSerde.of(TierChange.class).encode(change)));
            });

            HotCacheService service = new HotCacheService(config, HotCacheListener.NONE, consumer);
            Thread loop = new Thread(service, "hot-cache-test");
            loop.start();
            try {
                await().atMost(Duration.ofSeconds(20)).until(() -> redis.exists(HotKeys.syncMarker(
                        config.getString(HotCacheConfig.GROUP_ID), hot.topic(), 0)) || !service.isAlive());

                assertThat(service.isAlive()).as("the loop outlives a refused commit").isTrue();
                assertThat(refusedCommits.get()).as("the resync's commit was refused once, then made").isGreaterThanOrEqualTo(2);
                assertThat(redis.zscore(HotKeys.memories("agent-1"), "\"m1\"")).isEqualTo(1_000.0);
            } finally {
                service.close();
                loop.join(10_000);
            }
        }
    }
}
