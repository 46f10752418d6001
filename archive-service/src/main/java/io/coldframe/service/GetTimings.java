package io.coldframe.service;

import java.util.Arrays;
import java.util.Map;
import java.util.TreeMap;

/** The service's own get latencies per tier (the tier its answer names), the last {@value #WINDOW} of each, for p95. */
final class GetTimings {

    static final int WINDOW = 1_000;

    private final Map<String, double[]> samples = new TreeMap<>();
    private final Map<String, Long> counts = new TreeMap<>();

    synchronized void record(String tier, double millis) {
        long n = counts.merge(tier, 1L, Long::sum);
        samples.computeIfAbsent(tier, t -> new double[WINDOW])[(int) ((n - 1) % WINDOW)] = millis;
    }

    /** p95 in milliseconds of each tier that has answered a get. */
    synchronized Map<String, Double> p95ByTier() {
        Map<String, Double> out = new TreeMap<>();
        samples.forEach((tier, window) -> {
            int n = (int) Math.min(WINDOW, counts.get(tier));
            double[] sorted = Arrays.copyOf(window, n);
            Arrays.sort(sorted);
            out.put(tier, sorted[Math.max(0, (int) Math.ceil(0.95 * n) - 1)]);
        });
        return out;
    }
}
