package io.coldframe.service;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;

import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.bson.BsonDateTime;
import org.bson.BsonDocument;
import org.bson.BsonString;
import org.bson.RawBsonDocument;
import org.bson.codecs.BsonDocumentCodec;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import com.fasterxml.jackson.databind.JsonNode;
import com.mongodb.client.MongoClient;
import com.mongodb.client.MongoClients;

import io.coldframe.archive.TierCounts;
import io.coldframe.common.CommonConfigKeys;
import io.coldframe.local.LocalStack;
import io.coldframe.schemas.AvroSerde;
import io.coldframe.schemas.CatalogEntry;
import io.coldframe.schemas.DailyStats;
import io.coldframe.schemas.StatsDimension;
import io.coldframe.schemas.Tier;
import io.coldframe.segment.SegmentManifest;
import io.coldframe.segment.SegmentOptions;
import io.coldframe.segment.SegmentRecord;
import io.coldframe.segment.SegmentWriter;
import io.coldframe.store.LocalDirectorySegmentStore;
import io.coldframe.store.SegmentStoreConfig;

/**
 * The service on the embedded stack (KRaft broker, MongoDB stand-in): a segment stored and its catalog entries
 * published as the archiver publishes them, one memory left hot in MongoDB.
 */
class ArchiveServiceIT {

    private static final String SEGMENT = "it-seg-1";
    private static final int MEMORIES = 400;
    private static final Instant T0 = Instant.parse("2024-01-01T00:00:00Z");

    @TempDir
    static Path dir;
    private static LocalStack stack;
    private static final Map<String, BsonDocument> archived = new HashMap<>();
    private static BsonDocument hot;
    private static final HttpClient HTTP = HttpClient.newHttpClient();

