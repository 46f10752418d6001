package io.coldframe.segment;

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

/**
 * The shape of the demo's generated memories (cli's MemoryGenerator, seed-compatible in spirit, not byte
 * for byte): metadata, a short templated text, tags, ~30% with a 384-float embedding.
 */
final class DemoMemories {
    private static final String[] TYPES = {"INTERACTION", "CONTEXT", "LEARNING", "SYSTEM_STATE", "PERFORMANCE",
            "ERROR", "GOAL", "BELIEF", "PLAN"};
    private static final String[] SUBJECTS = {"the user", "the deployment", "the billing service", "the customer",
            "the data pipeline", "the search index", "the on-call engineer", "the planner", "the test suite", "the release"};
    private static final String[] VERBS = {"asked about", "failed while updating", "prefers", "reported", "scheduled",
            "rolled back", "summarised", "could not find", "approved", "measured"};
    private static final String[] OBJECTS = {"the quarterly invoice", "a flaky integration test", "latency above 300 ms",
            "the migration plan", "a duplicated order", "the new onboarding flow", "a memory leak in the worker",
            "the retention policy", "an expired TLS certificate", "the weekly report"};
    private static final String[] TAGS = {"billing", "infra", "ux", "support", "ml", "security", "ops", "sales", "research", "qa"};

    private DemoMemories() {
    }

    static List<SegmentRecord> memories(long seed, int n) {
        SplittableRandom random = new SplittableRandom(seed);
        long anchor = 1_750_000_000_000L;
        List<SegmentRecord> out = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            long ageMs = random.nextLong(365L * 86_400_000L);
            long created = anchor - ageMs;
            byte[] oid = new byte[12];
            int seconds = (int) (created / 1000);
            oid[0] = (byte) (seconds >>> 24);
            oid[1] = (byte) (seconds >>> 16);
            oid[2] = (byte) (seconds >>> 8);
            oid[3] = (byte) seconds;
            for (int b = 4; b < 12; b++) {
                oid[b] = (byte) random.nextInt(256);
            }
            StringBuilder text = new StringBuilder();
            for (int s = 0, sentences = 1 + random.nextInt(12); s < sentences; s++) {
                String subject = SUBJECTS[random.nextInt(SUBJECTS.length)];
                text.append(Character.toUpperCase(subject.charAt(0))).append(subject.substring(1)).append(' ')
                        .append(VERBS[random.nextInt(VERBS.length)]).append(' ').append(OBJECTS[random.nextInt(OBJECTS.length)])
                        .append(" (ref ").append(Integer.toHexString(random.nextInt())).append("). ");
            }
            int count = 0;
            while (count < 1000 && random.nextInt(3) != 0) {
                count += 1 + random.nextInt(count + 1);
            }
            int roll = random.nextInt(100);
            BsonArray tags = new BsonArray();
            for (int t = 0, nt = 1 + random.nextInt(3); t < nt; t++) {
                tags.add(new BsonString(TAGS[random.nextInt(TAGS.length)]));
            }
            BsonDocument d = new BsonDocument("_id", new BsonObjectId(new ObjectId(oid)))
                    .append("agent_id", new BsonString(String.format("agent-%03d", random.nextInt(50))))
                    .append("type", new BsonString(TYPES[random.nextInt(TYPES.length)]))
                    .append("importance", new BsonString(roll < 5 ? "CRITICAL" : roll < 25 ? "HIGH" : roll < 70 ? "MEDIUM" : "LOW"))
                    .append("created_at", new BsonDateTime(created))
                    .append("last_accessed_at", new BsonDateTime(created + random.nextLong(ageMs + 1)))
                    .append("access_count", new BsonInt32(count))
                    .append("session_id", new BsonBinary(new java.util.UUID(random.nextLong(), random.nextLong()),
                            UuidRepresentation.STANDARD))
                    .append("content", new BsonDocument("text", new BsonString(text.toString().trim()))
                            .append("tokens", new BsonInt32(text.length() / 4))
                            .append("confidence", new BsonDouble(Math.round(random.nextDouble() * 1000) / 1000.0)))
                    .append("tags", tags);
            if (random.nextInt(10) < 3) {
                BsonArray values = new BsonArray(new ArrayList<>(384));
                for (int v = 0; v < 384; v++) {
                    values.add(new BsonDouble((float) (random.nextDouble() * 2 - 1)));
                }
                d.append("embedding", values);
            }
            out.add(SegmentRecord.of("{\"$oid\": \"" + new ObjectId(oid).toHexString() + "\"}", d));
        }
        return out;
    }
}
