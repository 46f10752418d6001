package io.coldframe.service;

import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutorService;
import java.util.function.Supplier;
import java.util.regex.Pattern;

import org.bson.BsonDocument;
import org.bson.BsonValue;
import org.bson.RawBsonDocument;
import org.bson.json.JsonMode;
import org.bson.json.JsonWriterSettings;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import com.fasterxml.jackson.databind.JsonNode;

import io.coldframe.archive.ArchiveReader;
import io.coldframe.common.MemoryDocuments;
import io.coldframe.common.MemoryFields;
import io.coldframe.hotcache.RecentMemories;
import io.coldframe.schemas.CatalogEntry;
import io.coldframe.schemas.StatsDimension;
import io.javalin.Javalin;
import io.javalin.http.Context;

/**
 * The HTTP API (openapi.yaml on the class path, served at /openapi.yaml): memories by id, agent timelines across
 * MongoDB and the archive, segments, restore, stats. Read-only unless a write token is configured; no response
 * carries a credential. Blocking archive reads run on a small pool; MongoDB reads are reactive.
 */
final class ArchiveApi {

    private static final Logger LOG = LoggerFactory.getLogger(ArchiveApi.class);
    private static final Pattern HEX24 = Pattern.compile("[0-9a-fA-F]{24}");
    static final JsonWriterSettings CANONICAL = JsonWriterSettings.builder().outputMode(JsonMode.EXTENDED).build();
    private static final int MAX_LIMIT = 1000;
    static final String TIER_COLD = "cold";
    /** In MongoDB and in neither tier topic yet: just written or changed, or cold and waiting for its segment. */
    static final String TIER_PENDING = "pending";
    static final String LOCATION_MONGODB = "mongodb";
    static final String LOCATION_ARCHIVE = "archive";
    private static final Set<String> TIMELINE_FILTERS = Set.of(TierIndexer.HOT, TierIndexer.WARM, TIER_COLD, LOCATION_MONGODB, LOCATION_ARCHIVE);

    /** What the API works on. */
    interface Backend {
        CatalogIndex index();

        MongoReads mongo();

        ArchiveReader reader();

        ExecutorService pool();

        String writeToken();

        String mongoDescription();

        Map<String, Object> verify(String segmentId) throws Exception;

        Map<String, Object> restore(Map<String, Object> request) throws Exception;

        /**
         * Service state, archive reads and the analytics ({@link StatsReport}) of the given period and days, broken down
         * by one dimension unless {@code by} is null.
         */
        Map<String, Object> stats(StatsReport.Period period, int days, StatsDimension by) throws Exception;

        /** The hot-cache's Redis, when one is configured ({@code redis.url}). */
        default Optional<RecentMemories> recent() {
            return Optional.empty();
        }

        OperatorApi operatorApi();
    }

    private final Backend backend;

    ArchiveApi(Backend backend) {
        this.backend = backend;
    }

