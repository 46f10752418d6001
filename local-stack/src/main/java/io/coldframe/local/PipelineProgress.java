package io.coldframe.local;

import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.function.Consumer;
import java.util.stream.Collectors;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.ListOffsetsOptions;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.IsolationLevel;
import org.apache.kafka.common.TopicPartition;

/**
 * Tells when the pipeline has drained: the connector published at least one event per loaded document, and the
 * streams app, the archivers and the purger have each committed everything on their input topic, with nothing
 * moving between two looks one settle period apart.
 */
public final class PipelineProgress {

    public record Stage(String groupId, String topic) {
    }

    public record Snapshot(long changesPublished, Map<String, Long> lagByGroup, Map<TopicPartition, Long> endOffsets) {
        public boolean drained(long expectedChanges) {
            return changesPublished >= expectedChanges && lagByGroup.values().stream().allMatch(lag -> lag == 0);
        }
    }

    private final Admin admin;
    private final String changesTopic;
    private final List<Stage> stages;

    public PipelineProgress(Admin admin, String changesTopic, List<Stage> stages) {
        this.admin = admin;
        this.changesTopic = changesTopic;
        this.stages = stages;
    }

    /** Waits until drained; returns false on timeout. */
    public boolean awaitDrained(long expectedChanges, Duration settle, Duration timeout, Consumer<Snapshot> onProgress) throws InterruptedException {
        Instant deadline = Instant.now().plus(timeout);
        Snapshot previous = null;
        while (Instant.now().isBefore(deadline)) {
            Snapshot current = snapshot();
            onProgress.accept(current);
            if (current.drained(expectedChanges) && previous != null && previous.drained(expectedChanges)
                    && previous.endOffsets().equals(current.endOffsets())) {
                return true;
            }
            previous = current.drained(expectedChanges) ? current : null;
            Thread.sleep(settle.toMillis());
        }
        return false;
    }

    public Snapshot snapshot() {
        try {
            List<String> topics = stages.stream().map(Stage::topic).distinct().collect(Collectors.toList());
            if (!topics.contains(changesTopic)) {
                topics.add(changesTopic);
            }
            Map<TopicPartition, Long> endOffsets = endOffsets(topics);
            long changes = endOffsets.entrySet().stream().filter(e -> e.getKey().topic().equals(changesTopic))
                    .mapToLong(Map.Entry::getValue).sum();
            Map<String, Long> lag = new HashMap<>();
            for (Stage stage : stages) {
                Map<TopicPartition, OffsetAndMetadata> committed = admin.listConsumerGroupOffsets(stage.groupId())
                        .partitionsToOffsetAndMetadata().get();
                long stageLag = endOffsets.entrySet().stream()
                        .filter(e -> e.getKey().topic().equals(stage.topic()))
                        .mapToLong(e -> {
                            OffsetAndMetadata offset = committed.get(e.getKey());
                            return Math.max(0, e.getValue() - (offset == null ? 0 : offset.offset()));
                        }).sum();
                lag.put(stage.groupId(), stageLag);
            }
            return new Snapshot(changes, lag, endOffsets);
        } catch (ExecutionException e) {
            throw new IllegalStateException("could not read pipeline progress from Kafka: " + e.getCause().getMessage(), e.getCause());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
    }

    private Map<TopicPartition, Long> endOffsets(List<String> topics) throws ExecutionException, InterruptedException {
        Map<TopicPartition, OffsetSpec> request = new HashMap<>();
        admin.describeTopics(topics).allTopicNames().get().forEach((name, description) ->
                description.partitions().forEach(p -> request.put(new TopicPartition(name, p.partition()), OffsetSpec.latest())));
        Map<TopicPartition, Long> offsets = new HashMap<>();
        admin.listOffsets(request, new ListOffsetsOptions(IsolationLevel.READ_COMMITTED)).all().get()
                .forEach((partition, info) -> offsets.put(partition, info.offset()));
        return offsets;
    }
}
