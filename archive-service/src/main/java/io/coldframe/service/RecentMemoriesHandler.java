package io.coldframe.service;

import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;

import org.bson.RawBsonDocument;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import com.fasterxml.jackson.databind.util.RawValue;

import io.coldframe.common.MemoryDocuments;
import io.coldframe.common.MemoryFields;
import io.coldframe.hotcache.RecentMemories;
import io.javalin.http.Context;

import redis.clients.jedis.exceptions.JedisException;

/**
 * {@code GET /agents/{agent}/memories/recent?limit=N}: the agent's newest memories, newest first. From Redis (the
 * hot-cache) when it is configured, answers and holds at least N of the agent's memories; otherwise from MongoDB,
 * which holds every memory not yet archived. The response's {@code source} says which.
 */
final class RecentMemoriesHandler {

    private static final Logger LOG = LoggerFactory.getLogger(RecentMemoriesHandler.class);
    static final int DEFAULT_LIMIT = 10;
    static final int MAX_LIMIT = 1000;
    private static final Instant END_OF_TIME = Instant.parse("9999-12-31T00:00:00Z");

    private final ArchiveApi.Backend backend;

    RecentMemoriesHandler(ArchiveApi.Backend backend) {
        this.backend = backend;
    }

    void handle(Context ctx) {
        String agent = ctx.pathParam("agent");
        Integer limit = limit(ctx.queryParam("limit"));
        if (limit == null) {
            ArchiveApi.json(ctx, 400, Map.of("error", "limit must be a whole number from 1 to " + MAX_LIMIT + ", got '"
                    + ctx.queryParam("limit") + "'", "status", 400));
            return;
        }
        Optional<RecentMemories> redis = backend.recent();
        ctx.future(() -> {
            CompletableFuture<Optional<Map<String, Object>>> fromRedis = redis.isEmpty()
                    ? CompletableFuture.completedFuture(Optional.empty())
                    : CompletableFuture.supplyAsync(() -> fromRedis(redis.get(), agent, limit), backend.pool());
            return fromRedis.thenCompose(answer -> answer.isPresent() ? CompletableFuture.completedFuture(answer.get())
                            : fromMongo(agent, limit))
                    .thenApply(body -> ArchiveApi.json(ctx, 200, body))
                    .exceptionally(e -> ArchiveApi.json(ctx, 500, Map.of("error", String.valueOf(e.getMessage()), "status", 500)));
        });
    }

    static Integer limit(String raw) {
        if (raw == null || raw.isBlank()) {
            return DEFAULT_LIMIT;
        }
        try {
            int limit = Integer.parseInt(raw.strip());
            return limit >= 1 && limit <= MAX_LIMIT ? limit : null;
        } catch (NumberFormatException e) {
            return null;
        }
    }

    private static Optional<Map<String, Object>> fromRedis(RecentMemories redis, String agent, int limit) {
        List<RecentMemories.Cached> cached;
        try {
            cached = redis.newest(agent, limit);
        } catch (JedisException e) {
            LOG.warn("Redis does not answer ({}); agent {} is read from MongoDB", e.getMessage(), agent);
            return Optional.empty();
        }
        if (cached.size() < limit) {
            return Optional.empty(); // Redis may not hold them all (warm, trimmed, not cached yet): MongoDB does
        }
        List<Map<String, Object>> memories = new ArrayList<>();
        for (RecentMemories.Cached memory : cached) {
            // Redis holds the canonical Extended JSON the API answers with: written as it is, not parsed again
            memories.add(item(memory.memoryId(), memory.tier(), Instant.ofEpochMilli(memory.createdAtMs()),
                    new RawValue(memory.documentJson())));
        }
        return Optional.of(body(agent, "redis", memories));
    }

    private CompletableFuture<Map<String, Object>> fromMongo(String agent, int limit) {
        return backend.mongo().timeline(agent, Instant.EPOCH, END_OF_TIME, limit).thenApply(documents -> {
            List<Map<String, Object>> memories = new ArrayList<>();
            for (RawBsonDocument document : documents) {
                var created = document.get(MemoryFields.CREATED_AT);
                memories.add(item(MemoryDocuments.idOf(document.get(MemoryFields.ID)), "mongodb",
                        created != null && created.isDateTime() ? Instant.ofEpochMilli(created.asDateTime().getValue()) : null,
                        ArchiveApi.document(document)));
            }
            return body(agent, "mongodb", memories);
        });
    }

    private static Map<String, Object> item(String id, String tier, Instant createdAt, Object document) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("id", id);
        m.put("tier", tier);
        m.put("created_at", createdAt == null ? null : createdAt.toString());
        m.put("document", document);
        return m;
    }

    private static Map<String, Object> body(String agent, String source, List<Map<String, Object>> memories) {
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("agent", agent);
        out.put("source", source);
        out.put("memories", memories);
        return out;
    }
}
