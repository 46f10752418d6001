package io.coldframe.common;

/** Every topic name derives from one prefix so that several pipelines can share a cluster. */
public record Topics(String prefix) {

    public static final String DEFAULT_PREFIX = "coldframe";

    public static Topics withDefaultPrefix() {
        return new Topics(DEFAULT_PREFIX);
    }

    /** Change events published by the MongoDB source connector. */
    public String changes() {
        return prefix + ".changes";
    }

    public String hot() {
        return prefix + ".tier.hot";
    }

    public String warm() {
        return prefix + ".tier.warm";
    }

    public String cold() {
        return prefix + ".tier.cold";
    }

    /** Segment-committed events: written in the archiver's transaction, read by the purger. */
    public String segmentsCommitted() {
        return prefix + ".segments.committed";
    }

    /** Where each archived memory lives, compacted by memory id; written with the commit event. */
    public String catalog() {
        return prefix + ".catalog";
    }

    /** Restore marks (memory id to hold-until), compacted by memory id; written by {@code coldframe restore}, read by tiering. */
    public String restores() {
        return prefix + ".restores";
    }

    public String purgeResults() {
        return prefix + ".purge.results";
    }

    /** Daily tier and archive counters ({@code DailyStats}), compacted by day and cell; written by the streams app's stats topology. */
    public String statsDaily() {
        return prefix + ".stats.daily";
    }

    /** What lifecycle passes did to stored segments ({@code RetentionAction}), keyed by segment id; written by {@code coldframe retention run}. */
    public String lifecycleAudit() {
        return prefix + ".lifecycle.audit";
    }

    /** Erasure requests ({@code coldframe erase --follow-requests} erases what each names), keyed by request id. */
    public String erasureRequests() {
        return prefix + ".erasure.requests";
    }

    /** One receipt per processed erasure request, keyed by request id: where each memory was removed from. */
    public String erasureReceipts() {
        return prefix + ".erasure.receipts";
    }

    /** Records no stage could process, with headers naming the source and the reason. */
    public String deadLetter() {
        return prefix + ".deadletter";
    }
}
