package io.coldframe.archive;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.apache.kafka.clients.consumer.ConsumerRecord;

import io.coldframe.common.DeadLetters;
import io.coldframe.common.KafkaConnection;

/**
 * What the dead-letter topic holds, grouped by reason: a reason names the record and the field
 * ({@code record X, field created_at: missing; tiering needs it}), and records that failed the same way count as one
 * reason, so a person sees at a glance why most of a load went there.
 */
public final class DeadLetterReport {

    /** One reason, with how many dead letters gave it and one record that did. */
    public record Reason(String stage, String reason, long count, String example) {
    }

    private static final Pattern RECORD_PREFIX = Pattern.compile("^record (.+?), (field .*)$", Pattern.DOTALL);

    private DeadLetterReport() {
    }

    /** Every reason on {@code topic}, most frequent first. */
    public static List<Reason> read(KafkaConnection kafka, String topic) {
        return group(InvariantAudit.readCommitted(kafka, topic));
    }

    static List<Reason> group(List<ConsumerRecord<byte[], byte[]>> deadLetters) {
        Map<String, long[]> counts = new TreeMap<>();
        Map<String, String> examples = new LinkedHashMap<>();
        for (ConsumerRecord<byte[], byte[]> letter : deadLetters) {
            String stage = String.valueOf(DeadLetters.header(letter.headers(), DeadLetters.STAGE));
            String reason = String.valueOf(DeadLetters.header(letter.headers(), DeadLetters.REASON));
            Matcher m = RECORD_PREFIX.matcher(reason);
            String key = stage + "\u0000" + (m.matches() ? m.group(2) : reason);
            counts.computeIfAbsent(key, k -> new long[1])[0]++;
            examples.putIfAbsent(key, m.matches() ? m.group(1) : "");
        }
        return counts.entrySet().stream()
                .map(e -> {
                    String[] parts = e.getKey().split("\u0000", 2);
                    return new Reason(parts[0], parts[1], e.getValue()[0], examples.get(e.getKey()));
                })
                .sorted((a, b) -> Long.compare(b.count(), a.count()))
                .toList();
    }
}
