package io.coldframe.bench.archiveread;

import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;

import io.coldframe.bench.Results;

/** Milliseconds of a set of requests, summarised as nearest-rank percentiles. */
final class Latencies {

    private double[] ms = new double[16];
    private int n;

    void add(long nanos) {
        if (n == ms.length) {
            ms = Arrays.copyOf(ms, n * 2);
        }
        ms[n++] = nanos / 1e6;
    }

    int count() {
        return n;
    }

    double percentile(double p) {
        if (n == 0) {
            return 0;
        }
        double[] sorted = Arrays.copyOf(ms, n);
        Arrays.sort(sorted);
        int rank = (int) Math.ceil(p / 100.0 * n);
        return sorted[Math.min(n, Math.max(1, rank)) - 1];
    }

    Map<String, Object> summary() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("requests", n);
        m.put("p50_ms", Results.round(percentile(50), 2));
        m.put("p95_ms", Results.round(percentile(95), 2));
        m.put("p99_ms", Results.round(percentile(99), 2));
        m.put("max_ms", Results.round(percentile(100), 2));
        return m;
    }
}