    Javalin create() {
        return Javalin.create(config -> {
            config.startup.showJavalinBanner = false;
            backend.operatorApi().register(config);
            config.routes.get("/openapi.yaml", ctx -> ctx.contentType("application/yaml")
                    .result(ArchiveApi.class.getResourceAsStream("/openapi.yaml")));
            config.routes.get("/memories/{id}", this::memory);
            config.routes.get("/agents", this::agents);
            config.routes.get("/agents/{agent}/memories", this::timeline);
            config.routes.get("/agents/{agent}/memories/recent", new RecentMemoriesHandler(backend)::handle);
            config.routes.get("/segments", this::segments);
            config.routes.get("/segments/{id}", this::segment);
            config.routes.post("/segments/{id}/verify", ctx -> write(ctx, () -> backend.verify(ctx.pathParam("id"))));
            config.routes.post("/restore", ctx -> write(ctx, () -> backend.restore(
                    CatalogIndex.JSON.readValue(ctx.body(), new com.fasterxml.jackson.core.type.TypeReference<Map<String, Object>>() { }))));
            config.routes.get("/stats", ctx -> async(ctx, () -> {
                StatsReport.Period period = StatsReport.period(ctx.queryParam("period"));
                return backend.stats(period, StatsReport.days(ctx.queryParam("days"), period), StatsReport.by(ctx.queryParam("by")));
            }));
            // queries between instances: this instance's partitions only
            config.routes.get("/internal/entries/{id}", ctx -> json(ctx, 200,
                    backend.index().localById(ctx.pathParam("id"), -1).map(CatalogIndex::toJson).map(List::of).orElse(List.of())));
            config.routes.get("/internal/agents/{agent}", ctx -> json(ctx, 200, backend.index()
                    .localTimeline(ctx.pathParam("agent"), Instant.ofEpochMilli(Long.parseLong(ctx.queryParam("from"))),
                            Instant.ofEpochMilli(Long.parseLong(ctx.queryParam("to"))), Integer.parseInt(ctx.queryParam("limit")))
                    .stream().map(CatalogIndex::toJson).toList()));
            config.routes.get("/internal/segments/{id}", ctx -> json(ctx, 200, backend.index()
                    .localBySegment(ctx.pathParam("id"), Integer.parseInt(ctx.queryParam("limit"))).stream().map(CatalogIndex::toJson).toList()));
            config.routes.post("/internal/tiers", ctx -> json(ctx, 200, backend.index().localTiers(
                    CatalogIndex.JSON.readValue(ctx.body(), new com.fasterxml.jackson.core.type.TypeReference<List<String>>() { }))
                    .entrySet().stream().map(e -> Map.of("id", e.getKey(), "tier", e.getValue())).toList()));
            config.routes.get("/internal/counts/{kind}", ctx -> json(ctx, 200, backend.index().localCounts(ctx.pathParam("kind")).entrySet()
                    .stream().map(e -> Map.of("key", e.getKey(), "count", e.getValue())).toList()));
        });
    }

    // ------------------------------------------------------------------------------------------------ memories

    /** A memory id from the path: 24 hex digits (an ObjectId) or the canonical Extended JSON of _id; null if malformed. */
    static BsonValue parseId(String raw) {
        String s = raw.strip();
        if (HEX24.matcher(s).matches()) {
            return new org.bson.BsonObjectId(new org.bson.types.ObjectId(s.toLowerCase()));
        }
        if (s.isEmpty()) {
            return null;
        }
        try {
            BsonDocument wrapper = BsonDocument.parse("{\"_id\": " + s + "\n}");
            BsonValue v = wrapper.size() == 1 ? wrapper.get("_id") : null;
            return v == null || v.isArray() ? null : v;
        } catch (RuntimeException e) {
            return null;
        }
    }

    private void memory(Context ctx) {
        BsonValue id = parseId(ctx.pathParam("id"));
        if (id == null) {
            error(ctx, 400, "malformed memory id " + quote(ctx.pathParam("id"))
                    + ": give the canonical Extended JSON of _id (URL-encoded), e.g. %22mem-42%22, or 24 hex digits of an ObjectId");
            return;
        }
        String memoryId = MemoryDocuments.idOf(id);
        // the archive is read beside MongoDB's lookup, not after it: a get of an archived memory costs the slower of the
        // two, not their sum; for a memory MongoDB holds the archive's answer is dropped (a catalog miss, or a block read
        // while the memory's purge is pending)
        CompletableFuture<ArchiveLookup> fromArchive = CompletableFuture.supplyAsync(() -> lookUpArchive(memoryId), backend.pool());
        ctx.future(() -> backend.mongo().byId(id).thenCompose(found -> found.isPresent()
                ? CompletableFuture.supplyAsync(() -> inMongo(ctx, memoryId, found.get()), backend.pool())
                : fromArchive.thenApplyAsync(lookup -> archived(ctx, memoryId, lookup), backend.pool()))
                .exceptionally(e -> failed(ctx, e)));
    }

    /** What the archive holds for a memory id: its catalog entry and record, or why reading failed. */
    private record ArchiveLookup(Optional<CatalogEntry> entry, Optional<ArchiveReader.Read> read, Exception failure) {
    }

    private ArchiveLookup lookUpArchive(String memoryId) {
        try {
            Optional<CatalogEntry> entry = backend.index().byId(memoryId);
            return new ArchiveLookup(entry, entry.isEmpty() ? Optional.empty() : backend.reader().read(entry.get()), null);
        } catch (Exception e) {
            return new ArchiveLookup(Optional.empty(), Optional.empty(), e);
        }
    }

