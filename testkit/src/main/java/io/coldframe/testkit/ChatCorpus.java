package io.coldframe.testkit;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.UUID;
import org.bson.BsonArray;
import org.bson.BsonDateTime;
import org.bson.BsonDocument;
import org.bson.BsonDouble;
import org.bson.BsonObjectId;
import org.bson.BsonString;
import org.bson.types.ObjectId;

import io.coldframe.segment.SegmentRecord;

/**
 * Short chat-turn memories, text only, deterministic for a seed: sessions of alternating user and
 * assistant turns; each memory is one turn ({@code input}), the next turn's text repeated as its
 * {@code response}, and the two previous turns as {@code context}, like agent frameworks store transcripts.
 * Shape: _id (ObjectId from one driver process), memory_id (UUID), timestamp, agent_id, session_id,
 * memory_type, importance, input, response, context, tags.
 *
 * <p>Text is English-like but not a tiny vocabulary: words are drawn Zipf-like from a vocabulary of a
 * few thousand pseudo-words built from syllables, plus common function words, numbers and names, so that
 * gzip compresses the text about 3x as it does real chat text (and whole JSON lines, with the repeats,
 * land near 110-140 B per memory for ~870 B of JSON).
 */
public final class ChatCorpus {
    private static final String[] FUNCTION_WORDS = ("the of and to a in is you that it for on are as with this be "
            + "at have from or by not what all we when your can there an which do how their if will up about out "
            + "them so some would like into time has more no could my than been who its now did get may I me it's "
            + "don't should just also here").split(" ");
    private static final String[] SYLLABLES = ("ba be bi bo bu ca ce ci co cu da de di do du fa fe fi fo ga ge go "
            + "ha he hi ho ja je jo ka ke ki ko la le li lo lu ma me mi mo mu na ne ni no nu pa pe pi po pu ra re "
            + "ri ro ru sa se si so su ta te ti to tu va ve vi vo wa we wi ya yo za ze zo tion ment ing er est ly "
            + "al ous ive ble ic ant ent con pro pre dis ex in un re sub trans inter str th sh ch pl tr gr br cr").split(" ");
    private static final String[] NAMES = {"Alice", "Bob", "Priya", "Chen", "Marta", "Kofi", "Sven", "Yuki",
            "Kubernetes", "Postgres", "Kafka", "Grafana", "Slack", "Jira", "Python", "Rust", "AWS", "Berlin"};
    private static final String[] AGENTS = {"support-bot", "research-assistant", "coding-copilot", "travel-planner",
            "sales-assistant"};
    private static final String[] TAGS = {"chat", "user", "assistant", "question", "answer", "followup", "code",
            "billing", "travel", "bug", "feature", "summary"};
    private static final int VOCABULARY = 4000;

    private final SplittableRandom rnd;
    private final String[] vocabulary = new String[VOCABULARY];
    private final byte[] processId = new byte[5];
    private int counter;
    private long clock = 1_750_000_000_000L;

    ChatCorpus(long seed) {
        rnd = new SplittableRandom(seed);
        for (int i = 0; i < VOCABULARY; i++) {
            StringBuilder w = new StringBuilder();
            for (int s = 0, n = 1 + rnd.nextInt(3) + (rnd.nextInt(4) == 0 ? 1 : 0); s < n; s++) {
                w.append(SYLLABLES[rnd.nextInt(SYLLABLES.length)]);
            }
            vocabulary[i] = w.toString();
        }
        for (int i = 0; i < processId.length; i++) {
            processId[i] = (byte) rnd.nextInt(256);
        }
        counter = rnd.nextInt(1 << 24);
    }

    /** {@code n} memories, the same for the same seed. */
    public static List<SegmentRecord> memories(long seed, int n) {
        ChatCorpus c = new ChatCorpus(seed);
        List<SegmentRecord> out = new ArrayList<>(n);
        while (out.size() < n) {
            c.session(out, n);
        }
        return out;
    }

