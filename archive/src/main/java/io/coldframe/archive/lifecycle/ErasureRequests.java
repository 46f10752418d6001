package io.coldframe.archive.lifecycle;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ExecutionException;

import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.TopicPartition;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.coldframe.archive.ArchiveCatalog;
import io.coldframe.common.DeadLetters;
import io.coldframe.common.KafkaConnection;
import io.coldframe.common.Topics;

/**
 * Erases what each request on {@code <prefix>.erasure.requests} names and answers it with a receipt on
 * {@code <prefix>.erasure.receipts}, keyed by the request id. A request is a JSON object
 * {@code {"request_id": "...", "ids": [memory ids], "agents": [agent ids]}} (ids spelled as for {@code coldframe erase --id}).
 *
 * <p>At least once: a request's offset is committed only after its receipt was acknowledged, so a crash in between
 * processes it again, which erasure makes harmless (a second erasure finds nothing and its receipt says so). A
 * malformed request gets a receipt naming the request and the field, goes to the dead-letter topic, and the next one
 * is processed. An erasure that fails (MongoDB, the store or Kafka unreachable) is not committed: the consumer goes
 * back to that request, and the caller tries again after a pause.
 */
public final class ErasureRequests {

    private static final Logger LOG = LoggerFactory.getLogger(ErasureRequests.class);
    private static final ObjectMapper JSON = new ObjectMapper();
    static final String STAGE = "erasure";

    /** A well-formed request. */
    public record Request(String requestId, List<String> ids, List<String> agents) {
    }

    /** Erases the memories of {@code ids} (as typed) and of {@code agents}; the receipt as JSON ({@link ErasureReceipts}). */
    @FunctionalInterface
    public interface Eraser {
        Map<String, Object> erase(List<String> ids, List<String> agents) throws IOException;
    }

    /** A request that cannot be processed as it is: names the field at fault. */
    static final class MalformedRequestException extends Exception {
        MalformedRequestException(String message) {
            super(message);
        }
    }

    private final Consumer<byte[], byte[]> consumer;
    private final Producer<byte[], byte[]> producer;
    private final Topics topics;
    private final Eraser eraser;
    private final Clock clock;

    /** @param consumer subscribed (or assigned) to {@link Topics#erasureRequests()}, auto-commit off */
    public ErasureRequests(Consumer<byte[], byte[]> consumer, Producer<byte[], byte[]> producer, Topics topics, Eraser eraser, Clock clock) {
        this.consumer = consumer;
        this.producer = producer;
        this.topics = topics;
        this.eraser = eraser;
        this.clock = clock;
    }

