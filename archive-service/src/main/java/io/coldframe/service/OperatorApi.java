package io.coldframe.service;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.atomic.AtomicLong;

import com.fasterxml.jackson.databind.JsonNode;

import io.coldframe.common.ops.Secrets;
import io.coldframe.segment.SegmentFrame;
import io.coldframe.store.SegmentStore;
import io.javalin.config.JavalinConfig;
import io.javalin.http.Context;
import io.javalin.http.staticfiles.Location;

/**
 * The operator's endpoints beside the archive API: the web console (static files under {@code /console} on the class
 * path, served at {@code /}), {@code GET /status} (backend, mode, reachability, versions, the health score and its
 * recommendations), {@code GET /deadletters} (the newest dead letters with their reasons) and
 * {@code GET /segments/{id}/frames/{n}.png} (one QR frame; without {@code .png}, its decoded header). It also times the API's gets per tier and counts failed verifications,
 * both inputs of the score, from the answers ArchiveApi gives.
 */
final class OperatorApi {

    private static final String STARTED = "coldframe.started.nanos";

    /** What /status says about this instance besides health: nothing here may be a credential. */
    record Facts(String storeType, String store, boolean readOnly, String database, String collection, Map<String, String> versions) {
    }

    private final HealthProbe probe;
    private final GetTimings timings;
    private final AtomicLong verifyFailures;
    private final Facts facts;
    private final DeadLetterTail deadLetters;
    private final SegmentStore store;
    private final ExecutorService pool;

    OperatorApi(HealthProbe probe, GetTimings timings, AtomicLong verifyFailures, Facts facts, DeadLetterTail deadLetters,
                SegmentStore store, ExecutorService pool) {
        this.deadLetters = deadLetters;
        this.store = store;
        this.probe = probe;
        this.timings = timings;
        this.verifyFailures = verifyFailures;
        this.facts = facts;
        this.pool = pool;
    }

    void register(JavalinConfig config) {
        config.staticFiles.add(files -> {
            files.hostedPath = "/";
            files.directory = "/console";
            files.location = Location.CLASSPATH;
        });
        config.routes.get("/status", this::status);
        config.routes.get("/deadletters", this::deadLetters);
        config.routes.get("/segments/{id}/frames/{frame}", this::frame);
        config.routes.before("/memories/{id}", ctx -> ctx.attribute(STARTED, System.nanoTime()));
        config.routes.after("/memories/{id}", this::timeGet);
        config.routes.after("/segments/{id}/verify", this::countVerification);
    }

    private void status(Context ctx) {
        ctx.future(() -> CompletableFuture.supplyAsync(() -> {
            HealthInputs inputs = probe.measure();
            HealthScore health = HealthScore.of(inputs);
            Map<String, Object> out = new LinkedHashMap<>();
            out.put("service", "coldframe-archive-service");
            out.put("backend", Map.of("store_type", facts.storeType(), "store", facts.store(),
                    "catalog", "Kafka Streams state stores (RocksDB)"));
            out.put("mode", facts.readOnly() ? "read-only" : "read-write");
            out.put("mongodb", reachability(inputs, "mongodb", Map.of("database", facts.database(), "collection", facts.collection())));
            out.put("kafka", reachability(inputs, "kafka", Map.of()));
            out.put("object_store", reachability(inputs, "object_store", Map.of()));
            out.put("versions", facts.versions());
            out.put("health_score", health.score());
            out.put("recommendations", health.recommendations());
            out.put("signals", health.signals());
            return out;
        }, pool).handle((out, e) -> {
            if (e != null) {
                return ArchiveApi.json(ctx, 500, Map.of("error", Secrets.redact(String.valueOf(e.getMessage())), "status", 500));
            }
            return redactedJson(ctx, out);
        }));
    }

