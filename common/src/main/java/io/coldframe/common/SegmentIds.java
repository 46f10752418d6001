package io.coldframe.common;

import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.apache.kafka.common.Uuid;

/**
 * Segment ids: {@code <topic>-<topic id>-<partition>-<first offset>-<last offset>}, e.g.
 * {@code coldframe.tier.cold-4f1c0e9ab2d34c5e8f60718293a4b5c6-3-1200-3199}.
 *
 * <p>The topic id is the Kafka topic id (a random 128-bit {@link Uuid} the controller assigns when the topic is
 * created) as 32 lowercase hex digits. A replay of the same records of the same topic incarnation gives the same id
 * (so it stays harmless: the store keeps identical bytes); a recreated topic, a rebuilt or migrated cluster, or another
 * environment writing to the same bucket gives a different one, even though offsets start again at 0. Hex rather than
 * Kafka's base64 form: no {@code -} or {@code _} inside the field, no case that a case-insensitive file system folds.
 * {@code kafka-topics --describe} prints the base64 form; {@link #topicIdHex} converts.
 *
 * <p>Ids written before topic ids were part of them ({@code <topic>-<partition>-<first>-<last>}) still parse, with
 * no topic id.
 *
 * <p>A segment rewritten without some of its records (retention, erasure: {@code docs/lifecycle.md}) is
 * {@code <original id>.rw<16 hex digits>}, the digits naming what was dropped ({@link #rewritten}). It parses as its
 * original: the same records of the same partition, fewer of them. No archiver id ends that way (they end in an offset).
 */
public final class SegmentIds {

    private static final Pattern CURRENT = Pattern.compile("(.+)-([0-9a-f]{32})-(\\d+)-(\\d+)-(\\d+)");
    private static final Pattern LEGACY = Pattern.compile("(.+)-(\\d+)-(\\d+)-(\\d+)");
    private static final Pattern REWRITE_SUFFIX = Pattern.compile("\\.rw[0-9a-f]{16}$");

    private SegmentIds() {
    }

    /** What a segment id says: the records {@code firstOffset..lastOffset} of one partition of one topic incarnation. */
    public record Parsed(String topic, String topicId, int partition, long firstOffset, long lastOffset) {

        /** The partition of one topic incarnation: segments of the same source are ordered by offset. */
        public String source() {
            return topic + (topicId == null ? "" : "-" + topicId) + "-" + partition;
        }
    }

    public static String of(String topic, Uuid topicId, int partition, long firstOffset, long lastOffset) {
        if (topicId == null || Uuid.ZERO_UUID.equals(topicId)) {
            throw new IllegalArgumentException("no topic id for " + topic + ": segment ids need the topic's id to stay unique across incarnations");
        }
        return topic + "-" + topicIdHex(topicId) + "-" + partition + "-" + firstOffset + "-" + lastOffset;
    }

    /** A topic id as 32 lowercase hex digits (its 128 bits, most significant first). */
    public static String topicIdHex(Uuid topicId) {
        return String.format("%016x%016x", topicId.getMostSignificantBits(), topicId.getLeastSignificantBits());
    }

    /**
     * The id of {@code segmentId} rewritten without some records: its original id (a rewrite of a rewrite replaces the
     * suffix, so ids do not grow) with {@code .rw} and {@code dropHex}, 16 lowercase hex digits of a hash of what was
     * dropped. The same rewrite gives the same id (a replay stores identical bytes); another drop set another id.
     */
    public static String rewritten(String segmentId, String dropHex) {
        if (!dropHex.matches("[0-9a-f]{16}")) {
            throw new IllegalArgumentException("a rewrite is named by 16 lowercase hex digits, not " + dropHex);
        }
        return original(segmentId) + ".rw" + dropHex;
    }

    /** The id a segment had before any rewrite: {@code segmentId} itself unless it is a rewrite. */
    public static String original(String segmentId) {
        return REWRITE_SUFFIX.matcher(segmentId).replaceFirst("");
    }

    /** The parts of a segment id (of its original, for a rewrite), or empty when it is not one coldframe writes. */
    public static Optional<Parsed> parse(String segmentId) {
        Matcher current = CURRENT.matcher(original(segmentId));
        try {
            if (current.matches()) {
                return Optional.of(new Parsed(current.group(1), current.group(2), Integer.parseInt(current.group(3)),
                        Long.parseLong(current.group(4)), Long.parseLong(current.group(5))));
            }
            Matcher legacy = LEGACY.matcher(original(segmentId));
            if (legacy.matches()) {
                return Optional.of(new Parsed(legacy.group(1), null, Integer.parseInt(legacy.group(2)),
                        Long.parseLong(legacy.group(3)), Long.parseLong(legacy.group(4))));
            }
        } catch (NumberFormatException tooLarge) {
            return Optional.empty();
        }
        return Optional.empty();
    }
}
