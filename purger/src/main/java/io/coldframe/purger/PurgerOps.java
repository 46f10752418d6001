package io.coldframe.purger;

import java.io.IOException;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

import org.bson.Document;

import com.mongodb.ConnectionString;
import com.mongodb.MongoClientSettings;
import com.mongodb.ReadPreference;
import com.mongodb.client.MongoClient;
import com.mongodb.client.MongoClients;

import io.micrometer.core.instrument.Counter;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;

import io.coldframe.common.CommonConfigKeys;
import io.coldframe.common.KafkaConnection;
import io.coldframe.common.ops.KafkaHealth;
import io.coldframe.common.ops.OpsMetrics;
import io.coldframe.common.ops.OpsServer;

/**
 * The purger's ops endpoint ({@code ops.port}): ready when Kafka answers and the MongoDB primary answers
 * {@code ping} (its own small client, so a probe never waits behind a delete); it warns (advisory check
 * {@code mongodb-indexes}, still ready) while an index of {@link MemoryIndexes}' plan is missing. Metrics:
 * <ul>
 *   <li>{@code coldframe_purger_segments_total}: committed segments purged (result and offset committed);</li>
 *   <li>{@code coldframe_purger_memories_total{outcome="deleted"|"kept"}}: archived versions deleted, or kept because
 *       the document changed since archiving or is gone;</li>
 *   <li>{@code coldframe_purger_delete_retries_total}: deletes MongoDB (or the segment store) did not answer, retried;</li>
 *   <li>{@code coldframe_purger_dead_letters_total{kind}}: commit events dead-lettered instead of purged (alert on any
 *       increase): {@code segment-unconfirmed} (segment missing, different, or not holding an id@version),
 *       {@code delete-rejected} (MongoDB refused the delete for good), {@code undecodable};</li>
 *   <li>{@code coldframe_purger_memories_total{outcome="restored"}}: archived versions kept because a restore newer
 *       than the commit protects them (they are also counted as kept);</li>
 *   <li>{@code coldframe_consumer_lag{group,topic,partition}}: commit events not purged yet.</li>
 * </ul>
 */
final class PurgerOps implements PurgeProgressListener, AutoCloseable {

    private final PurgerConfig config;
    private final MemoryIndexes indexes;
    private final PrometheusMeterRegistry registry = OpsMetrics.newRegistry();
    private final Counter segments;
    private final Counter deleted;
    private final Counter kept;
    private final Counter retries;
    private final Counter restored;
    private BooleanSupplier liveness = () -> true;
    private OpsServer server;

    PurgerOps(PurgerConfig config) {
        this.config = config;
        this.indexes = config.indexes();
        this.segments = Counter.builder("coldframe.purger.segments").description("Committed segments purged").register(registry);
        this.deleted = Counter.builder("coldframe.purger.memories").tag("outcome", "deleted")
                .description("Archived memory versions, by what the guarded delete did").register(registry);
        this.kept = Counter.builder("coldframe.purger.memories").tag("outcome", "kept")
                .description("Archived memory versions, by what the guarded delete did").register(registry);
        this.retries = Counter.builder("coldframe.purger.delete.retries")
                .description("Deletes MongoDB did not acknowledge; each is retried, never skipped").register(registry);
        this.restored = Counter.builder("coldframe.purger.memories").tag("outcome", "restored")
                .description("Archived memory versions, by what the guarded delete did").register(registry);
        for (String kind : new String[] {"segment-unconfirmed", "delete-rejected", "undecodable"}) {
            deadLetters(kind);
        }
    }

    private Counter deadLetters(String kind) {
        return Counter.builder("coldframe.purger.dead.letters").tag("kind", kind)
                .description("Commit events dead-lettered instead of purged; any increase is an alert").register(registry);
    }

    /** What {@code /health/live} answers: the purge loop's state (set before {@link #start}). */
    void liveness(BooleanSupplier alive) {
        this.liveness = alive;
    }

    /** Starts serving on {@code ops.port} unless it is 0. */
    void start() throws IOException {
        int port = config.getInt(CommonConfigKeys.OPS_PORT);
        if (port == 0) {
            return;
        }
        KafkaHealth kafka = new KafkaHealth(KafkaConnection.from(config));
        MongoClient mongo = pingClient(config.mongoUri(), OpsServer.DEFAULT_CHECK_TIMEOUT);
        server = OpsServer.builder("purger").registry(registry)
                .liveness(liveness)
                .readiness("kafka", kafka)
                .readiness("mongodb", timeout -> mongo.getDatabase("admin").runCommand(new Document("ping", 1)))
                .advisory("mongodb-indexes", timeout -> indexCheck(mongo))
                .beforeScrape(kafka.consumerLag(registry, config.getString(PurgerConfig.GROUP_ID), config.topics().segmentsCommitted()))
                .closing(kafka).closing(mongo).closing(OpsMetrics.bindJvm(registry))
                .start(config.getString(CommonConfigKeys.OPS_BIND_ADDRESS), port);
    }

    private void indexCheck(MongoClient mongo) {
        String problems = MemoryIndexes.problems(indexes.inspect(mongo.getDatabase(config.getString(CommonConfigKeys.MONGODB_DATABASE))
                .getCollection(config.getString(CommonConfigKeys.MONGODB_COLLECTION))));
        if (problems != null) {
            throw new IllegalStateException(problems);
        }
    }

    /** A client for health pings only: the primary (deletes need it), short timeouts, one connection. */
    static MongoClient pingClient(String uri, Duration timeout) {
        long ms = timeout.toMillis();
        return MongoClients.create(MongoClientSettings.builder()
                .applyConnectionString(new ConnectionString(uri))
                .applicationName("coldframe-purger-health")
                .readPreference(ReadPreference.primary())
                .applyToClusterSettings(cluster -> cluster.serverSelectionTimeout(ms, TimeUnit.MILLISECONDS))
                .applyToSocketSettings(socket -> socket.connectTimeout((int) ms, TimeUnit.MILLISECONDS).readTimeout((int) ms, TimeUnit.MILLISECONDS))
                .applyToConnectionPoolSettings(pool -> pool.maxSize(1))
                .build());
    }

    @Override
    public void deleteRetrying(String segmentId, int attempt, long backoffMs) {
        retries.increment();
    }

    @Override
    public void deleteAcknowledged(String segmentId, int deletedCount, int skippedCount) {
        deleted.increment(deletedCount);
        kept.increment(skippedCount);
    }

    @Override
    public void deadLettered(String segmentId, String kind, String reason) {
        deadLetters(kind).increment();
    }

    @Override
    public void protectedByRestore(String segmentId, int memories) {
        restored.increment(memories);
    }

    @Override
    public void committed(List<String> segmentIds) {
        segments.increment(segmentIds.size());
    }

    @Override
    public void close() {
        if (server != null) {
            server.close();
        }
    }
}
