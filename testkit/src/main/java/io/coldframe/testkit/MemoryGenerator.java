package io.coldframe.testkit;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

import org.bson.BsonArray;
import org.bson.BsonBinary;
import org.bson.BsonDateTime;
import org.bson.BsonDocument;
import org.bson.BsonDouble;
import org.bson.BsonInt32;
import org.bson.BsonObjectId;
import org.bson.BsonString;
import org.bson.UuidRepresentation;
import org.bson.types.ObjectId;

import io.coldframe.common.MemoryFields;

/**
 * Realistic agent memories, deterministic for a seed and an anchor instant: ages spread over the year before the
 * anchor, every importance level and memory type, varied text, about 30% with a 384-float embedding.
 */
public final class MemoryGenerator {

    public static final List<String> TYPES = List.of("INTERACTION", "CONTEXT", "LEARNING", "SYSTEM_STATE", "PERFORMANCE",
            "ERROR", "GOAL", "BELIEF", "PLAN");
    public static final int EMBEDDING_DIMENSIONS = 384;
    private static final String[] SUBJECTS = {"the user", "the deployment", "the billing service", "the customer",
            "the data pipeline", "the search index", "the on-call engineer", "the planner", "the test suite", "the release"};
    private static final String[] VERBS = {"asked about", "failed while updating", "prefers", "reported", "scheduled",
            "rolled back", "summarised", "could not find", "approved", "measured"};
    private static final String[] OBJECTS = {"the quarterly invoice", "a flaky integration test", "latency above 300 ms",
            "the migration plan", "a duplicated order", "the new onboarding flow", "a memory leak in the worker",
            "the retention policy", "an expired TLS certificate", "the weekly report"};
    private static final String[] TAGS = {"billing", "infra", "ux", "support", "ml", "security", "ops", "sales", "research", "qa"};

    private final SplittableRandom random;
    private final Instant anchor;
    private final int agents;

    public MemoryGenerator(long seed, Instant anchor) {
        this.random = new SplittableRandom(seed);
        this.anchor = anchor;
        this.agents = 50;
    }

    public List<BsonDocument> generate(int count) {
        List<BsonDocument> documents = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            documents.add(next());
        }
        return documents;
    }

    public BsonDocument next() {
        long ageMs = random.nextLong(Duration.ofDays(365).toMillis());
        Instant created = anchor.minusMillis(ageMs);
        BsonDocument document = new BsonDocument(MemoryFields.ID, new BsonObjectId(objectId(created)))
                .append(MemoryFields.AGENT, new BsonString(String.format("agent-%03d", random.nextInt(agents))))
                .append(MemoryFields.TYPE, new BsonString(TYPES.get(random.nextInt(TYPES.size()))))
                .append(MemoryFields.IMPORTANCE, new BsonString(importance()))
                .append(MemoryFields.CREATED_AT, new BsonDateTime(created.toEpochMilli()))
                .append(MemoryFields.LAST_ACCESSED_AT, new BsonDateTime(created.plusMillis(random.nextLong(ageMs + 1)).toEpochMilli()))
                .append(MemoryFields.ACCESS_COUNT, new BsonInt32(accessCount()))
                .append("session_id", new BsonBinary(new java.util.UUID(random.nextLong(), random.nextLong()), UuidRepresentation.STANDARD))
                .append("content", content())
                .append("tags", tags());
        if (random.nextInt(10) < 3) {
            document.append("embedding", embedding());
        }
        return document;
    }

    private ObjectId objectId(Instant created) {
        byte[] bytes = new byte[12];
        int seconds = (int) created.getEpochSecond();
        bytes[0] = (byte) (seconds >>> 24);
        bytes[1] = (byte) (seconds >>> 16);
        bytes[2] = (byte) (seconds >>> 8);
        bytes[3] = (byte) seconds;
        for (int i = 4; i < 12; i++) {
            bytes[i] = (byte) random.nextInt(256);
        }
        return new ObjectId(bytes);
    }

    private String importance() {
        int roll = random.nextInt(100);
        return roll < 5 ? "CRITICAL" : roll < 25 ? "HIGH" : roll < 70 ? "MEDIUM" : "LOW";
    }

    private int accessCount() {
        int count = 0;
        while (count < 1000 && random.nextInt(3) != 0) {
            count += 1 + random.nextInt(count + 1);
        }
        return count;
    }

    private BsonDocument content() {
        StringBuilder text = new StringBuilder();
        int sentences = 1 + random.nextInt(12);
        for (int i = 0; i < sentences; i++) {
            text.append(capitalise(pick(SUBJECTS))).append(' ').append(pick(VERBS)).append(' ').append(pick(OBJECTS))
                    .append(" (ref ").append(Integer.toHexString(random.nextInt())).append("). ");
        }
        return new BsonDocument("text", new BsonString(text.toString().trim()))
                .append("tokens", new BsonInt32(text.length() / 4))
                .append("confidence", new BsonDouble(Math.round(random.nextDouble() * 1000) / 1000.0));
    }

    private BsonArray tags() {
        BsonArray tags = new BsonArray();
        int n = 1 + random.nextInt(3);
        for (int i = 0; i < n; i++) {
            tags.add(new BsonString(pick(TAGS)));
        }
        return tags;
    }

    /** Values are float32 widened to double, as embedding models produce them. */
    private BsonArray embedding() {
        BsonArray values = new BsonArray(new ArrayList<>(EMBEDDING_DIMENSIONS));
        for (int i = 0; i < EMBEDDING_DIMENSIONS; i++) {
            values.add(new BsonDouble((float) (random.nextDouble() * 2 - 1)));
        }
        return values;
    }

    private String pick(String[] options) {
        return options[random.nextInt(options.length)];
    }

    private static String capitalise(String phrase) {
        return Character.toUpperCase(phrase.charAt(0)) + phrase.substring(1);
    }
}