    private void session(List<SegmentRecord> out, int limit) {
        String agent = AGENTS[rnd.nextInt(AGENTS.length)];
        String session = new UUID(rnd.nextLong(), rnd.nextLong()).toString();
        int turns = 4 + rnd.nextInt(30);
        List<String> texts = new ArrayList<>(turns + 1);
        for (int t = 0; t <= turns; t++) {
            texts.add(t % 2 == 0 ? sentences(1 + rnd.nextInt(2), 5, 14) : sentences(1 + rnd.nextInt(4), 8, 20));
        }
        clock += 60_000L + rnd.nextInt(3_600_000);
        for (int t = 0; t < turns && out.size() < limit; t++) {
            clock += 2_000 + rnd.nextInt(90_000);
            BsonDocument d = new BsonDocument("_id", new BsonObjectId(objectId()))
                    .append("memory_id", new BsonString(new UUID(rnd.nextLong(), rnd.nextLong()).toString()))
                    .append("timestamp", new BsonDateTime(clock))
                    .append("agent_id", new BsonString(agent))
                    .append("session_id", new BsonString(session))
                    .append("memory_type", new BsonString(rnd.nextInt(10) == 0 ? "episodic" : "conversation"))
                    .append("importance", new BsonDouble(Math.round(rnd.nextDouble() * 10) / 10.0))
                    .append("input", new BsonString(texts.get(t)))
                    .append("response", new BsonString(texts.get(t + 1)))
                    .append("context", new BsonString(String.join("\n", texts.subList(Math.max(0, t - 2), t))))
                    .append("tags", tags(t));
            out.add(SegmentRecord.of("{\"$oid\": \"" + d.getObjectId("_id").getValue().toHexString() + "\"}", d));
        }
    }

    private ObjectId objectId() {
        byte[] b = new byte[12];
        int seconds = (int) (clock / 1000);
        b[0] = (byte) (seconds >>> 24);
        b[1] = (byte) (seconds >>> 16);
        b[2] = (byte) (seconds >>> 8);
        b[3] = (byte) seconds;
        System.arraycopy(processId, 0, b, 4, 5);
        counter++;
        b[9] = (byte) (counter >>> 16);
        b[10] = (byte) (counter >>> 8);
        b[11] = (byte) counter;
        return new ObjectId(b);
    }

    private BsonArray tags(int turn) {
        BsonArray tags = new BsonArray();
        tags.add(new BsonString(turn % 2 == 0 ? "user" : "assistant"));
        for (int i = 0, n = rnd.nextInt(3); i < n; i++) {
            tags.add(new BsonString(TAGS[rnd.nextInt(TAGS.length)]));
        }
        return tags;
    }

    private String sentences(int n, int minWords, int maxWords) {
        StringBuilder sb = new StringBuilder();
        for (int s = 0; s < n; s++) {
            int words = minWords + rnd.nextInt(maxWords - minWords + 1);
            for (int w = 0; w < words; w++) {
                String word = word();
                sb.append(w == 0 ? Character.toUpperCase(word.charAt(0)) + word.substring(1) : word);
                if (w < words - 1) {
                    sb.append(rnd.nextInt(14) == 0 ? ", " : " ");
                }
            }
            sb.append(rnd.nextInt(6) == 0 ? "? " : ". ");
        }
        return sb.toString().trim();
    }

    private String word() {
        int roll = rnd.nextInt(100);
        if (roll < 52) {
            return FUNCTION_WORDS[(int) (Math.pow(rnd.nextDouble(), 1.5) * FUNCTION_WORDS.length)];
        }
        if (roll < 54) {
            return NAMES[rnd.nextInt(NAMES.length)];
        }
        if (roll < 55) {
            return Integer.toString(rnd.nextInt(rnd.nextBoolean() ? 100 : 100_000));
        }
        return vocabulary[(int) (Math.pow(rnd.nextDouble(), 3.0) * VOCABULARY)]; // Zipf-like: early words common
    }
}
