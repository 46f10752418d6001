package io.coldframe.streams;

import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicLongArray;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;

import io.coldframe.schemas.Tier;

/**
 * The tiering engine's meters (Micrometer; Prometheus names in brackets):
 * <ul>
 *   <li>{@value #MEMORIES} {tier} [coldframe_tiering_memories]: memories per tier held by this instance;</li>
 *   <li>{@value #TRANSITIONS} {from, to, rule} [coldframe_tiering_transitions_total]: tier changes, {@code from="none"}
 *       for a memory seen for the first time; its rate is transitions per second;</li>
 *   <li>{@value #DUE_BACKLOG} [coldframe_tiering_due_backlog]: memories due but left for the next punctuation;</li>
 *   <li>{@value #PUNCTUATION} [coldframe_tiering_punctuation_seconds]: duration of each punctuation;</li>
 *   <li>{@value #PUNCTUATION_MEMORIES} [coldframe_tiering_punctuation_memories_total]: memories re-evaluated by punctuations;</li>
 *   <li>{@value #DEAD_LETTERS} {field} [coldframe_tiering_dead_letters_total]: change events sent to the dead-letter topic;</li>
 *   <li>{@value #EVALUATION_ERRORS} [coldframe_tiering_evaluation_errors_total]: stored memories the current rules cannot evaluate;</li>
 *   <li>{@value #CENSUS_PENDING} [coldframe_tiering_census_pending]: tasks still counting their store after a start
 *       (memory counts are partial until it is 0).</li>
 * </ul>
 * One instance is shared by every tiering task of the process; code reads values through the getters or
 * {@link #registry()}.
 */
public final class TieringMetrics {

    public static final String MEMORIES = "coldframe.tiering.memories";
    public static final String TRANSITIONS = "coldframe.tiering.transitions";
    public static final String DUE_BACKLOG = "coldframe.tiering.due.backlog";
    public static final String PUNCTUATION = "coldframe.tiering.punctuation";
    public static final String PUNCTUATION_MEMORIES = "coldframe.tiering.punctuation.memories";
    public static final String DEAD_LETTERS = "coldframe.tiering.dead.letters";
    public static final String EVALUATION_ERRORS = "coldframe.tiering.evaluation.errors";
    public static final String CENSUS_PENDING = "coldframe.tiering.census.pending";

    private static final String NONE = "none";

    private final MeterRegistry registry;
    private final Set<Task> tasks = ConcurrentHashMap.newKeySet();
    private final Map<String, Counter> transitions = new ConcurrentHashMap<>();
    private final Map<String, Counter> deadLetters = new ConcurrentHashMap<>();
    private final Timer punctuation;
    private final Counter punctuationMemories;
    private final Counter evaluationErrors;

    public TieringMetrics(MeterRegistry registry) {
        this.registry = registry;
        for (Tier tier : Tier.values()) {
            Gauge.builder(MEMORIES, this, m -> m.memories(tier))
                    .description("Memories per tier held by this instance")
                    .tag("tier", tagOf(tier)).strongReference(true).register(registry);
        }
        Gauge.builder(DUE_BACKLOG, this, TieringMetrics::dueBacklog)
                .description("Memories due for re-tiering that the last punctuation left for the next one")
                .strongReference(true).register(registry);
        Gauge.builder(CENSUS_PENDING, this, m -> m.tasks.stream().filter(t -> t.censusPending).count())
                .description("Tiering tasks still counting their store after a start; memory counts are partial until 0")
                .strongReference(true).register(registry);
        this.punctuation = Timer.builder(PUNCTUATION).description("Duration of one re-tiering punctuation").register(registry);
        this.punctuationMemories = Counter.builder(PUNCTUATION_MEMORIES)
                .description("Memories re-evaluated by punctuations (due, or visited after a rules change)").register(registry);
        this.evaluationErrors = Counter.builder(EVALUATION_ERRORS)
                .description("Stored memories the current rules cannot evaluate (e.g. a new timestamp field they lack)").register(registry);
    }

    /** Metrics on a Prometheus registry, as {@link StreamsApp} serves them. */
    public static TieringMetrics prometheus() {
        return new TieringMetrics(new PrometheusMeterRegistry(PrometheusConfig.DEFAULT));
    }

    /** Metrics on a plain in-memory registry: for tests and tools that only read the values. */
    public static TieringMetrics inMemory() {
        return new TieringMetrics(new SimpleMeterRegistry());
    }

    public MeterRegistry registry() {
        return registry;
    }

    /** The Prometheus text exposition of every meter; needs a Prometheus registry. */
    public String scrape() {
        if (registry instanceof PrometheusMeterRegistry prometheus) {
            return prometheus.scrape();
        }
        throw new IllegalStateException("not a Prometheus registry: " + registry.getClass().getName());
    }

    public long memories(Tier tier) {
        long total = 0;
        for (Task task : tasks) {
            total += task.counts.get(tier.ordinal());
        }
        return total;
    }

    public long dueBacklog() {
        long total = 0;
        for (Task task : tasks) {
            total += task.backlog.get();
        }
        return total;
    }

    public double transitions() {
        return transitions.values().stream().mapToDouble(Counter::count).sum();
    }

    public double deadLetters() {
        return deadLetters.values().stream().mapToDouble(Counter::count).sum();
    }

    public long punctuations() {
        return punctuation.count();
    }

    public double punctuationMaxMs() {
        return punctuation.max(TimeUnit.MILLISECONDS);
    }

    public double punctuationMemories() {
        return punctuationMemories.count();
    }

    public double evaluationErrors() {
        return evaluationErrors.count();
    }

    Task task() {
        Task task = new Task();
        tasks.add(task);
        return task;
    }

    void transition(Tier from, Tier to, String rule) {
        String key = (from == null ? NONE : from.name()) + '>' + to.name() + '>' + rule;
        transitions.computeIfAbsent(key, k -> Counter.builder(TRANSITIONS)
                .description("Tier transitions; from=none for a memory seen for the first time")
                .tag("from", from == null ? NONE : tagOf(from)).tag("to", tagOf(to)).tag("rule", rule)
                .register(registry)).increment();
    }

    void deadLetter(String field) {
        String tag = field == null ? "unknown" : field;
        deadLetters.computeIfAbsent(tag, k -> Counter.builder(DEAD_LETTERS)
                .description("Change events sent to the dead-letter topic, by offending field")
                .tag("field", tag).register(registry)).increment();
    }

    void punctuation(long nanos, int memories) {
        punctuation.record(nanos, TimeUnit.NANOSECONDS);
        punctuationMemories.increment(memories);
    }

    void evaluationError() {
        evaluationErrors.increment();
    }

    private static String tagOf(Tier tier) {
        return tier.name().toLowerCase(Locale.ROOT);
    }

    /** One tiering task's share: its memory counts and due backlog. Removed when the task closes. */
    final class Task implements AutoCloseable {

        private final AtomicLongArray counts = new AtomicLongArray(Tier.values().length);
        private final AtomicLong backlog = new AtomicLong();
        private volatile boolean censusPending = true;

        void add(Tier tier, long delta) {
            counts.addAndGet(tier.ordinal(), delta);
        }

        void backlog(long due) {
            backlog.set(due);
        }

        void censusDone() {
            censusPending = false;
        }

        @Override
        public void close() {
            tasks.remove(this);
        }
    }
}
