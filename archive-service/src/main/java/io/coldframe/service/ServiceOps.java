package io.coldframe.service;

import java.io.IOException;

import org.apache.kafka.streams.KafkaStreams;

import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.binder.kafka.KafkaStreamsMetrics;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;

import io.coldframe.archive.ArchiveReader;
import io.coldframe.common.CommonConfigKeys;
import io.coldframe.common.KafkaConnection;
import io.coldframe.common.ops.KafkaHealth;
import io.coldframe.common.ops.OpsMetrics;
import io.coldframe.common.ops.OpsServer;

/**
 * The archive service's ops endpoint ({@code ops.port}, like every service's): ready when Kafka and MongoDB answer and
 * the catalog index is RUNNING; metrics (besides Kafka Streams' and the JVM's):
 * <ul>
 *   <li>{@code coldframe_service_archive_gets_total}, {@code coldframe_service_block_cache_hits_total}: gets read from
 *       segments, and those the decoded-block cache answered;</li>
 *   <li>{@code coldframe_service_fetched_bytes_total{kind="frames"|"metadata"}}: bytes fetched from the segment store;</li>
 *   <li>{@code coldframe_service_cached_blocks}: decoded blocks held.</li>
 * </ul>
 */
final class ServiceOps implements AutoCloseable {

    private final ArchiveServiceConfig config;
    private final PrometheusMeterRegistry registry = OpsMetrics.newRegistry();
    private OpsServer server;

    ServiceOps(ArchiveServiceConfig config, KafkaStreams streams, ArchiveReader reader) {
        this.config = config;
        new KafkaStreamsMetrics(streams).bindTo(registry);
        FunctionCounter.builder("coldframe.service.archive.gets", reader, ArchiveReader::gets)
                .description("Gets by id read from segments").register(registry);
        FunctionCounter.builder("coldframe.service.block.cache.hits", reader, ArchiveReader::cacheHits)
                .description("Gets the decoded-block cache answered").register(registry);
        FunctionCounter.builder("coldframe.service.fetched.bytes", reader, ArchiveReader::framesBytesFetched).tag("kind", "frames")
                .description("Bytes fetched from the segment store").register(registry);
        FunctionCounter.builder("coldframe.service.fetched.bytes", reader, ArchiveReader::metadataBytesFetched).tag("kind", "metadata")
                .description("Bytes fetched from the segment store").register(registry);
        Gauge.builder("coldframe.service.cached.blocks", reader, ArchiveReader::cachedBlocks).description("Decoded blocks held")
                .register(registry);
    }

    /** Starts serving on {@code ops.port} unless it is 0. */
    void start(CatalogIndex index, KafkaStreams streams, MongoReads mongo) throws IOException {
        int port = config.getInt(CommonConfigKeys.OPS_PORT);
        if (port == 0) {
            return;
        }
        KafkaHealth kafka = new KafkaHealth(KafkaConnection.from(config));
        server = OpsServer.builder("archive-service").registry(registry)
                .liveness(() -> streams.state() != KafkaStreams.State.ERROR && streams.state() != KafkaStreams.State.NOT_RUNNING
                        && streams.state() != KafkaStreams.State.PENDING_ERROR)
                .readiness("kafka", kafka)
                .readiness("mongodb", new MongoReadiness(mongo::ping))
                .readiness("catalog", timeout -> {
                    if (!index.ready()) {
                        throw new IllegalStateException("the catalog index is " + streams.state());
                    }
                })
                .closing(kafka).closing(OpsMetrics.bindJvm(registry))
                .start(config.getString(CommonConfigKeys.OPS_BIND_ADDRESS), port);
    }

    @Override
    public void close() {
        if (server != null) {
            server.close();
        }
        registry.close();
    }
}
