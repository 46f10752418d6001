package io.coldframe.service;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.LongSupplier;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.ListOffsetsOptions;
import org.apache.kafka.clients.admin.ListOffsetsResult.ListOffsetsResultInfo;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.IsolationLevel;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.UnknownTopicOrPartitionException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.bson.BsonString;

import io.coldframe.common.CommonConfigKeys;
import io.coldframe.common.KafkaConnection;
import io.coldframe.common.Topics;
import io.coldframe.common.ops.Secrets;
import io.coldframe.store.SegmentStore;

/**
 * Measures what {@link HealthScore} scores: reachability of MongoDB, Kafka and the object store (each within
 * {@value HealthConfig#TIMEOUT_MS}), consumer lag of each stage on the group ids the services really use (Admin
 * listOffsets against listConsumerGroupOffsets, read_committed as they read), dead letters and changes in the last
 * hour (offsets by timestamp), the purge backlog and how long its oldest segment has waited, verification failures
 * seen by this service and the last scrub's failures.
 */
final class HealthProbe implements AutoCloseable {

    private static final Duration RATE_WINDOW = Duration.ofHours(1);
    private static final String PROBE_ID = "coldframe-health-probe";

    private final KafkaConnection kafka;
    private final Topics topics;
    private final Map<String, String[]> stages = new LinkedHashMap<>();
    private final MongoReads mongo;
    private final SegmentStore store;
    private final GetTimings timings;
    private final LongSupplier verifyFailures;
    private final Path scrubMetrics;
    private final Duration timeout;
    private final ExecutorService pool;
    private final Clock clock;
    private final Admin admin;

