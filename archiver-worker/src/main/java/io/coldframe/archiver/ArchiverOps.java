package io.coldframe.archiver;

import java.io.IOException;
import java.util.Collection;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import org.apache.kafka.common.TopicPartition;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Timer;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;

import io.coldframe.common.CommonConfigKeys;
import io.coldframe.common.KafkaConnection;
import io.coldframe.common.ops.KafkaHealth;
import io.coldframe.common.ops.OpsMetrics;
import io.coldframe.common.ops.OpsServer;

/**
 * The archiver's ops endpoint ({@code ops.port}): ready when Kafka answers; metrics are the JVM, the archiving
 * protocol as it happens and the group's lag on the cold topic per partition (what KEDA scales on):
 * <ul>
 *   <li>{@code coldframe_archiver_segments_total}: segments committed (verified, stored, commit event published);</li>
 *   <li>{@code coldframe_archiver_memories_total}: memories in them;</li>
 *   <li>{@code coldframe_archiver_segment_seconds}: batch closed to transaction committed, per segment;</li>
 *   <li>{@code coldframe_archiver_batches_dropped_total}: open batches dropped on a rebalance (re-read by the next owner);</li>
 *   <li>{@code coldframe_archiver_segment_conflicts_total}: batches the store refused because their segment id is taken
 *   by other bytes (retried, and refused, until an operator resolves it: the ColdframeSegmentConflict alert);</li>
 *   <li>{@code coldframe_consumer_lag{group,topic,partition}}: cold records not archived yet.</li>
 * </ul>
 */
final class ArchiverOps implements ArchiveProgressListener, AutoCloseable {

    private final ArchiverConfig config;
    private final PrometheusMeterRegistry registry = OpsMetrics.newRegistry();
    private final Counter segments;
    private final Counter memories;
    private final Counter droppedBatches;
    private final Counter conflicts;
    private final Timer segmentTime;
    private final Map<String, Timer.Sample> open = new ConcurrentHashMap<>();
    private java.util.function.BooleanSupplier liveness = () -> true;
    private OpsServer server;

    ArchiverOps(ArchiverConfig config) {
        this.config = config;
        this.segments = Counter.builder("coldframe.archiver.segments").description("Segments committed").register(registry);
        this.memories = Counter.builder("coldframe.archiver.memories").description("Memories archived in committed segments").register(registry);
        this.droppedBatches = Counter.builder("coldframe.archiver.batches.dropped")
                .description("Open batches dropped uncommitted because their partition was revoked").register(registry);
        this.conflicts = Counter.builder("coldframe.archiver.segment.conflicts")
                .description("Batches not archived because a stored segment of the same id has other bytes").register(registry);
        this.segmentTime = Timer.builder("coldframe.archiver.segment")
                .description("From a batch closing to its segment's transaction committing").register(registry);
    }

    /** What {@code /health/live} answers: the archive loop's state (set before {@link #start}). */
    void liveness(java.util.function.BooleanSupplier alive) {
        this.liveness = alive;
    }

    /** Starts serving on {@code ops.port} unless it is 0. */
    void start() throws IOException {
        int port = config.getInt(CommonConfigKeys.OPS_PORT);
        if (port == 0) {
            return;
        }
        KafkaHealth kafka = new KafkaHealth(KafkaConnection.from(config));
        server = OpsServer.builder("archiver-worker").registry(registry)
                .liveness(liveness)
                .readiness("kafka", kafka)
                .beforeScrape(kafka.consumerLag(registry, config.getString(ArchiverConfig.GROUP_ID), config.topics().cold()))
                .closing(kafka).closing(OpsMetrics.bindJvm(registry))
                .start(config.getString(CommonConfigKeys.OPS_BIND_ADDRESS), port);
    }

    @Override
    public void segmentWriting(String segmentId, int records) {
        open.put(segmentId, Timer.start(registry));
    }

    @Override
    public void committed(String segmentId, int archived) {
        segments.increment();
        memories.increment(archived);
        Timer.Sample sample = open.remove(segmentId);
        if (sample != null) {
            sample.stop(segmentTime);
        }
    }

    @Override
    public void segmentConflict(String segmentId) {
        conflicts.increment();
    }

    @Override
    public void batchesDropped(Collection<TopicPartition> partitions) {
        droppedBatches.increment(partitions.size());
    }

    @Override
    public void close() {
        if (server != null) {
            server.close();
        }
    }
}
