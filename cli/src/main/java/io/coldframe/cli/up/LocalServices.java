package io.coldframe.cli.up;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;

import io.coldframe.common.CommonConfigKeys;
import io.coldframe.hotcache.RedisConfigKeys;
import io.coldframe.local.EmbeddedPipeline;
import io.coldframe.local.EmbeddedRedis;
import io.coldframe.local.LocalStack;
import io.coldframe.service.ArchiveService;
import io.coldframe.service.ArchiveServiceConfig;
import io.coldframe.store.SegmentStoreConfig;

/**
 * Every service on a running embedded stack, for a person to explore: the connector, tiering, archivers and purger
 * (EmbeddedPipeline), a real redis-server with the hot-cache keeping it equal to the hot tier, and the archive
 * service over HTTP (its recent reads served from that Redis). {@code coldframe up} and {@code coldframe demo --serve} print
 * its endpoints, one per line, and stay up until interrupted.
 */
public final class LocalServices {

    /** What to run: where segments and state go, how many archivers, the service's HTTP port (0: any free one). */
    public record Settings(Path workDir, Path archiveDir, int archiverWorkers, String httpHost, int httpPort, String writeToken,
                           Map<String, String> streamsConfig) {
    }

    private final LocalStack stack;
    private final Settings settings;
    private final EmbeddedPipeline pipeline;
    private final ArchiveService service;
    private final EmbeddedRedis redis;

    private LocalServices(LocalStack stack, Settings settings, EmbeddedPipeline pipeline, ArchiveService service, EmbeddedRedis redis) {
        this.stack = stack;
        this.settings = settings;
        this.pipeline = pipeline;
        this.service = service;
        this.redis = redis;
    }

    /** Starts the pipeline, the connector and the archive service on {@code stack}. */
    public static LocalServices start(LocalStack stack, Settings settings) throws IOException {
        EmbeddedPipeline pipeline = new EmbeddedPipeline(new EmbeddedPipeline.Settings(stack.bootstrapServers(), stack.topics().prefix(),
                stack.mongoUri(), stack.database(), stack.collection(), settings.workDir(), settings.archiveDir(),
                settings.archiverWorkers(), Duration.ofSeconds(2), Duration.ofSeconds(1), settings.streamsConfig()));
        ArchiveService service = null;
        EmbeddedRedis redis = null;
        try {
            pipeline.start();
            redis = EmbeddedRedis.start();
            pipeline.startHotCache(redis.url(), Map.of());
            stack.startConnector();
            service = new ArchiveService(ArchiveServiceConfig.load(serviceConfig(stack, settings, redis)));
            service.start();
            return new LocalServices(stack, settings, pipeline, service, redis);
        } catch (IOException | RuntimeException e) {
            if (service != null) {
                service.close();
            }
            closeQuietly(pipeline);
            if (redis != null) {
                redis.close();
            }
            throw e;
        }
    }

    private static Map<String, Object> serviceConfig(LocalStack stack, Settings settings, EmbeddedRedis redis) {
        Map<String, Object> values = new HashMap<>();
        values.put(CommonConfigKeys.BOOTSTRAP_SERVERS, stack.bootstrapServers());
        values.put(CommonConfigKeys.TOPIC_PREFIX, stack.topics().prefix());
        values.put(CommonConfigKeys.MONGODB_URI, stack.mongoUri());
        values.put(CommonConfigKeys.MONGODB_DATABASE, stack.database());
        values.put(CommonConfigKeys.MONGODB_COLLECTION, stack.collection());
        values.put(CommonConfigKeys.OPS_PORT, "0");
        values.put(SegmentStoreConfig.STORE_DIR, settings.archiveDir().toString());
        values.put(ArchiveServiceConfig.STATE_DIR, settings.workDir().resolve("service-state").toString());
        values.put(ArchiveServiceConfig.CACHE_DIR, settings.workDir().resolve("service-cache").toString());
        values.put(ArchiveServiceConfig.HTTP_HOST, settings.httpHost());
        values.put(ArchiveServiceConfig.HTTP_PORT, Integer.toString(settings.httpPort()));
        values.put(RedisConfigKeys.URL, redis.url());
        if (settings.writeToken() != null) {
            values.put(ArchiveServiceConfig.WRITE_TOKEN, settings.writeToken());
        }
        return values;
    }

    /** One line per endpoint, {@code name: address}, so scripts and people can find each. */
    public void printEndpoints(PrintStream out) {
        out.println("mongodb: " + stack.mongoUri() + (stack.isMongoStandIn() ? " (in-JVM stand-in)" : ""));
        out.println("kafka: " + stack.bootstrapServers());
        out.println("connect: " + stack.connect().restUrl());
        out.println("archive: " + settings.archiveDir().toAbsolutePath());
        out.println("redis: " + redis.url());
        out.println("service: " + service.url());
        out.flush();
    }

    /**
     * Blocks until the JVM is told to stop (Ctrl-C, SIGTERM), then closes these services and after them
     * {@code stack}, each step printed as it ends; past {@code stopTimeout} it prints every thread's stack and halts.
     */
    public void serveUntilInterrupted(PrintStream out, LocalStack stack, Duration stopTimeout) throws InterruptedException {
        ShutdownSequence shutdown = new ShutdownSequence(out, stopTimeout, Runtime.getRuntime()::halt)
                .then("the archive service", service::close)
                .then("the pipeline", pipeline::close)
                .then("redis", redis::close)
                .then("the embedded stack", stack::close);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            out.println("stopping ...");
            shutdown.run();
        }, "coldframe-up-shutdown"));
        out.println("up; Ctrl-C stops everything");
        out.flush();
        Thread.currentThread().join();
    }

    private static void closeQuietly(EmbeddedPipeline pipeline) {
        try {
            pipeline.close();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