    private Object inMongo(Context ctx, String memoryId, RawBsonDocument document) {
        try {
            Map<String, Object> out = new LinkedHashMap<>();
            out.put("id", memoryId);
            out.put("tier", mongoTier(memoryId, backend.index().tierOf(memoryId).orElse(null)));
            out.put("location", Map.of("source", LOCATION_MONGODB, "namespace", backend.mongoDescription()));
            out.put("document", document(document));
            return ok(ctx, out);
        } catch (Exception e) {
            return failed(ctx, e);
        }
    }

    /**
     * The tier of a memory found in MongoDB: hot or warm as the tier topics say; cold when it is archived (its delete from
     * MongoDB is still to come); otherwise pending (not tiered yet, or tiered cold and waiting for its segment).
     */
    private String mongoTier(String memoryId, String fromTierTopics) throws Exception {
        if (fromTierTopics != null) {
            return fromTierTopics;
        }
        return backend.index().byId(memoryId).isPresent() ? TIER_COLD : TIER_PENDING;
    }

    private Object archived(Context ctx, String memoryId, ArchiveLookup lookup) {
        try {
            if (lookup.failure() != null) {
                throw lookup.failure();
            }
            Optional<CatalogEntry> entry = lookup.entry();
            if (entry.isEmpty()) {
                return error(ctx, 404, "memory " + memoryId + " is neither in MongoDB nor in the archive catalog");
            }
            Optional<ArchiveReader.Read> read = lookup.read();
            if (read.isEmpty()) {
                return error(ctx, 404, "memory " + memoryId + " is in the catalog (segment " + entry.get().getSegmentId()
                        + ") but not in that segment");
            }
            Map<String, Object> out = new LinkedHashMap<>();
            out.put("id", memoryId);
            out.put("tier", TIER_COLD);
            out.put("location", archiveLocation(entry.get(), read.get()));
            out.put("document", document(read.get().record().document()));
            return ok(ctx, out);
        } catch (Exception e) {
            return failed(ctx, e);
        }
    }

