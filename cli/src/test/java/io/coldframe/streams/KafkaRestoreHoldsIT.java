package io.coldframe.streams;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;

import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;

import io.coldframe.local.LocalStack;
import io.coldframe.schemas.AvroSerde;
import io.coldframe.schemas.RestoreMark;

/** The streams app's restore holds follow the restores topic on the real broker: marks from before and after start, tombstones; closing it ends its thread quietly. */
class KafkaRestoreHoldsIT {

    @Test
    void followsMarksPublishedBeforeAndAfterItStartsAndForgetsTombstonedOnes() throws Exception {
        Instant holdUntil = Instant.parse("2030-01-01T00:00:00Z");
        List<Throwable> escaped = new CopyOnWriteArrayList<>();
        Thread.UncaughtExceptionHandler before = Thread.getDefaultUncaughtExceptionHandler();
        Thread.setDefaultUncaughtExceptionHandler((thread, e) -> {
            if (thread.getName().equals("restore-holds")) {
                escaped.add(e);
            }
        });
        try (LocalStack stack = LocalStack.start();
             KafkaProducer<String, RestoreMark> producer = new KafkaProducer<>(Map.of("bootstrap.servers", stack.bootstrapServers()),
                     new StringSerializer(), AvroSerde.of(RestoreMark.class).serializer())) {
            String topic = stack.topics().restores();
            producer.send(new ProducerRecord<>(topic, "\"before\"", new RestoreMark("\"before\"", Instant.now(), holdUntil))).get();

            try (KafkaRestoreHolds holds = new KafkaRestoreHolds(stack.kafkaConnection(), topic)) {
                holds.start();
                await().atMost(Duration.ofSeconds(30)).until(() -> holdUntil.equals(holds.holdUntil("\"before\"")));

                producer.send(new ProducerRecord<>(topic, "\"after\"", new RestoreMark("\"after\"", Instant.now(), holdUntil))).get();
                await().atMost(Duration.ofSeconds(30)).until(() -> holdUntil.equals(holds.holdUntil("\"after\"")));

                producer.send(new ProducerRecord<>(topic, "\"before\"", null)).get();
                await().atMost(Duration.ofSeconds(30)).until(() -> holds.holdUntil("\"before\"") == null);
                assertThat(holds.holdUntil("\"never-restored\"")).isNull();
            }
        } finally {
            Thread.setDefaultUncaughtExceptionHandler(before);
        }
        assertThat(escaped).as("what ended the follower thread when it was closed").isEmpty();
    }
}
