package io.coldframe.testkit.faults;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Map;

import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.coldframe.archiver.ArchiverConfig;
import io.coldframe.archiver.ArchiverWorker;
import io.coldframe.common.CommonConfigKeys;
import io.coldframe.local.LocalStack;
import io.coldframe.store.SegmentStoreConfig;

/**
 * Issue 11, "Liveness lies", for the archiver: once another instance took its transactional id, its loop ends,
 * {@code /health/live} answers 503 and its main exits non-zero, so an orchestrator restarts it.
 */
class ArchiverLivenessIT {

    @Test
    void aFencedArchiverAnswersNotLiveAndExitsNonZero(@TempDir Path work) throws Exception {
        try (LocalStack stack = LocalStack.start()) {
            int port = FencedService.freePort();
            ArchiverConfig config = ArchiverConfig.load(Map.of(
                    CommonConfigKeys.BOOTSTRAP_SERVERS, stack.bootstrapServers(),
                    CommonConfigKeys.TOPIC_PREFIX, stack.topics().prefix(),
                    ArchiverConfig.INSTANCE_ID, "fence",
                    ArchiverConfig.BATCH_LINGER_MS, "200",
                    SegmentStoreConfig.STORE_DIR, work.resolve("archive").toString(),
                    ArchiverConfig.STAGING_DIR, work.resolve("staging").toString(),
                    CommonConfigKeys.OPS_PORT, Integer.toString(port)));
            String group = config.getString(ArchiverConfig.GROUP_ID);

            // An unreadable cold record: the archiver dead-letters it in a transaction, where it learns it was fenced.
            FencedService.Outcome outcome = FencedService.fence(stack.kafkaConnection(), group, group + "-fence", port,
                    () -> ArchiverWorker.serve(config), () -> sendCold(stack, "not a tier change"));

            assertThat(outcome.exitCode()).as("the main's exit code after the loop ended by itself").isEqualTo(1);
            assertThat(outcome.liveStatus()).as("/health/live once the loop ended").isEqualTo(503);
        }
    }

    private static void sendCold(LocalStack stack, String value) throws Exception {
        try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(Map.of("bootstrap.servers", stack.bootstrapServers()),
                new ByteArraySerializer(), new ByteArraySerializer())) {
            producer.send(new ProducerRecord<>(stack.topics().cold(), "a".getBytes(StandardCharsets.UTF_8),
                    value.getBytes(StandardCharsets.UTF_8))).get();
        }
    }
}