    private static Map<String, Object> archiveLocation(CatalogEntry e, ArchiveReader.Read read) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("source", LOCATION_ARCHIVE);
        m.put("segment_id", e.getSegmentId());
        m.put("uri", e.getLocation());
        m.put("block", e.getBlockIndex());
        m.put("first_frame", e.getFirstFrame());
        m.put("last_frame", e.getLastFrame());
        m.put("version", e.getVersion());
        if (e.getRedactionPolicy() != null) {
            m.put("redaction_policy", e.getRedactionPolicy());
        }
        if (read != null) {
            m.put("from_cache", read.cached());
            m.put("bytes_fetched", read.framesBytesFetched());
        }
        return m;
    }

    static JsonNode document(BsonDocument document) {
        try {
            return CatalogIndex.JSON.readTree(document.toJson(CANONICAL));
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    // ------------------------------------------------------------------------------------------------ agents

    private void agents(Context ctx) {
        ctx.future(() -> backend.mongo().countsByAgent().thenApplyAsync(mongo -> {
            try {
                Map<String, Long> archived = backend.index().counts("a");
                Map<String, Long> tiers = backend.index().counts(CatalogTopology.TIER_COUNT_KIND);
                Set<String> names = new java.util.TreeSet<>(mongo.keySet());
                names.addAll(archived.keySet());
                List<Map<String, Object>> out = new ArrayList<>();
                for (String name : names) {
                    Map<String, Object> tierCounts = new LinkedHashMap<>();
                    tierCounts.put(TierIndexer.HOT, tiers.getOrDefault(name + CatalogTopology.SEP + TierIndexer.HOT, 0L));
                    tierCounts.put(TierIndexer.WARM, tiers.getOrDefault(name + CatalogTopology.SEP + TierIndexer.WARM, 0L));
                    tierCounts.put(TIER_COLD, archived.getOrDefault(name, 0L));
                    Map<String, Object> m = new LinkedHashMap<>();
                    m.put("agent", name);
                    m.put("tiers", tierCounts);
                    m.put("locations", Map.of(LOCATION_MONGODB, mongo.getOrDefault(name, 0L), LOCATION_ARCHIVE, archived.getOrDefault(name, 0L)));
                    out.add(m);
                }
                return ok(ctx, Map.of("agents", out));
            } catch (Exception e) {
                return failed(ctx, e);
            }
        }, backend.pool()).exceptionally(e -> failed(ctx, e)));
    }

    private void timeline(Context ctx) {
        String agent = ctx.pathParam("agent");
        Instant from;
        Instant to;
        int limit;
        String tier = ctx.queryParam("tier");
        try {
            from = time(ctx.queryParam("from"), Instant.EPOCH);
            to = time(ctx.queryParam("to"), Instant.parse("9999-12-31T00:00:00Z"));
            limit = ctx.queryParam("limit") == null ? 100 : Integer.parseInt(ctx.queryParam("limit"));
            if (limit < 1 || limit > MAX_LIMIT) {
                throw new IllegalArgumentException("limit must be 1.." + MAX_LIMIT);
            }
            if (tier != null && !TIMELINE_FILTERS.contains(tier)) {
                throw new IllegalArgumentException("tier must be one of hot, warm, cold (or a location: mongodb, archive)");
            }
        } catch (RuntimeException e) {
            error(ctx, 400, e.getMessage());
            return;
        }
        boolean readMongo = !TIER_COLD.equals(tier) && !LOCATION_ARCHIVE.equals(tier);
        boolean readArchive = tier == null || TIER_COLD.equals(tier) || LOCATION_ARCHIVE.equals(tier);
        CompletableFuture<List<RawBsonDocument>> fromMongo = readMongo ? backend.mongo().timeline(agent, from, to, limit)
                : CompletableFuture.completedFuture(List.of());
        ctx.future(() -> fromMongo.thenApplyAsync(mongo -> {
            try {
                List<Map<String, Object>> items = new ArrayList<>();
                Set<String> seen = new LinkedHashSet<>();
                Map<String, String> tiers = backend.index().tiersOf(mongo.stream().map(d -> MemoryDocuments.idOf(d.get(MemoryFields.ID))).toList());
                for (RawBsonDocument d : mongo) {
                    String id = MemoryDocuments.idOf(d.get(MemoryFields.ID));
                    String memoryTier = tiers.get(id);
                    if (memoryTier == null && (tier == null || LOCATION_MONGODB.equals(tier))) {
                        memoryTier = mongoTier(id, null);
                    }
                    if (memoryTier == null || (tier != null && !LOCATION_MONGODB.equals(tier) && !tier.equals(memoryTier))) {
                        continue;
                    }
                    seen.add(id);
                    Map<String, Object> m = new LinkedHashMap<>();
                    m.put("id", id);
                    m.put("tier", memoryTier);
                    m.put("time", d.isDateTime(MemoryFields.CREATED_AT) ? Instant.ofEpochMilli(d.getDateTime(MemoryFields.CREATED_AT).getValue()).toString() : null);
                    m.put("location", Map.of("source", LOCATION_MONGODB));
                    items.add(m);
                }
                List<CatalogEntry> archived = readArchive ? backend.index().timeline(agent, from, to, limit) : List.of();
                for (CatalogEntry e : archived) {
                    if (seen.add(e.getMemoryId())) {
                        Map<String, Object> m = new LinkedHashMap<>();
                        m.put("id", e.getMemoryId());
                        m.put("tier", TIER_COLD);
                        m.put("time", CatalogTopology.timeOf(e).toString());
                        m.put("location", archiveLocation(e, null));
                        items.add(m);
                    }
                }
                items.sort((a, b) -> String.valueOf(b.get("time")).compareTo(String.valueOf(a.get("time"))));
                List<Map<String, Object>> page = items.size() > limit ? items.subList(0, limit) : items;
                // a source that filled its page may hold more: the next page is the same query with to = next_to
                boolean more = items.size() > limit || mongo.size() == limit || archived.size() == limit;
                Object nextTo = null;
                if (more && !page.isEmpty()) {
                    nextTo = page.get(page.size() - 1).get("time");
                } else if (more && !mongo.isEmpty() && mongo.get(mongo.size() - 1).isDateTime(MemoryFields.CREATED_AT)) {
                    nextTo = Instant.ofEpochMilli(mongo.get(mongo.size() - 1).getDateTime(MemoryFields.CREATED_AT).getValue()).toString();
                }
                Map<String, Object> out = new LinkedHashMap<>();
                out.put("agent", agent);
                out.put("memories", page);
                out.put("next_to", nextTo);
                return ok(ctx, out);
            } catch (Exception e) {
                return failed(ctx, e);
            }
        }, backend.pool()).exceptionally(e -> failed(ctx, e)));
    }

    private static Instant time(String value, Instant otherwise) {
        if (value == null || value.isBlank()) {
            return otherwise;
        }
        if (value.chars().allMatch(Character::isDigit)) {
            return Instant.ofEpochMilli(Long.parseLong(value));
        }
        return Instant.parse(value);
    }

    // ------------------------------------------------------------------------------------------------ segments

    private void segments(Context ctx) {
        async(ctx, () -> {
            List<Map<String, Object>> out = new ArrayList<>();
            backend.index().counts("s").forEach((id, n) -> out.add(Map.of("segment_id", id, "memories", n)));
            return Map.of("segments", out);
        });
    }

    private void segment(Context ctx) {
        String id = ctx.pathParam("id");
        async(ctx, () -> {
            List<CatalogEntry> entries = backend.index().bySegment(id, MAX_LIMIT);
            if (entries.isEmpty()) {
                ctx.status(404);
                return Map.of("error", "no archived memory has its latest version in segment " + id);
            }
            Map<String, Object> out = new LinkedHashMap<>();
            out.put("segment_id", id);
            out.put("uri", entries.get(0).getLocation());
            out.put("memories", entries.stream().map(e -> Map.of("id", e.getMemoryId(), "block", e.getBlockIndex(),
                    "first_frame", e.getFirstFrame(), "last_frame", e.getLastFrame())).toList());
            out.put("truncated_at", entries.size() >= MAX_LIMIT ? MAX_LIMIT : null);
            return out;
        });
    }

    // ------------------------------------------------------------------------------------------------ helpers

    interface Work {
        Object run() throws Exception;
    }

    private void write(Context ctx, Work work) {
        String token = backend.writeToken();
        if (token.isEmpty()) {
            error(ctx, 403, "the service is read-only: no write token is configured (service.write.token)");
            return;
        }
        String given = ctx.header("Authorization");
        if (given == null || !java.security.MessageDigest.isEqual(("Bearer " + token).getBytes(), given.getBytes())) {
            error(ctx, 401, "this request needs the header Authorization: Bearer <service.write.token>");
            return;
        }
        async(ctx, work);
    }

    private void async(Context ctx, Work work) {
        Supplier<CompletableFuture<?>> task = () -> CompletableFuture.supplyAsync(() -> {
            try {
                Object result = work.run();
                return json(ctx, ctx.statusCode(), result);
            } catch (IllegalArgumentException e) {
                return error(ctx, 400, e.getMessage());
            } catch (Exception e) {
                return failed(ctx, e);
            }
        }, backend.pool());
        ctx.future(task);
    }

    private static Object ok(Context ctx, Object body) {
        return json(ctx, 200, body);
    }

    static Object json(Context ctx, int status, Object body) {
        try {
            ctx.status(status).contentType("application/json").result(CatalogIndex.JSON.writeValueAsString(body));
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
        return body;
    }

    private static Object error(Context ctx, int status, String reason) {
        return json(ctx, status, Map.of("error", reason == null ? "error" : reason, "status", status));
    }

    private static Object failed(Context ctx, Throwable e) {
        Throwable cause = e instanceof CompletionException && e.getCause() != null ? e.getCause() : e;
        if (cause instanceof org.apache.kafka.streams.errors.InvalidStateStoreException) {
            return error(ctx, 503, "the catalog index is not ready (" + cause.getMessage() + "); retry shortly");
        }
        LOG.warn("request {} failed", ctx.path(), cause);
        return error(ctx, 500, cause.getClass().getSimpleName() + ": " + cause.getMessage());
    }

    private static String quote(String s) {
        return "'" + s + "'";
    }
}
