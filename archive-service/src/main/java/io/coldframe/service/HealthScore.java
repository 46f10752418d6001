package io.coldframe.service;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The health score, 0 to 100: 100 minus the penalty of every signal past its threshold. Each signal carries its
 * threshold and, when crossed, the recommendation it triggers. Thresholds are documented in docs/console.md.
 */
record HealthScore(int score, List<Signal> signals) {

    /** A measured signal: what was measured, the threshold, whether it is within it, and what to do when it is not. */
    record Signal(String name, String measured, String threshold, boolean ok, int penalty, String recommendation) {
        Signal {
            recommendation = ok ? null : recommendation; // advice only where there is something to do
        }
    }

    static final long LAG_RECORDS = 10_000;
    static final double DEAD_LETTER_RATE = 0.01;
    static final Duration PURGE_WAIT = Duration.ofMinutes(15);
    /** p95 of a get, per tier: MongoDB answers from an index; the archive may fetch and decode a block. */
    static final Map<String, Double> GET_P95_MS = Map.of("mongodb", 250.0, "archive", 2_000.0);
    static final double GET_P95_MS_OTHER_TIERS = 250.0;

    static final int LAG_PENALTY = 15;
    static final int DEAD_LETTER_PENALTY = 15;
    static final int PURGE_PENALTY = 10;
    static final int VERIFY_PENALTY = 30;
    static final int LATENCY_PENALTY = 5;
    static final Map<String, Integer> UNREACHABLE_PENALTY = Map.of("mongodb", 40, "kafka", 40, "object_store", 30);

    /** What a stage's lag asks for: which instances to add (never more than the input topic has partitions). */
    private static final Map<String, String> SCALE_OUT = Map.of(
            "tiering", "add streams-app instances",
            "archiver", "add archiver workers",
            "purger", "add purger instances",
            "catalog", "add archive-service instances");

    List<String> recommendations() {
        return signals.stream().filter(s -> !s.ok()).map(Signal::recommendation).toList();
    }

    static HealthScore of(HealthInputs in) {
        List<Signal> signals = new ArrayList<>();
        for (String component : List.of("mongodb", "kafka", "object_store")) {
            String reason = in.unreachable().get(component);
            signals.add(new Signal(component + "_reachable", reason == null ? "reachable" : "unreachable: " + reason, "reachable",
                    reason == null, UNREACHABLE_PENALTY.get(component), reachabilityAdvice(component, reason)));
        }
        for (HealthInputs.StageLag lag : in.lags()) {
            boolean ok = lag.lag() <= LAG_RECORDS;
            signals.add(new Signal("lag_" + lag.stage(), lag.lag() + " records on " + lag.partitionsLagging() + " of " + lag.partitions()
                    + " partitions of " + lag.topic() + " (group " + lag.group() + ")", "at most " + LAG_RECORDS, ok, LAG_PENALTY,
                    "lag " + compact(lag.lag()) + " on " + lag.partitionsLagging() + " partitions: "
                            + SCALE_OUT.getOrDefault(lag.stage(), "add " + lag.stage() + " instances") + ", at most " + lag.partitions()));
        }
        double rate = in.changesLastHour() == 0 ? (in.deadLettersLastHour() > 0 ? 1.0 : 0.0)
                : (double) in.deadLettersLastHour() / in.changesLastHour();
        signals.add(new Signal("dead_letter_rate", percent(rate) + " (" + in.deadLettersLastHour() + " dead letters, "
                + in.changesLastHour() + " changes in the last hour)", "at most " + percent(DEAD_LETTER_RATE), rate <= DEAD_LETTER_RATE,
                DEAD_LETTER_PENALTY, "dead letters " + percent(rate) + " of changes in the last hour (" + in.deadLettersLastHour()
                        + "): read their reasons (GET /deadletters) and fix the documents or the tiering rules they name"));
        boolean purgeOk = in.oldestPurgeWait().compareTo(PURGE_WAIT) <= 0;
        signals.add(new Signal("purge_backlog", in.purgeBacklog() + " committed segments not purged, oldest waiting "
                + minutes(in.oldestPurgeWait()), "oldest wait at most " + minutes(PURGE_WAIT), purgeOk, PURGE_PENALTY,
                "purge backlog " + in.purgeBacklog() + " segments, oldest " + minutes(in.oldestPurgeWait())
                        + ": check that the purger runs and reaches MongoDB (its /health/ready)"));
        signals.add(new Signal("verification_failures", in.verifyFailures() + " failed verifications of stored segments", "0",
                in.verifyFailures() == 0, VERIFY_PENALTY, in.verifyFailures() + " segment verifications failed: restore those objects "
                        + "from a backup or bucket versioning before anything else (docs/operations.md, Scrubbing stored segments)"));
        signals.add(new Signal("scrub_failures", in.scrubFailures() + " segments failed the last scrub", "0", in.scrubFailures() == 0,
                VERIFY_PENALTY, in.scrubFailures() + " segments failed the last scrub: restore them from a backup or bucket versioning "
                        + "(coldframe scrub names each segment and frame)"));
        in.getP95MsByTier().entrySet().stream().sorted(Map.Entry.comparingByKey()).forEach(e -> {
            double limit = GET_P95_MS.getOrDefault(e.getKey(), GET_P95_MS_OTHER_TIERS);
            signals.add(new Signal("get_p95_" + e.getKey(), millis(e.getValue()), "at most " + millis(limit), e.getValue() <= limit,
                    LATENCY_PENALTY, "get p95 " + millis(e.getValue()) + " from " + e.getKey() + " (threshold " + millis(limit) + "): "
                            + (limit > GET_P95_MS_OTHER_TIERS ? "raise service.cache.block.bytes or add archive-service instances"
                            : "check MongoDB's load and its index on _id")));
        });
        int penalties = signals.stream().filter(s -> !s.ok()).mapToInt(Signal::penalty).sum();
        return new HealthScore(Math.max(0, 100 - penalties), List.copyOf(signals));
    }

    private static String reachabilityAdvice(String component, String reason) {
        return switch (component) {
            case "mongodb" -> "MongoDB unreachable (" + reason + "): check mongodb.uri, its credentials and the network";
            case "kafka" -> "Kafka unreachable (" + reason + "): check kafka.bootstrap.servers and the brokers";
            default -> "object store unreachable (" + reason + "): check the store settings (archiver.store.*) and its credentials";
        };
    }

    /** 120000 -> 120k, 3400000 -> 3.4M. */
    static String compact(long n) {
        if (n >= 1_000_000) {
            return trim(n / 1_000_000.0) + "M";
        }
        if (n >= 1_000) {
            return trim(n / 1_000.0) + "k";
        }
        return Long.toString(n);
    }

    private static String trim(double v) {
        String s = String.format(Locale.ROOT, "%.1f", v);
        return s.endsWith(".0") ? s.substring(0, s.length() - 2) : s;
    }

    private static String percent(double rate) {
        return trim(rate * 100) + "%";
    }

    private static String millis(double ms) {
        return ms >= 1_000 ? trim(ms / 1_000) + " s" : trim(ms) + " ms";
    }

    private static String minutes(Duration d) {
        return d.toMinutes() >= 1 ? d.toMinutes() + " min" : d.toSeconds() + " s";
    }
}
