package io.coldframe.local;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import io.coldframe.archiver.ArchiverConfig;
import io.coldframe.archiver.ArchiverWorker;
import io.coldframe.common.CommonConfigKeys;
import io.coldframe.hotcache.HotCacheConfig;
import io.coldframe.hotcache.HotCacheService;
import io.coldframe.hotcache.RedisConfigKeys;
import io.coldframe.purger.Purger;
import io.coldframe.purger.PurgerConfig;
import io.coldframe.store.SegmentStoreConfig;
import io.coldframe.streams.StreamsApp;
import io.coldframe.streams.StreamsAppConfig;

/**
 * The coldframe services in this JVM, configured through the same keys a deployment uses: the tiering streams
 * app, archiver workers sharing one consumer group, the purger, and on request the hot-cache.
 */
public final class EmbeddedPipeline implements AutoCloseable {

    /** {@code streamsConfig}: further streams-app keys (rules file, overrides ...), as a deployment would set them. */
    public record Settings(String bootstrapServers, String topicPrefix, String mongoUri, String database, String collection,
                    Path workDir, Path archiveDir, int archiverWorkers, Duration batchLinger, Duration punctuationInterval,
                    Map<String, String> streamsConfig) {
    }

    private final Settings settings;
    private final List<PipelineProgress.Stage> stages = new ArrayList<>();
    private final StreamsApp streamsApp;
    private final List<ArchiverWorker> archivers = new ArrayList<>();
    private final Purger purger;
    private final List<Thread> threads = new ArrayList<>();
    private HotCacheService hotCache;
    private boolean archivingStarted;

    public EmbeddedPipeline(Settings settings) throws IOException {
        this.settings = settings;
        Map<String, String> streams = new HashMap<>(settings.streamsConfig());
        streams.put(CommonConfigKeys.BOOTSTRAP_SERVERS, settings.bootstrapServers());
        streams.put(CommonConfigKeys.TOPIC_PREFIX, settings.topicPrefix());
        streams.put(StreamsAppConfig.STATE_DIR, settings.workDir().resolve("streams-state").toString());
        streams.put(StreamsAppConfig.PUNCTUATION_INTERVAL_MS, Long.toString(settings.punctuationInterval().toMillis()));
        streams.put(CommonConfigKeys.OPS_PORT, "0");
        StreamsAppConfig streamsConfig = StreamsAppConfig.load(streams);
        this.streamsApp = new StreamsApp(streamsConfig);
        stages.add(new PipelineProgress.Stage(streamsConfig.getString(StreamsAppConfig.APPLICATION_ID), streamsConfig.topics().changes()));
        for (int i = 0; i < settings.archiverWorkers(); i++) {
            ArchiverConfig archiverConfig = ArchiverConfig.load(Map.of(
                    CommonConfigKeys.BOOTSTRAP_SERVERS, settings.bootstrapServers(),
                    CommonConfigKeys.TOPIC_PREFIX, settings.topicPrefix(),
                    ArchiverConfig.INSTANCE_ID, "local-" + i,
                    ArchiverConfig.BATCH_LINGER_MS, Long.toString(settings.batchLinger().toMillis()),
                    SegmentStoreConfig.STORE_DIR, settings.archiveDir().toString(),
                    // Per run: a worker clears its staging directory when it starts, so runs side by side must not share one.
                    ArchiverConfig.STAGING_DIR, settings.workDir().resolve("staging").toString()));
            archivers.add(new ArchiverWorker(archiverConfig));
            if (i == 0) {
                stages.add(new PipelineProgress.Stage(archiverConfig.getString(ArchiverConfig.GROUP_ID), archiverConfig.topics().cold()));
            }
        }
        PurgerConfig purgerConfig = PurgerConfig.load(Map.of(
                CommonConfigKeys.BOOTSTRAP_SERVERS, settings.bootstrapServers(),
                CommonConfigKeys.TOPIC_PREFIX, settings.topicPrefix(),
                CommonConfigKeys.MONGODB_URI, settings.mongoUri(),
                CommonConfigKeys.MONGODB_DATABASE, settings.database(),
                CommonConfigKeys.MONGODB_COLLECTION, settings.collection(),
                PurgerConfig.INSTANCE_ID, "local-0",
                SegmentStoreConfig.STORE_DIR, settings.archiveDir().toString()));
        this.purger = new Purger(purgerConfig);
        stages.add(new PipelineProgress.Stage(purgerConfig.getString(PurgerConfig.GROUP_ID), purgerConfig.topics().segmentsCommitted()));
    }

    /** Each consuming service's group and input topic, to tell when the pipeline has drained. */
    public List<PipelineProgress.Stage> stages() {
        return List.copyOf(stages);
    }

    public void start() {
        startTiering();
        startArchivingAndPurging();
    }

    public void startTiering() {
        streamsApp.start();
    }

    public void startArchivingAndPurging() {
        List<Thread> started = new ArrayList<>();
        for (int i = 0; i < archivers.size(); i++) {
            started.add(new Thread(archivers.get(i), "archiver-" + i));
        }
        started.add(new Thread(purger, "purger"));
        started.forEach(Thread::start);
        threads.addAll(started);
        archivingStarted = true;
    }

    /** Starts the hot-cache keeping {@code redisUrl} equal to the hot tier (plus {@code extra} hot-cache keys). */
    public synchronized void startHotCache(String redisUrl, Map<String, String> extra) {
        Map<String, String> values = new HashMap<>(extra);
        values.put(CommonConfigKeys.BOOTSTRAP_SERVERS, settings.bootstrapServers());
        values.put(CommonConfigKeys.TOPIC_PREFIX, settings.topicPrefix());
        values.put(CommonConfigKeys.OPS_PORT, "0");
        values.put(RedisConfigKeys.URL, redisUrl);
        hotCache = new HotCacheService(HotCacheConfig.load(values));
        Thread thread = new Thread(hotCache, "hot-cache");
        thread.start();
        threads.add(thread);
    }

    public Settings settings() {
        return settings;
    }

    public long archivedByWorkers() {
        return archivers.stream().mapToLong(ArchiverWorker::archivedTotal).sum();
    }

    public long deletedByPurger() {
        return purger.deletedTotal();
    }

    @Override
    public void close() throws InterruptedException {
        if (hotCache != null) {
            hotCache.close();
        }
        if (archivingStarted) {
            purger.close();
            archivers.forEach(ArchiverWorker::close);
        }
        streamsApp.close();
        for (Thread thread : threads) {
            thread.join(Duration.ofSeconds(30).toMillis());
        }
    }
}
