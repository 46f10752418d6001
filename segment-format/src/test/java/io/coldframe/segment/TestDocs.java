package io.coldframe.segment;

import java.util.ArrayList;
import java.util.Date;
import java.util.List;
import java.util.Random;
import java.util.UUID;
import org.bson.BsonArray;
import org.bson.BsonDateTime;
import org.bson.BsonDocument;
import org.bson.BsonDouble;
import org.bson.BsonInt32;
import org.bson.BsonInt64;
import org.bson.BsonObjectId;
import org.bson.BsonString;
import org.bson.types.ObjectId;

/**
 * Synthetic AI-agent memory documents shaped like production ones: text content, metadata, entities,
 * 30% with a 384-dimension embedding (float32 values stored as doubles, as drivers write them).
 */
final class TestDocs {
    private static final String[] WORDS = ("the of and to a in is you that it he was for on are as with his they i at be "
            + "this have from or one had by word but not what all were we when your can said there use an each which "
            + "she do how their if will up other about out many then them these so some her would make like him into "
            + "time has look two more write go see number no way could people my than first water been call who oil "
            + "its now find long down day did get come made may part user agent memory remember prefers meeting project "
            + "deadline customer order invoice email calendar travel flight hotel booking budget report summary task "
            + "reminder preference language python java kafka mongodb deploy cluster error retry timeout latency "
            + "embedding vector search context window token model prompt response feedback positive negative schedule "
            + "monday tuesday friday weekend morning evening coffee tea lunch dinner family birthday gift doctor "
            + "appointment password account billing subscription renewal discount shipping address phone").split(" ");
    private static final String[] KINDS = {"episodic", "semantic", "procedural", "preference", "fact"};
    private static final String[] ENTITY_TYPES = {"person", "place", "organization", "product", "date", "topic"};

    private TestDocs() {
    }

    static String words(Random rnd, int chars) {
        StringBuilder sb = new StringBuilder(chars + 16);
        boolean start = true;
        while (sb.length() < chars) {
            // Zipf-like: favour early (common) words
            double u = rnd.nextDouble();
            int idx = (int) (Math.pow(u, 2.2) * WORDS.length);
            String w = WORDS[Math.min(idx, WORDS.length - 1)];
            if (start) {
                w = Character.toUpperCase(w.charAt(0)) + w.substring(1);
                start = false;
            }
            sb.append(w);
            if (rnd.nextInt(12) == 0) {
                sb.append(". ");
                start = true;
            } else if (rnd.nextInt(15) == 0) {
                sb.append(", ");
            } else {
                sb.append(' ');
            }
        }
        return sb.toString().trim();
    }

    static BsonDocument memory(Random rnd, long baseMillis) {
        BsonDocument d = new BsonDocument();
        byte[] oid = new byte[12];
        rnd.nextBytes(oid);
        d.put("_id", new BsonObjectId(new ObjectId(oid)));
        d.put("agentId", new BsonString("agent-" + rnd.nextInt(50)));
        d.put("userId", new BsonString("user-" + rnd.nextInt(100_000)));
        d.put("sessionId", new BsonString(new UUID(rnd.nextLong(), rnd.nextLong()).toString()));
        d.put("kind", new BsonString(KINDS[rnd.nextInt(KINDS.length)]));
        d.put("content", new BsonString(words(rnd, 700 + rnd.nextInt(2300))));
        d.put("summary", new BsonString(words(rnd, 80 + rnd.nextInt(200))));
        BsonArray tags = new BsonArray();
        for (int i = 0, n = 2 + rnd.nextInt(5); i < n; i++) {
            tags.add(new BsonString(WORDS[100 + rnd.nextInt(WORDS.length - 100)]));
        }
        d.put("tags", tags);
        d.put("importance", new BsonDouble(Math.round(rnd.nextDouble() * 1000) / 1000.0));
        d.put("accessCount", new BsonInt32(rnd.nextInt(200)));
        long created = baseMillis - (long) (rnd.nextDouble() * 400L * 86_400_000L);
        d.put("createdAt", new BsonDateTime(created));
        d.put("updatedAt", new BsonDateTime(created + rnd.nextInt(86_400_000)));
        d.put("lastAccessedAt", new BsonDateTime(created + rnd.nextInt(1_000_000_000)));
        d.put("source", new BsonDocument("type", new BsonString(rnd.nextBoolean() ? "chat" : "tool"))
                .append("messageId", new BsonString(Long.toHexString(rnd.nextLong())))
                .append("turn", new BsonInt32(rnd.nextInt(400))));
        BsonArray entities = new BsonArray();
        for (int i = 0, n = rnd.nextInt(5); i < n; i++) {
            entities.add(new BsonDocument("name", new BsonString(words(rnd, 5 + rnd.nextInt(15))))
                    .append("type", new BsonString(ENTITY_TYPES[rnd.nextInt(ENTITY_TYPES.length)]))
                    .append("salience", new BsonDouble(Math.round(rnd.nextDouble() * 100) / 100.0)));
        }
        d.put("entities", entities);
        d.put("ttlDays", new BsonInt64(30 + rnd.nextInt(365)));
        if (rnd.nextInt(10) < 3) {
            BsonArray emb = new BsonArray(new ArrayList<>(384));
            for (int i = 0; i < 384; i++) {
                emb.add(new BsonDouble((float) (rnd.nextGaussian() / Math.sqrt(384))));
            }
            d.put("embedding", emb);
            d.put("embeddingModel", new BsonString("all-MiniLM-L6-v2"));
        }
        return d;
    }

    static List<SegmentRecord> memories(long seed, int n) {
        Random rnd = new Random(seed);
        long base = new Date(1_750_000_000_000L).getTime();
        List<SegmentRecord> out = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            BsonDocument d = memory(rnd, base);
            out.add(SegmentRecord.of(d.get("_id").asObjectId().getValue().toHexString(), d));
        }
        return out;
    }
}