    /** A consumer of the requests in the group {@code <prefix>-erasure}: committed reads, offsets committed by hand. */
    public static Properties consumerProperties(KafkaConnection kafka, Topics topics, Duration timeout) {
        Properties props = ArchiveCatalog.consumerProperties(kafka, timeout);
        props.put(ConsumerConfig.GROUP_ID_CONFIG, topics.prefix() + "-erasure");
        props.put(ConsumerConfig.CLIENT_ID_CONFIG, "coldframe-erasure");
        props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        props.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        props.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, 10); // an erasure may rewrite segments: keep each poll's work short
        return props;
    }

    /**
     * Processes the requests one poll returns, in order. Stops at the first erasure that fails, leaving it (and what
     * follows) to be read again, and throws its error.
     *
     * @return the requests answered with a receipt
     */
    public int processOnce(Duration poll) throws IOException {
        int answered = 0;
        for (ConsumerRecord<byte[], byte[]> record : consumer.poll(poll)) {
            TopicPartition partition = new TopicPartition(record.topic(), record.partition());
            try {
                process(record);
            } catch (IOException | RuntimeException e) {
                consumer.seek(partition, record.offset());
                throw new IOException("erasure request at " + where(record) + " failed, to be tried again: " + e.getMessage(), e);
            }
            consumer.commitSync(Map.of(partition, new OffsetAndMetadata(record.offset() + 1)));
            answered++;
        }
        return answered;
    }

    private void process(ConsumerRecord<byte[], byte[]> record) throws IOException {
        Map<String, Object> receipt = new LinkedHashMap<>();
        Request request;
        try {
            request = parse(record);
        } catch (MalformedRequestException e) {
            String reason = "erasure request at " + where(record) + ": " + e.getMessage();
            LOG.warn("{}; dead-lettered, nothing erased", reason);
            receipt.put("request_id", record.key() == null ? null : new String(record.key(), StandardCharsets.UTF_8));
            receipt.put("error", reason);
            receipt.put("erased", false);
            receipt.put("completed_at", clock.instant().toString());
            deadLetter(record, reason);
            send(record.key(), receipt);
            return;
        }
        receipt.put("request_id", request.requestId());
        receipt.putAll(eraser.erase(request.ids(), request.agents()));
        receipt.put("completed_at", clock.instant().toString());
        send(request.requestId().getBytes(StandardCharsets.UTF_8), receipt);
        LOG.info("erasure request {} answered: {} memories", request.requestId(), ((List<?>) receipt.getOrDefault("memory_ids", List.of())).size());
    }

    static Request parse(ConsumerRecord<byte[], byte[]> record) throws MalformedRequestException {
        if (record.value() == null) {
            throw new MalformedRequestException("no value (a tombstone is not a request)");
        }
        JsonNode json;
        try {
            json = JSON.readTree(record.value());
        } catch (JsonProcessingException e) {
            throw new MalformedRequestException("not JSON: " + e.getOriginalMessage());
        } catch (IOException e) {
            throw new MalformedRequestException("not JSON: " + e.getMessage());
        }
        if (json == null || !json.isObject()) {
            throw new MalformedRequestException("not a JSON object");
        }
        JsonNode id = json.get("request_id");
        if (id == null || !id.isTextual() || id.asText().isBlank()) {
            throw new MalformedRequestException("field request_id: missing or not a non-empty string");
        }
        List<String> ids = strings(json, "ids");
        List<String> agents = strings(json, "agents");
        if (ids.isEmpty() && agents.isEmpty()) {
            throw new MalformedRequestException("fields ids and agents: both empty, nothing to erase");
        }
        return new Request(id.asText(), ids, agents);
    }

    private static List<String> strings(JsonNode json, String field) throws MalformedRequestException {
        JsonNode node = json.get(field);
        List<String> values = new ArrayList<>();
        if (node == null || node.isNull()) {
            return values;
        }
        if (!node.isArray()) {
            throw new MalformedRequestException("field " + field + ": not an array of strings");
        }
        for (int i = 0; i < node.size(); i++) {
            if (!node.get(i).isTextual() || node.get(i).asText().isEmpty()) {
                throw new MalformedRequestException("field " + field + "[" + i + "]: not a non-empty string");
            }
            values.add(node.get(i).asText());
        }
        return values;
    }

    private void deadLetter(ConsumerRecord<byte[], byte[]> record, String reason) throws IOException {
        ProducerRecord<byte[], byte[]> letter = new ProducerRecord<>(topics.deadLetter(), record.key(), record.value());
        DeadLetters.describe(letter.headers(), STAGE, reason, record.topic(), record.partition(), record.offset());
        acknowledged(letter, "the dead letter of the request at " + where(record));
    }

    private void send(byte[] key, Map<String, Object> receipt) throws IOException {
        acknowledged(new ProducerRecord<>(topics.erasureReceipts(), key, JSON.writeValueAsBytes(receipt)),
                "the receipt of erasure request " + receipt.get("request_id"));
    }

    private void acknowledged(ProducerRecord<byte[], byte[]> record, String what) throws IOException {
        try {
            producer.send(record).get();
        } catch (ExecutionException e) {
            throw new IOException("could not write " + what + " to " + record.topic() + ": " + e.getCause().getMessage(), e.getCause());
        } catch (KafkaException e) {
            throw new IOException("could not write " + what + " to " + record.topic() + ": " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while writing " + what, e);
        }
    }

    private static String where(ConsumerRecord<?, ?> record) {
        return record.topic() + "-" + record.partition() + "@" + record.offset();
    }
}