    HealthProbe(ArchiveServiceConfig config, MongoReads mongo, SegmentStore store, GetTimings timings, LongSupplier verifyFailures,
                ExecutorService pool, Clock clock) {
        this.kafka = KafkaConnection.from(config);
        this.topics = config.topics();
        stages.put("tiering", new String[] {config.getString(HealthConfig.TIERING_GROUP), topics.changes()});
        stages.put("archiver", new String[] {config.getString(HealthConfig.ARCHIVER_GROUP), topics.cold()});
        stages.put("purger", new String[] {config.getString(HealthConfig.PURGER_GROUP), topics.segmentsCommitted()});
        stages.put("catalog", new String[] {config.getString(ArchiveServiceConfig.APPLICATION_ID), topics.catalog()});
        this.mongo = mongo;
        this.store = store;
        this.timings = timings;
        this.verifyFailures = verifyFailures;
        String scrub = config.getString(HealthConfig.SCRUB_METRICS_FILE);
        this.scrubMetrics = scrub.isBlank() ? null : Path.of(scrub);
        this.timeout = Duration.ofMillis(config.getInt(HealthConfig.TIMEOUT_MS));
        this.pool = pool;
        this.clock = clock;
        Map<String, Object> adminConfig = kafka.map();
        adminConfig.put(AdminClientConfig.CLIENT_ID_CONFIG, "coldframe-archive-service-health");
        adminConfig.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, (int) timeout.toMillis());
        adminConfig.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, (int) timeout.toMillis());
        this.admin = Admin.create(adminConfig);
    }

    /** Every signal, measured now; a component that does not answer in time is unreachable, never a hang. */
    synchronized HealthInputs measure() {
        Map<String, String> unreachable = new LinkedHashMap<>();
        CompletableFuture<String> mongoCheck = mongo.byId(new BsonString(PROBE_ID)).thenApply(found -> (String) null)
                .orTimeout(timeout.toMillis(), TimeUnit.MILLISECONDS).exceptionally(HealthProbe::reason);
        CompletableFuture<String> storeCheck = CompletableFuture.supplyAsync(() -> {
            try {
                store.contains(PROBE_ID);
                return (String) null;
            } catch (IOException | RuntimeException e) {
                return reason(e);
            }
        }, pool).orTimeout(timeout.toMillis(), TimeUnit.MILLISECONDS).exceptionally(HealthProbe::reason);
        String kafka = kafkaReason();
        List<HealthInputs.StageLag> lags = new ArrayList<>();
        long deadLetters = 0;
        long changes = 0;
        Duration oldestPurgeWait = Duration.ZERO;
        long purgeBacklog = 0;
        if (kafka != null) {
            unreachable.put("kafka", kafka);
        } else {
            try {
                for (Map.Entry<String, String[]> stage : stages.entrySet()) {
                    HealthInputs.StageLag lag = lag(stage.getKey(), stage.getValue()[0], stage.getValue()[1]);
                    lags.add(lag);
                    if ("purger".equals(stage.getKey())) {
                        purgeBacklog = lag.lag();
                        oldestPurgeWait = lag.lag() == 0 ? Duration.ZERO : oldestWait(stage.getValue()[0], stage.getValue()[1]);
                    }
                }
                deadLetters = recordsSince(topics.deadLetter());
                changes = recordsSince(topics.changes());
            } catch (Exception e) {
                unreachable.put("kafka", reason(e));
            }
        }
        put(unreachable, "mongodb", mongoCheck.join());
        put(unreachable, "object_store", storeCheck.join());
        return new HealthInputs(lags, deadLetters, changes, purgeBacklog, oldestPurgeWait, verifyFailures.getAsLong(), scrubFailures(),
                timings.p95ByTier(), unreachable);
    }

    private String kafkaReason() {
        try {
            admin.describeCluster().clusterId().get(timeout.toMillis(), TimeUnit.MILLISECONDS);
            return null;
        } catch (Exception e) {
            return reason(e);
        }
    }

    private HealthInputs.StageLag lag(String stage, String group, String topic) throws Exception {
        List<TopicPartition> partitions = partitions(topic);
        if (partitions.isEmpty()) {
            return new HealthInputs.StageLag(stage, group, topic, 0, 0, 0);
        }
        Map<TopicPartition, ListOffsetsResultInfo> ends = offsets(partitions, OffsetSpec.latest());
        Map<TopicPartition, OffsetAndMetadata> committed = admin.listConsumerGroupOffsets(group).partitionsToOffsetAndMetadata()
                .get(timeout.toMillis(), TimeUnit.MILLISECONDS);
        long total = 0;
        int lagging = 0;
        for (TopicPartition p : partitions) {
            OffsetAndMetadata offset = committed.get(p);
            long lag = Math.max(0, ends.get(p).offset() - (offset == null ? 0 : offset.offset()));
            total += lag;
            lagging += lag > 0 ? 1 : 0;
        }
        return new HealthInputs.StageLag(stage, group, topic, total, lagging, partitions.size());
    }

    /** Records written to {@code topic} in the last hour: the latest offset minus the first offset at or after an hour ago. */
    private long recordsSince(String topic) throws Exception {
        List<TopicPartition> partitions = partitions(topic);
        if (partitions.isEmpty()) {
            return 0;
        }
        Map<TopicPartition, ListOffsetsResultInfo> ends = offsets(partitions, OffsetSpec.latest());
        Map<TopicPartition, ListOffsetsResultInfo> since = offsets(partitions,
                OffsetSpec.forTimestamp(clock.instant().minus(RATE_WINDOW).toEpochMilli()));
        long n = 0;
        for (TopicPartition p : partitions) {
            long from = since.get(p).offset();
            n += from < 0 ? 0 : Math.max(0, ends.get(p).offset() - from);
        }
        return n;
    }

    /**
     * How long the oldest committed segment the purger has not consumed yet has waited (its record's timestamp). A
     * partition whose only unconsumed offset is a transaction marker holds no segment: it is done when the position
     * reaches the end.
     */
    private Duration oldestWait(String group, String topic) throws Exception {
        List<TopicPartition> partitions = partitions(topic);
        Map<TopicPartition, ListOffsetsResultInfo> ends = offsets(partitions, OffsetSpec.latest());
        Map<TopicPartition, OffsetAndMetadata> committed = admin.listConsumerGroupOffsets(group).partitionsToOffsetAndMetadata()
                .get(timeout.toMillis(), TimeUnit.MILLISECONDS);
        Properties props = kafka.properties();
        props.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        props.put(ConsumerConfig.CLIENT_ID_CONFIG, "coldframe-archive-service-health");
        long oldest = Long.MAX_VALUE;
        try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(props, new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
            List<TopicPartition> open = new ArrayList<>();
            for (TopicPartition p : partitions) {
                long from = committed.get(p) == null ? 0 : committed.get(p).offset();
                if (from < ends.get(p).offset()) {
                    open.add(p);
                }
            }
            consumer.assign(open);
            for (TopicPartition p : open) {
                OffsetAndMetadata offset = committed.get(p);
                if (offset == null) {
                    consumer.seekToBeginning(List.of(p));
                } else {
                    consumer.seek(p, offset.offset());
                }
            }
            long deadline = System.nanoTime() + timeout.toNanos();
            while (!open.isEmpty() && System.nanoTime() < deadline) {
                for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(100))) {
                    TopicPartition p = new TopicPartition(r.topic(), r.partition());
                    if (open.remove(p)) {
                        oldest = Math.min(oldest, r.timestamp());
                        consumer.pause(List.of(p));
                    }
                }
                open.removeIf(p -> consumer.position(p) >= ends.get(p).offset());
            }
        }
        return oldest == Long.MAX_VALUE ? Duration.ZERO : Duration.ofMillis(Math.max(0, clock.millis() - oldest));
    }

    private List<TopicPartition> partitions(String topic) throws Exception {
        try {
            TopicDescription description = admin.describeTopics(List.of(topic)).allTopicNames()
                    .get(timeout.toMillis(), TimeUnit.MILLISECONDS).get(topic);
            return description.partitions().stream().map(p -> new TopicPartition(topic, p.partition())).toList();
        } catch (ExecutionException e) {
            if (e.getCause() instanceof UnknownTopicOrPartitionException) {
                return List.of(); // not created yet: nothing written, nothing lagging
            }
            throw e;
        }
    }

    private Map<TopicPartition, ListOffsetsResultInfo> offsets(List<TopicPartition> partitions, OffsetSpec spec) throws Exception {
        Map<TopicPartition, OffsetSpec> request = new HashMap<>();
        partitions.forEach(p -> request.put(p, spec));
        return admin.listOffsets(request, new ListOffsetsOptions(IsolationLevel.READ_COMMITTED)).all()
                .get(timeout.toMillis(), TimeUnit.MILLISECONDS);
    }

    /** coldframe_scrub_segments_failed from the last scrub's metrics file; 0 when none is configured or written yet. */
    private long scrubFailures() {
        if (scrubMetrics == null || !Files.isRegularFile(scrubMetrics)) {
            return 0;
        }
        try {
            return Files.readAllLines(scrubMetrics).stream().filter(l -> l.startsWith("coldframe_scrub_segments_failed"))
                    .mapToLong(l -> (long) Double.parseDouble(l.substring(l.lastIndexOf(' ') + 1))).max().orElse(0);
        } catch (IOException | NumberFormatException e) {
            return 0;
        }
    }

    private static void put(Map<String, String> unreachable, String component, String reason) {
        if (reason != null) {
            unreachable.put(component, reason);
        }
    }

    /** A short reason without credentials: the innermost cause's message (a timeout says how long). */
    private static String reason(Throwable e) {
        Throwable cause = e;
        while (cause.getCause() != null && cause.getCause() != cause) {
            cause = cause.getCause();
        }
        String message = cause instanceof TimeoutException ? "no answer in time" : cause.getClass().getSimpleName()
                + (cause.getMessage() == null ? "" : ": " + cause.getMessage());
        return Secrets.redact(message);
    }

    @Override
    public void close() {
        admin.close(Duration.ofSeconds(2));
    }
}