    @BeforeAll
    static void archiveSomeMemories() throws Exception {
        stack = LocalStack.builder().topicPrefix("svcit").start();
        List<SegmentRecord> records = new ArrayList<>();
        for (int i = 0; i < MEMORIES; i++) {
            BsonDocument doc = BsonDocument.parse("{\"_id\": \"mem-" + i + "\", \"agent_id\": \"agent-" + (i % 2) + "\", \"n\": {\"$numberLong\": \""
                    + i + "\"}, \"score\": 0.5, \"text\": \"" + "memory text ".repeat(20 + i % 7) + i + "\"}");
            doc.put("created_at", new BsonDateTime(T0.plusSeconds(i).toEpochMilli()));
            archived.put("\"mem-" + i + "\"", doc);
            records.add(SegmentRecord.of("\"mem-" + i + "\"", doc));
        }
        Path staging = dir.resolve("staging");
        SegmentManifest manifest = new SegmentWriter(SegmentOptions.defaults()).write(SEGMENT, records, staging);
        new LocalDirectorySegmentStore(dir.resolve("store")).store(SEGMENT, staging.resolve(SEGMENT + ".mkv"),
                staging.resolve(SEGMENT + ".manifest.json"), manifest.videoSha256());
        Properties props = new Properties();
        props.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, stack.bootstrapServers());
        try (KafkaProducer<String, byte[]> producer = new KafkaProducer<>(props, new StringSerializer(), new ByteArraySerializer())) {
            for (SegmentManifest.Entry e : manifest.entries()) {
                SegmentManifest.Block b = manifest.blocks().get(e.blockIndex());
                BsonDocument doc = archived.get(e.memoryId());
                CatalogEntry entry = new CatalogEntry(e.memoryId(), doc.getString("agent_id").getValue(), e.version(), SEGMENT,
                        "file://" + dir.resolve("store").resolve(SEGMENT + ".mkv"), e.blockIndex(), b.firstFrame(), b.lastFrame(),
                        Instant.now(), Instant.ofEpochMilli(doc.getDateTime("created_at").getValue()), null);
                producer.send(new ProducerRecord<>(stack.topics().catalog(), e.memoryId(), CatalogTopology.ENTRIES.encode(entry)));
            }
        }
        hot = new BsonDocument("_id", new BsonString("hot-1")).append("agent_id", new BsonString("agent-0"))
                .append("created_at", new BsonDateTime(T0.plusSeconds(10_000).toEpochMilli())).append("text", new BsonString("still hot"));
        BsonDocument warm = new BsonDocument("_id", new BsonString("warm-1")).append("agent_id", new BsonString("agent-1"))
                .append("created_at", new BsonDateTime(T0.plusSeconds(20_000).toEpochMilli())).append("text", new BsonString("warm"));
        BsonDocument untiered = new BsonDocument("_id", new BsonString("new-1")).append("agent_id", new BsonString("agent-1"))
                .append("created_at", new BsonDateTime(T0.plusSeconds(30_000).toEpochMilli())).append("text", new BsonString("just written"));
        try (MongoClient client = MongoClients.create(stack.mongoUri())) {
            client.getDatabase(stack.database()).getCollection(stack.collection(), BsonDocument.class).insertMany(List.of(hot, warm, untiered));
        }
        // the tiering app's view of them: hot-1 entered hot; warm-1 entered hot, then moved to warm; new-1 is not tiered yet
        try (KafkaProducer<String, byte[]> producer = new KafkaProducer<>(props, new StringSerializer(), new ByteArraySerializer())) {
            producer.send(new ProducerRecord<>(stack.topics().hot(), "\"hot-1\"", TierChanges.of("\"hot-1\"", "agent-0", Tier.HOT)));
            producer.send(new ProducerRecord<>(stack.topics().hot(), "\"warm-1\"", TierChanges.of("\"warm-1\"", "agent-1", Tier.HOT)));
            producer.send(new ProducerRecord<>(stack.topics().warm(), "\"warm-1\"", TierChanges.of("\"warm-1\"", "agent-1", Tier.WARM)));
            producer.send(new ProducerRecord<>(stack.topics().hot(), "\"warm-1\"", null));
            // the archived memories went through the cold tier (keyed by agent), as the demo's tier_counts count them
            for (String memoryId : archived.keySet()) {
                String agent = archived.get(memoryId).getString("agent_id").getValue();
                producer.send(new ProducerRecord<>(stack.topics().cold(), agent, TierChanges.of(memoryId, agent, Tier.COLD)));
            }
            // the tier analytics' cells of yesterday and today, as StatsTopology publishes them
            LocalDate today = LocalDate.now(ZoneOffset.UTC);
            sendStats(producer, "ALL", DailyStats.newBuilder().setDay(today).setTier(Tier.HOT).setDimension(StatsDimension.ALL)
                    .setEntered(2).setFirstSeen(2).setRemoved(1).build());
            sendStats(producer, "ALL", DailyStats.newBuilder().setDay(today).setTier(Tier.WARM).setDimension(StatsDimension.ALL)
                    .setEntered(1).setFromHot(1).build());
            sendStats(producer, "ALL", DailyStats.newBuilder().setDay(today).setTier(Tier.COLD).setDimension(StatsDimension.ALL)
                    .setEntered(MEMORIES).build());
            sendStats(producer, "ALL", DailyStats.newBuilder().setDay(today).setDimension(StatsDimension.ALL).setSegments(1)
                    .setArchived(MEMORIES).setRawBytes(1_000_000).setArchiveBytes(250_000).setBytesSaved(750_000).setPurged(MEMORIES).build());
            sendStats(producer, "ALL", DailyStats.newBuilder().setDay(today.minusDays(1)).setDimension(StatsDimension.ALL).setSegments(1)
                    .setRawBytes(100).setArchiveBytes(60).setBytesSaved(40).build());
            // a per-agent cell is not part of the totals
            sendStats(producer, "AGENT", DailyStats.newBuilder().setDay(today).setDimension(StatsDimension.AGENT).setValue("agent-0")
                    .setArchived(99).build());
        }
    }

    private static void sendStats(KafkaProducer<String, byte[]> producer, String dimension, DailyStats cell) {
        String key = dimension + "\u0000" + cell.getDay() + "\u0000" + (cell.getTier() == null ? "ARCHIVE" : cell.getTier().name()) + "\u0000"
                + (cell.getValue() == null ? "" : "=" + cell.getValue());
        producer.send(new ProducerRecord<>(stack.topics().statsDaily(), key, AvroSerde.of(DailyStats.class).encode(cell)));
    }

    @AfterAll
    static void stop() {
        if (stack != null) {
            stack.close();
        }
    }

    private static ArchiveService service(String name) throws Exception {
        return service(name, 0);
    }

    private static ArchiveService service(String name, int opsPort) throws Exception {
        Map<String, Object> values = new HashMap<>();
        values.put(CommonConfigKeys.BOOTSTRAP_SERVERS, stack.bootstrapServers());
        values.put(CommonConfigKeys.TOPIC_PREFIX, "svcit");
        values.put(CommonConfigKeys.MONGODB_URI, stack.mongoUri());
        values.put(CommonConfigKeys.MONGODB_DATABASE, stack.database());
        values.put(CommonConfigKeys.MONGODB_COLLECTION, stack.collection());
        values.put(SegmentStoreConfig.STORE_DIR, dir.resolve("store").toString());
        values.put(ArchiveServiceConfig.APPLICATION_ID, "svcit-service");
        values.put(ArchiveServiceConfig.STATE_DIR, dir.resolve("state-" + name).toString());
        values.put(ArchiveServiceConfig.CACHE_DIR, dir.resolve("cache-" + name).toString());
        values.put(ArchiveServiceConfig.HTTP_PORT, "0");
        values.put(CommonConfigKeys.OPS_PORT, Integer.toString(opsPort));
        ArchiveService service = new ArchiveService(ArchiveServiceConfig.load(values));
        service.start();
        return service;
    }

    private static HttpResponse<String> get(ArchiveService service, String path) throws Exception {
        return HTTP.send(HttpRequest.newBuilder(URI.create(service.url() + path)).GET().build(), HttpResponse.BodyHandlers.ofString());
    }

    private static JsonNode json(HttpResponse<String> response) throws Exception {
        return CatalogIndex.JSON.readTree(response.body());
    }

    private static byte[] bson(BsonDocument doc) {
        return bytes(new RawBsonDocument(doc, new BsonDocumentCodec()));
    }

    private static byte[] bytes(RawBsonDocument raw) {
        org.bson.ByteBuf buffer = raw.getByteBuffer();
        byte[] out = new byte[buffer.remaining()];
        buffer.get(out);
        return out;
    }

    private static int freePort() throws java.io.IOException {
        try (java.net.ServerSocket socket = new java.net.ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }

    private static List<String> ids(HttpResponse<String> timeline) throws Exception {
        assertThat(timeline.statusCode()).as(timeline.body()).isEqualTo(200);
        List<String> out = new ArrayList<>();
        json(timeline).get("memories").forEach(m -> out.add(m.get("id").asText()));
        return out;
    }

    private static void answersEveryArchivedMemory(ArchiveService service) {
        await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(300)).untilAsserted(() -> {
            for (int i = 0; i < MEMORIES; i += 37) {
                HttpResponse<String> r = get(service, "/memories/%22mem-" + i + "%22");
                assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
            }
        });
    }

    @Test
    void statsCountTiersAsTheDemoSummaryDoesAndServeTheDailySeriesWithWeeksAndMonthsSummed() throws Exception {
        TierCounts.Counts demo = TierCounts.read(stack.kafkaConnection(), stack.topics());
        assertThat(List.of(demo.hot(), demo.warm(), demo.cold())).containsExactly(1L, 1L, (long) MEMORIES);
        ArchiveService service = service("stats");
        try {
            await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(300)).untilAsserted(() -> {
                HttpResponse<String> r = get(service, "/stats?period=day&days=2");
                assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
                JsonNode stats = json(r);
                assertThat(stats.path("tier_counts").toString())
                        .isEqualTo("{\"hot\":" + demo.hot() + ",\"warm\":" + demo.warm() + ",\"cold\":" + demo.cold() + "}");
                assertThat(stats.path("series").path("points")).hasSize(2);
                assertThat(stats.path("series").path("points").get(1).path("archive").path("segments").asLong()).isEqualTo(1);
            });
            JsonNode stats = json(get(service, "/stats?period=day&days=2"));
            assertThat(stats.path("agents").asLong()).isEqualTo(2);
            assertThat(stats.path("memories").asLong()).isEqualTo(MEMORIES + 2);
            JsonNode today = stats.path("series").path("points").get(1);
            assertThat(today.path("tiers").path("hot").path("memories").asLong()).isEqualTo(1);
            assertThat(today.path("tiers").path("hot").path("entered").asLong()).isEqualTo(2);
            assertThat(today.path("tiers").path("hot").path("left").asLong()).isEqualTo(1);
            assertThat(today.path("archive").path("archived").asLong()).isEqualTo(MEMORIES);
            JsonNode yesterday = stats.path("series").path("points").get(0);
            assertThat(yesterday.path("tiers").path("hot").path("memories").asLong()).isEqualTo(0);
            assertThat(yesterday.path("tiers").path("cold").path("memories").asLong()).isEqualTo(0);
            JsonNode bytes = stats.path("bytes");
            assertThat(bytes.path("raw_bytes").asLong()).isEqualTo(1_000_100);
            assertThat(bytes.path("archive_bytes").asLong()).isEqualTo(250_060);
            assertThat(bytes.path("bytes_saved").asLong()).isEqualTo(750_040);
            assertThat(bytes.path("gzip_bytes_estimated").asLong()).isEqualTo(Math.round(1_000_100 * ArchiveServiceConfig.DEFAULT_GZIP_RATIO));
            // the service's own counters stay
            assertThat(stats.path("ready").asBoolean()).isTrue();
            assertThat(stats.has("archive_reads")).isTrue();

            JsonNode months = json(get(service, "/stats?period=month&days=2")).path("series");
            long archivedInMonths = 0;
            for (JsonNode point : months.path("points")) {
                archivedInMonths += point.path("archive").path("segments").asLong();
            }
            assertThat(archivedInMonths).isEqualTo(2);
            assertThat(months.path("points").get(months.path("points").size() - 1).path("tiers").path("cold").path("memories").asLong())
                    .isEqualTo(MEMORIES);
            JsonNode byAgent = json(get(service, "/stats?days=1&by=agent")).path("by");
            assertThat(byAgent.path("dimension").asText()).isEqualTo("agent");
            assertThat(byAgent.path("values")).hasSize(1);
            assertThat(byAgent.path("values").get(0).path("value").asText()).isEqualTo("agent-0");
            assertThat(byAgent.path("values").get(0).path("archived").asLong()).isEqualTo(99);
            assertThat(get(service, "/stats?by=rule").statusCode()).isEqualTo(400);
            HttpResponse<String> bad = get(service, "/stats?period=year");
            assertThat(bad.statusCode()).isEqualTo(400);
            assertThat(json(bad).path("error").asText()).contains("period");
            assertThat(get(service, "/stats?days=0").statusCode()).isEqualTo(400);
        } finally {
            service.close();
        }
    }

    @Test
    void answersByIdAndTimelineAcrossMongoAndArchiveSurvivesRestartAndPartitionMoves() throws Exception {
        int opsPort = freePort();
        ArchiveService a = service("a", opsPort);
        try {
            answersEveryArchivedMemory(a);
            // the ops endpoint, like every service's: ready, and the archive reads in its metrics
            String ops = "http://127.0.0.1:" + opsPort;
            await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> assertThat(HTTP.send(HttpRequest.newBuilder(URI.create(ops + "/health/ready"))
                    .GET().build(), HttpResponse.BodyHandlers.ofString()).statusCode()).isEqualTo(200));
            assertThat(HTTP.send(HttpRequest.newBuilder(URI.create(ops + "/metrics")).GET().build(), HttpResponse.BodyHandlers.ofString()).body())
                    .contains("coldframe_service_archive_gets_total", "coldframe_service_fetched_bytes_total{kind=\"frames\"}");

            // an archived memory, byte for byte
            HttpResponse<String> r = get(a, "/memories/%22mem-123%22");
            JsonNode body = json(r);
            assertThat(body.get("tier").asText()).isEqualTo("cold");
            assertThat(body.get("location").get("source").asText()).isEqualTo("archive");
            assertThat(body.get("location").get("segment_id").asText()).isEqualTo(SEGMENT);
            RawBsonDocument returned = RawBsonDocument.parse(body.get("document").toString());
            assertThat(bytes(returned)).isEqualTo(bson(archived.get("\"mem-123\"")));

            // a hot memory comes from MongoDB, with the tier the tier topics give it
            ArchiveService first = a;
            await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
                JsonNode hotBody = json(get(first, "/memories/%22hot-1%22"));
                assertThat(hotBody.get("tier").asText()).isEqualTo("hot");
                assertThat(hotBody.get("location").get("source").asText()).isEqualTo("mongodb");
                assertThat(bytes(RawBsonDocument.parse(hotBody.get("document").toString()))).isEqualTo(bson(hot));
                assertThat(json(get(first, "/memories/%22warm-1%22")).get("tier").asText()).isEqualTo("warm");
            });
            assertThat(json(get(a, "/memories/%22new-1%22")).get("tier").asText()).isEqualTo("pending");

            // 404 and 400
            HttpResponse<String> unknown = get(a, "/memories/%22no-such-memory%22");
            assertThat(unknown.statusCode()).isEqualTo(404);
            assertThat(json(unknown).get("error").asText()).contains("neither in MongoDB nor in the archive");
            assertThat(get(a, "/memories/mem-1").statusCode()).isEqualTo(400);
            assertThat(get(a, "/memories/%7B%22a%22").statusCode()).isEqualTo(400);

            // the agent's timeline: newest first, the hot memory first, archived ones in their time range
            JsonNode timeline = json(get(a, "/agents/agent-0/memories?limit=5"));
            List<String> ids = new ArrayList<>();
            timeline.get("memories").forEach(m -> ids.add(m.get("id").asText()));
            assertThat(ids).containsExactly("\"hot-1\"", "\"mem-398\"", "\"mem-396\"", "\"mem-394\"", "\"mem-392\"");
            JsonNode range = json(get(a, "/agents/agent-1/memories?from=" + T0.plusSeconds(100) + "&to=" + T0.plusSeconds(110)));
            List<String> inRange = new ArrayList<>();
            range.get("memories").forEach(m -> inRange.add(m.get("id").asText()));
            assertThat(inRange).containsExactly("\"mem-109\"", "\"mem-107\"", "\"mem-105\"", "\"mem-103\"", "\"mem-101\"");
            assertThat(get(a, "/agents/agent-1/memories?limit=0").statusCode()).isEqualTo(400);
            assertThat(get(a, "/agents/agent-1/memories?tier=lukewarm").statusCode()).isEqualTo(400);
            assertThat(ids(get(a, "/agents/agent-1/memories?tier=warm"))).containsExactly("\"warm-1\"");
            assertThat(ids(get(a, "/agents/agent-0/memories?tier=hot"))).containsExactly("\"hot-1\"");
            assertThat(ids(get(a, "/agents/agent-1/memories?tier=mongodb"))).containsExactly("\"new-1\"", "\"warm-1\"");
            assertThat(ids(get(a, "/agents/agent-0/memories?tier=cold&limit=2"))).containsExactly("\"mem-398\"", "\"mem-396\"");
            assertThat(ids(get(a, "/agents/agent-0/memories?tier=archive&limit=2"))).containsExactly("\"mem-398\"", "\"mem-396\"");

            JsonNode agents = json(get(a, "/agents"));
            JsonNode agent0 = agents.get("agents").get(0);
            assertThat(agent0.get("agent").asText()).isEqualTo("agent-0");
            assertThat(agent0.get("tiers").toString()).isEqualTo("{\"hot\":1,\"warm\":0,\"cold\":200}");
            assertThat(agent0.get("locations").get("mongodb").asInt()).isEqualTo(1);
            assertThat(agent0.get("locations").get("archive").asInt()).isEqualTo(200);
            assertThat(agents.get("agents").get(1).get("tiers").toString()).isEqualTo("{\"hot\":0,\"warm\":1,\"cold\":200}");
            assertThat(json(get(a, "/segments")).get("segments").get(0).get("memories").asInt()).isEqualTo(MEMORIES);
            assertThat(json(get(a, "/segments/" + SEGMENT)).get("memories")).hasSize(MEMORIES);
            assertThat(get(a, "/stats").body()).doesNotContain("mongodb://").contains("\"ready\":true");
            assertThat(HTTP.send(HttpRequest.newBuilder(URI.create(a.url() + "/restore")).POST(HttpRequest.BodyPublishers.ofString("{\"ids\":[]}"))
                    .build(), HttpResponse.BodyHandlers.ofString()).statusCode()).isEqualTo(403);

            // a second instance takes partitions; when the first stops, the second answers for all of them
            ArchiveService b = service("b");
            try {
                answersEveryArchivedMemory(b);
                a.close();
                a = null;
                answersEveryArchivedMemory(b);
            } finally {
                b.close();
            }
            // a restart on the same state directory keeps the index
            ArchiveService again = service("b");
            try {
                answersEveryArchivedMemory(again);
                assertThat(again.readyAfterMs()).isBetween(0L, 30_000L);
            } finally {
                again.close();
            }
        } finally {
            if (a != null) {
                a.close();
            }
        }
    }
}