    private void deadLetters(Context ctx) {
        int limit;
        try {
            limit = ctx.queryParam("limit") == null ? 50 : Integer.parseInt(ctx.queryParam("limit"));
            if (limit < 1 || limit > DeadLetterTail.MAX_LIMIT) {
                throw new IllegalArgumentException("limit must be 1.." + DeadLetterTail.MAX_LIMIT);
            }
        } catch (IllegalArgumentException e) {
            ArchiveApi.json(ctx, 400, Map.of("error", e.getMessage(), "status", 400));
            return;
        }
        ctx.future(() -> CompletableFuture.supplyAsync(() -> deadLetters.newest(limit), pool).handle((letters, e) -> e != null
                ? ArchiveApi.json(ctx, 503, Map.of("error", "the dead-letter topic could not be read: "
                        + Secrets.redact(String.valueOf(e.getCause() != null ? e.getCause().getMessage() : e.getMessage())), "status", 503))
                : ArchiveApi.json(ctx, 200, Map.of("dead_letters", letters))));
    }

    /** {@code /segments/S/frames/N.png}: the frame's image; {@code /segments/S/frames/N}: its decoded header. */
    private void frame(Context ctx) {
        String id = ctx.pathParam("id");
        String raw = ctx.pathParam("frame");
        boolean png = raw.endsWith(".png");
        int index;
        try {
            index = Integer.parseInt(png ? raw.substring(0, raw.length() - 4) : raw);
        } catch (NumberFormatException e) {
            ArchiveApi.json(ctx, 400, Map.of("error", "frame must be a number (or NUMBER.png), not '" + raw + "'", "status", 400));
            return;
        }
        ctx.future(() -> CompletableFuture.supplyAsync(() -> {
            try {
                if (!store.contains(id)) {
                    return ArchiveApi.json(ctx, 404, Map.of("error", "no stored segment " + id, "status", 404));
                }
                SegmentFrame frame = SegmentFrame.read(store.fetch(id), id, index);
                if (png) {
                    ctx.status(200).contentType("image/png").result(frame.png());
                    return frame;
                }
                Map<String, Object> out = new LinkedHashMap<>();
                out.put("segment_id", id);
                out.put("frame", index);
                out.put("width", frame.width());
                out.put("height", frame.height());
                out.put("header", frame.header());
                out.put("image", "/segments/" + id + "/frames/" + index + ".png");
                return ArchiveApi.json(ctx, 200, out);
            } catch (IllegalArgumentException e) {
                return ArchiveApi.json(ctx, 404, Map.of("error", e.getMessage(), "status", 404));
            } catch (Exception e) {
                return ArchiveApi.json(ctx, 500, Map.of("error", "frame " + index + " of segment " + id + ": " + e.getMessage(), "status", 500));
            }
        }, pool));
    }

    private static Map<String, Object> reachability(HealthInputs inputs, String component, Map<String, Object> details) {
        Map<String, Object> m = new LinkedHashMap<>(details);
        String reason = inputs.unreachable().get(component);
        m.put("connected", reason == null);
        if (reason != null) {
            m.put("error", reason);
        }
        return m;
    }

    /** Written through {@link Secrets#redact} as well: a credential never leaves, even inside an error message. */
    private static Object redactedJson(Context ctx, Object body) {
        try {
            ctx.status(200).contentType("application/json").result(Secrets.redact(CatalogIndex.JSON.writeValueAsString(body)));
            return body;
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    private void timeGet(Context ctx) {
        Long started = ctx.attribute(STARTED);
        if (started == null || ctx.statusCode() != 200) {
            return;
        }
        // by where the answer came from (mongodb or archive): the two read paths with their own latency thresholds
        JsonNode source = answer(ctx).path("location").path("source");
        if (source.isTextual()) {
            timings.record(source.asText(), (System.nanoTime() - started) / 1e6);
        }
    }

    private void countVerification(Context ctx) {
        if (ctx.statusCode() == 500 || (ctx.statusCode() == 200 && !answer(ctx).path("ok").asBoolean(true))) {
            verifyFailures.incrementAndGet();
        }
    }

    private static JsonNode answer(Context ctx) {
        try {
            String body = ctx.result();
            return body == null ? CatalogIndex.JSON.missingNode() : CatalogIndex.JSON.readTree(body);
        } catch (Exception e) {
            return CatalogIndex.JSON.missingNode();
        }
    }
}
