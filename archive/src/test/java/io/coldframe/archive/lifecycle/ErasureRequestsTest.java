package io.coldframe.archive.lifecycle;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.MockConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.MockProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.coldframe.common.DeadLetters;
import io.coldframe.common.Topics;

/** Issue 15, the erasure-request topic: a receipt per request, offsets only after it, bad requests named and dead-lettered. */
class ErasureRequestsTest {

    private static final Topics TOPICS = new Topics("t");
    private static final TopicPartition REQUESTS = new TopicPartition(TOPICS.erasureRequests(), 0);
    private static final ObjectMapper JSON = new ObjectMapper();

    private final MockConsumer<byte[], byte[]> consumer = new MockConsumer<>("earliest");
    private final MockProducer<byte[], byte[]> producer = new MockProducer<>(true, null, new ByteArraySerializer(), new ByteArraySerializer());
    private final List<List<String>> erased = new ArrayList<>();
    private IOException failure;

    private final ErasureRequests.Eraser eraser = (ids, agents) -> {
        if (failure != null) {
            throw failure;
        }
        erased.add(List.of(String.join(",", ids), String.join(",", agents)));
        return Map.of("memory_ids", ids);
    };
    private final ErasureRequests requests = new ErasureRequests(consumer, producer, TOPICS, eraser,
            Clock.fixed(Instant.parse("2026-12-02T12:00:00Z"), ZoneOffset.UTC));

    @BeforeEach
    void assign() {
        consumer.assign(List.of(REQUESTS));
        consumer.updateBeginningOffsets(Map.of(REQUESTS, 0L));
    }

    private void request(long offset, String key, String value) {
        consumer.addRecord(new ConsumerRecord<>(REQUESTS.topic(), 0, offset, key == null ? null : key.getBytes(StandardCharsets.UTF_8),
                value == null ? null : value.getBytes(StandardCharsets.UTF_8)));
    }

    private List<JsonNode> receipts() throws IOException {
        List<JsonNode> receipts = new ArrayList<>();
        for (ProducerRecord<byte[], byte[]> sent : producer.history()) {
            if (sent.topic().equals(TOPICS.erasureReceipts())) {
                receipts.add(JSON.readTree(sent.value()));
            }
        }
        return receipts;
    }

    private long committed() {
        OffsetAndMetadata offset = consumer.committed(java.util.Set.of(REQUESTS)).get(REQUESTS);
        return offset == null ? 0 : offset.offset();
    }

    @Test
    void eachRequestIsErasedAnsweredAndThenCommitted() throws IOException {
        request(0, "r-1", "{\"request_id\": \"r-1\", \"ids\": [\"mem-1\", \"mem-2\"]}");
        request(1, "r-2", "{\"request_id\": \"r-2\", \"agents\": [\"agent-7\"]}");

        assertThat(requests.processOnce(Duration.ofMillis(10))).isEqualTo(2);

        assertThat(erased).containsExactly(List.of("mem-1,mem-2", ""), List.of("", "agent-7"));
        List<JsonNode> receipts = receipts();
        assertThat(receipts).extracting(r -> r.get("request_id").asText()).containsExactly("r-1", "r-2");
        assertThat(receipts.get(0).get("completed_at").asText()).isEqualTo("2026-12-02T12:00:00Z");
        assertThat(new String(producer.history().get(0).key(), StandardCharsets.UTF_8)).isEqualTo("r-1");
        assertThat(committed()).isEqualTo(2);
    }

    @Test
    void aMalformedRequestIsNamedDeadLetteredAndTheNextOneStillProcessed() throws IOException {
        request(0, "bad-1", "{\"request_id\": \"bad-1\", \"ids\": [\"mem-1\", 7]}");
        request(1, "bad-2", "not json");
        request(2, "r-3", "{\"request_id\": \"r-3\", \"ids\": [\"mem-3\"]}");

        assertThat(requests.processOnce(Duration.ofMillis(10))).isEqualTo(3);

        assertThat(erased).containsExactly(List.of("mem-3", ""));
        List<JsonNode> receipts = receipts();
        assertThat(receipts.get(0).get("error").asText()).contains("t.erasure.requests-0@0", "field ids[1]");
        assertThat(receipts.get(0).get("erased").asBoolean()).isFalse();
        assertThat(receipts.get(1).get("error").asText()).contains("t.erasure.requests-0@1", "not JSON");
        assertThat(receipts.get(2).get("request_id").asText()).isEqualTo("r-3");
        List<ProducerRecord<byte[], byte[]>> letters = producer.history().stream().filter(r -> r.topic().equals(TOPICS.deadLetter())).toList();
        assertThat(letters).hasSize(2);
        assertThat(DeadLetters.header(letters.get(0).headers(), DeadLetters.STAGE)).isEqualTo("erasure");
        assertThat(DeadLetters.header(letters.get(0).headers(), DeadLetters.REASON)).contains("field ids[1]");
        assertThat(committed()).isEqualTo(3);
    }

    @Test
    void aRequestWithNothingToEraseIsMalformed() throws IOException {
        request(0, "r-0", "{\"request_id\": \"r-0\", \"ids\": [], \"agents\": []}");
        request(1, null, "{\"ids\": [\"mem-1\"]}");

        requests.processOnce(Duration.ofMillis(10));

        assertThat(erased).isEmpty();
        assertThat(receipts()).extracting(r -> r.get("error").asText())
                .satisfiesExactly(e -> assertThat(e).contains("fields ids and agents"), e -> assertThat(e).contains("field request_id"));
    }

    @Test
    void aFailedErasureIsNotCommittedAndIsReadAgain() throws IOException {
        request(0, "r-1", "{\"request_id\": \"r-1\", \"ids\": [\"mem-1\"]}");
        failure = new IOException("MongoDB did not answer in time");

        assertThatThrownBy(() -> requests.processOnce(Duration.ofMillis(10)))
                .hasMessageContaining("t.erasure.requests-0@0").hasMessageContaining("MongoDB did not answer in time");
        assertThat(receipts()).isEmpty();
        assertThat(committed()).isZero();

        assertThat(consumer.position(REQUESTS)).as("the consumer goes back to the failed request").isZero();

        failure = null;
        request(0, "r-1", "{\"request_id\": \"r-1\", \"ids\": [\"mem-1\"]}"); // what the broker delivers again after the seek
        assertThat(requests.processOnce(Duration.ofMillis(10))).isEqualTo(1);
        assertThat(erased).containsExactly(List.of("mem-1", ""));
        assertThat(committed()).isEqualTo(1);
    }

    @Test
    void aReceiptThatCannotBeWrittenLeavesTheRequestUncommitted() {
        MockProducer<byte[], byte[]> failing = new MockProducer<>(false, null, new ByteArraySerializer(), new ByteArraySerializer());
        ErasureRequests withFailingProducer = new ErasureRequests(consumer, failing, TOPICS, eraser, Clock.systemUTC());
        request(0, "r-1", "{\"request_id\": \"r-1\", \"ids\": [\"mem-1\"]}");
        Thread broker = new Thread(() -> {
            while (failing.history().isEmpty()) {
                Thread.onSpinWait();
            }
            failing.errorNext(new org.apache.kafka.common.errors.TimeoutException("broker gone"));
        });
        broker.start();

        assertThatThrownBy(() -> withFailingProducer.processOnce(Duration.ofMillis(10))).hasMessageContaining("broker gone");
        assertThat(committed()).isZero();
    }
}
