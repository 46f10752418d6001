package io.coldframe.streams;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

import org.apache.kafka.common.utils.Bytes;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.processor.PunctuationType;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.coldframe.common.DeadLetters;
import io.coldframe.common.InvalidRecordException;
import io.coldframe.schemas.AvroSerde;
import io.coldframe.schemas.MemoryRecord;
import io.coldframe.schemas.Tier;
import io.coldframe.schemas.TierChange;
import io.coldframe.schemas.internal.TieringState;

/**
 * Keeps each memory's state and tier, emits a tier change when a memory enters a tier (or its document changes
 * while in one), and re-tiers memories on a wall-clock punctuation that visits only those that are due.
 *
 * <p>After every start the processor also walks its memory store once, a bounded number of memories per
 * punctuation: it counts memories per tier for the metrics and, when the policy's fingerprint differs from the
 * one the store was last evaluated with (the rules changed), evaluates every memory that is not cold again so that
 * new rules apply to memories that are not due under the old ones.
 */
final class TieringProcessor implements Processor<byte[], byte[], byte[], byte[]> {

    static final String POLICY_FINGERPRINT = "policy.fingerprint";
    /** Rule name of a decision made by a restore hold rather than by the rules. */
    static final String RESTORED_HOLD = "restored-hold";

    private static final Logger LOG = LoggerFactory.getLogger(TieringProcessor.class);
    private static final AvroSerde<TierChange> TIER_CHANGES = AvroSerde.of(TierChange.class);
    /** Counting the due backlog beyond this many stops: the gauge then reads "at least this". */
    private static final long BACKLOG_COUNT_CAP = 1_000_000;

    private final TierPolicy policy;
    private final String fingerprint;
    private final Duration punctuationInterval;
    private final int maxDuePerPunctuation;
    private final int censusPerPunctuation;
    private final TieringMetrics metrics;
    private final RestoreHolds holds;
    private final ChangeEventParser parser;
    private final MemoryRecordMapper mapper;

    private ProcessorContext<byte[], byte[]> context;
    private KeyValueStore<String, TieringState> memories;
    private KeyValueStore<String, String> meta;
    private DueIndex dueIndex;
    private TieringMetrics.Task counts;

    private boolean walking;
    private boolean reevaluating;
    private String walkCursor;
    private byte[] walkCursorBytes;
    private long walkStartedNanos;
    /** The fingerprint is written at the next punctuation, not from {@code init}, where stores should not be written. */
    private boolean fingerprintPending;

    TieringProcessor(TierPolicy policy, Duration punctuationInterval, int maxDuePerPunctuation, int censusPerPunctuation,
                     TieringMetrics metrics, RestoreHolds holds, int maxChangeBytes) {
        this.policy = policy;
        this.fingerprint = policy.fingerprint();
        this.punctuationInterval = punctuationInterval;
        this.maxDuePerPunctuation = maxDuePerPunctuation;
        this.censusPerPunctuation = censusPerPunctuation;
        this.metrics = metrics;
        this.holds = holds;
        this.mapper = new MemoryRecordMapper(policy.fields());
        this.parser = new ChangeEventParser(maxChangeBytes);
    }

    @Override
    public void init(ProcessorContext<byte[], byte[]> context) {
        this.context = context;
        this.memories = context.getStateStore(TieringTopology.MEMORY_STORE);
        this.meta = context.getStateStore(TieringTopology.META_STORE);
        KeyValueStore<Bytes, byte[]> index = context.getStateStore(TieringTopology.DUE_INDEX_STORE);
        this.dueIndex = new DueIndex(index);
        this.counts = metrics.task();
        String previousFingerprint = meta.get(POLICY_FINGERPRINT);
        boolean empty;
        try (KeyValueIterator<String, TieringState> all = memories.all()) {
            empty = !all.hasNext();
        }
        if (empty) {
            finishWalk();
        } else {
            walking = true;
            reevaluating = !fingerprint.equals(previousFingerprint);
            walkStartedNanos = System.nanoTime();
            if (reevaluating) {
                LOG.info("task {}: tier policy changed since the store was last evaluated ({} -> {}); re-evaluating every memory, "
                        + "at most {} per punctuation", context.taskId(), previousFingerprint, fingerprint, maxDuePerPunctuation);
            }
        }
        context.schedule(punctuationInterval, PunctuationType.WALL_CLOCK_TIME, this::punctuate);
    }

    @Override
    public void process(Record<byte[], byte[]> record) {
        String recordRef = context.recordMetadata()
                .map(m -> m.topic() + "-" + m.partition() + "@" + m.offset())
                .orElse("unknown");
        try {
            ChangeEvent event = parser.parse(recordRef, record.key(), record.value());
            switch (event.operation()) {
                case UPSERT -> {
                    MemoryRecordMapper.Mapped mapped = mapper.map(event.memoryId(), event.fullDocument());
                    MemoryVersion version = MemoryVersion.ingested(mapped.record(), mapped.document(),
                            json -> parser.checkDocumentSize(recordRef, record.key(), json));
                    apply(memories.get(event.memoryId()), version, mapped.facts(), now());
                }
                case DELETE -> delete(event.memoryId());
                case IGNORED -> { }
            }
        } catch (InvalidRecordException e) {
            deadLetter(record, e);
        }
    }

    @Override
    public void close() {
        if (counts != null) {
            counts.close();
        }
    }

    /** Decides the memory's tier now and updates state, index, views and counts; writes nothing when nothing changed. */
    private void apply(TieringState previous, MemoryVersion memory, MemoryFacts facts, Instant now) {
        TierDecision decision = finalWhenCold(heldOutOfCold(memory.id(), policy.decide(facts, now), now));
        Tier from = previous == null ? null : previous.getTier();
        boolean sameVersion = previous != null && previous.getMemory().getVersion().equals(memory.version());
        if (sameVersion && from == decision.tier() && previous.getRule().equals(decision.rule())
                && Objects.equals(previous.getNextChangeAt(), decision.nextChangeAt())) {
            return; // a replayed event, or a re-evaluation that changes nothing
        }
        // State keeps the document as BSON, smaller than its JSON, and a cold memory's state none: its cold record
        // carries it to the archivers, and the store and its changelog would otherwise fill with documents waiting for
        // MongoDB's delete. Both records are made before anything is written: a document that cannot be tiered is
        // refused whole.
        boolean cold = decision.tier() == Tier.COLD;
        MemoryRecord published = from == decision.tier() && sameVersion ? null : cold ? memory.withBson() : memory.withJson();
        MemoryRecord kept = cold ? memory.withoutDocument() : memory.withBson();
        replaceState(previous, new TieringState(kept, decision.tier(), decision.rule(), decision.nextChangeAt()));
        if (from != decision.tier()) {
            emit(from, decision, published, now);
            if (previous != null) {
                leave(previous);
            }
            metrics.transition(from, decision.tier(), decision.rule());
            count(memory.id(), from, decision.tier());
        } else if (!sameVersion) {
            // Same tier, new document: compacted views must hold it and a cold memory must be archived again.
            emit(decision.tier(), decision, published, now);
        }
    }

    /**
     * A memory restored from the archive stays out of the cold tier until its hold ends, so it is not archived again
     * at once: hot meanwhile, decided by the rules again when the hold ends.
     */
    private TierDecision heldOutOfCold(String memoryId, TierDecision decision, Instant now) {
        if (decision.tier() != Tier.COLD) {
            return decision;
        }
        Instant holdUntil = holds.holdUntil(memoryId);
        if (holdUntil == null || !holdUntil.isAfter(now)) {
            return decision;
        }
        return new TierDecision(Tier.HOT, RESTORED_HOLD, holdUntil);
    }

    /**
     * Cold is where a memory's document leaves the tiering engine: its cold record carries it to the archivers, which
     * archive it and have it deleted from MongoDB. Time and changed rules therefore never move a memory out of cold
     * (moving it would not stop its archiving); a new version or a delete does.
     */
    private static TierDecision finalWhenCold(TierDecision decision) {
        return decision.tier() == Tier.COLD && decision.nextChangeAt() != null
                ? new TierDecision(Tier.COLD, decision.rule(), null)
                : decision;
    }

    private void delete(String memoryId) {
        TieringState previous = memories.delete(memoryId);
        if (previous != null) {
            if (previous.getNextChangeAt() != null) {
                dueIndex.remove(previous.getNextChangeAt(), memoryId);
            }
            leave(previous);
            count(memoryId, previous.getTier(), null);
        }
    }

    private void punctuate(long wallClockMs) {
        long started = System.nanoTime();
        Instant now = Instant.ofEpochMilli(wallClockMs);
        DueIndex.Batch batch = dueIndex.due(now, maxDuePerPunctuation, BACKLOG_COUNT_CAP);
        for (DueIndex.Entry entry : batch.entries()) {
            retier(entry, now);
        }
        counts.backlog(batch.remaining());
        int visited = batch.entries().size();
        if (walking) {
            int budget = reevaluating
                    ? Math.max(maxDuePerPunctuation - batch.entries().size(), Math.max(1, maxDuePerPunctuation / 10))
                    : censusPerPunctuation;
            int walked = walk(now, budget);
            if (reevaluating) {
                visited += walked;
            }
        }
        if (fingerprintPending) {
            meta.put(POLICY_FINGERPRINT, fingerprint);
            fingerprintPending = false;
        }
        metrics.punctuation(System.nanoTime() - started, visited);
    }

    private void retier(DueIndex.Entry entry, Instant now) {
        TieringState state = memories.get(entry.memoryId());
        if (state == null) {
            LOG.warn("due index names memory {} that has no state; dropping the index entry", entry.memoryId());
            dueIndex.remove(entry.dueMs(), entry.memoryId());
            return;
        }
        Instant filed = state.getNextChangeAt();
        if (filed == null || Math.max(0, filed.toEpochMilli()) != entry.dueMs()) {
            LOG.warn("due index entry of memory {} at {} does not match its state ({}); dropping it", entry.memoryId(), entry.dueMs(), filed);
            dueIndex.remove(entry.dueMs(), entry.memoryId());
            if (filed == null || filed.isAfter(now)) {
                return; // its own entry, if any, comes due later
            }
        }
        reevaluate(state, now);
    }

    private void reevaluate(TieringState state, Instant now) {
        if (state.getTier() == Tier.COLD) {
            if (state.getNextChangeAt() != null) { // filed before cold became final
                replaceState(state, new TieringState(MemoryVersion.stored(state.getMemory()).withoutDocument(), Tier.COLD, state.getRule(), null));
            }
            return;
        }
        MemoryFacts facts;
        try {
            facts = mapper.facts(state.getMemory());
        } catch (InvalidRecordException e) {
            LOG.warn("cannot evaluate stored memory {} with the current rules ({}); it stays {} until its document changes",
                    state.getMemory().getId(), e.getMessage(), state.getTier());
            metrics.evaluationError();
            if (state.getNextChangeAt() != null) {
                replaceState(state, new TieringState(state.getMemory(), state.getTier(), state.getRule(), null));
            }
            return;
        }
        apply(state, MemoryVersion.stored(state.getMemory()), facts, now);
    }

    /**
     * One bounded step of the walk over the memory store: counts each memory's tier and, when the policy changed,
     * evaluates it again. Keys are visited in store order, so a change to a memory before the cursor adjusts the
     * counts and one after it is seen when the walk gets there.
     */
    private int walk(Instant now, int budget) {
        List<KeyValue<String, TieringState>> chunk = new ArrayList<>(Math.min(budget, 10_000));
        boolean exhausted;
        try (KeyValueIterator<String, TieringState> iterator = walkCursor == null ? memories.all() : memories.range(walkCursor, null)) {
            while (iterator.hasNext() && chunk.size() < budget) {
                KeyValue<String, TieringState> entry = iterator.next();
                if (!entry.key.equals(walkCursor)) {
                    chunk.add(entry);
                }
            }
            exhausted = !iterator.hasNext();
        }
        for (KeyValue<String, TieringState> entry : chunk) {
            counts.add(entry.value.getTier(), 1);
            walkCursor = entry.key;
            walkCursorBytes = utf8(entry.key);
            if (reevaluating) {
                reevaluate(entry.value, now);
            }
        }
        if (exhausted) {
            finishWalk();
        }
        return chunk.size();
    }

    private void finishWalk() {
        if (walking) {
            LOG.info("task {}: walked the memory store in {} ms{}", context.taskId(), (System.nanoTime() - walkStartedNanos) / 1_000_000,
                    reevaluating ? ", every memory evaluated with the current policy" : "");
        }
        walking = false;
        reevaluating = false;
        walkCursor = null;
        walkCursorBytes = null;
        counts.censusDone();
        if (!fingerprint.equals(meta.get(POLICY_FINGERPRINT))) {
            fingerprintPending = true;
        }
    }

    /** Adjusts the per-tier counts, except for memories the walk has yet to count. */
    private void count(String memoryId, Tier from, Tier to) {
        if (from == to) {
            return;
        }
        if (walking && (walkCursorBytes == null || Bytes.BYTES_LEXICO_COMPARATOR.compare(utf8(memoryId), walkCursorBytes) > 0)) {
            return;
        }
        if (from != null) {
            counts.add(from, -1);
        }
        if (to != null) {
            counts.add(to, 1);
        }
    }

    private void replaceState(TieringState previous, TieringState next) {
        String memoryId = next.getMemory().getId();
        if (previous != null && previous.getNextChangeAt() != null) {
            if (previous.getNextChangeAt().equals(next.getNextChangeAt())) {
                memories.put(memoryId, next);
                return; // the index entry stays as it is
            }
            dueIndex.remove(previous.getNextChangeAt(), memoryId);
        }
        if (next.getNextChangeAt() != null) {
            dueIndex.add(next.getNextChangeAt(), memoryId);
        }
        memories.put(memoryId, next);
    }

    private void emit(Tier from, TierDecision decision, MemoryRecord memory, Instant now) {
        TierChange change = TierChange.newBuilder()
                .setMemoryId(memory.getId())
                .setAgent(memory.getAgent())
                .setFromTier(from)
                .setToTier(decision.tier())
                .setRule(decision.rule())
                .setChangedAt(now)
                .setNextChangeAt(decision.nextChangeAt())
                .setMemory(memory)
                .build();
        String key = decision.tier() == Tier.COLD ? coldKey(memory) : memory.getId();
        context.forward(new Record<>(utf8(key), TIER_CHANGES.encode(change), now.toEpochMilli()), TieringTopology.sinkOf(decision.tier()));
    }

    /** Hot and warm are compacted views keyed by memory id: a memory that leaves one gets a tombstone there. */
    private void leave(TieringState previous) {
        if (previous.getTier() != Tier.COLD) {
            context.forward(new Record<byte[], byte[]>(utf8(previous.getMemory().getId()), null, context.currentSystemTimeMs()),
                    TieringTopology.sinkOf(previous.getTier()));
        }
    }

    /** Cold is keyed by agent so that one archiver partition holds whole agents. */
    private static String coldKey(MemoryRecord memory) {
        return memory.getAgent() != null ? memory.getAgent() : memory.getId();
    }

    private void deadLetter(Record<byte[], byte[]> record, InvalidRecordException e) {
        String reason = e.getMessage();
        LOG.warn("dead-lettering change event: {}", reason);
        metrics.deadLetter(e.field());
        Record<byte[], byte[]> letter = new Record<>(record.key(), record.value(), record.timestamp());
        context.recordMetadata().ifPresentOrElse(
                m -> DeadLetters.describe(letter.headers(), "streams-app", reason, m.topic(), m.partition(), m.offset()),
                () -> DeadLetters.describe(letter.headers(), "streams-app", reason, "unknown", -1, -1));
        context.forward(letter, TieringTopology.DEAD_LETTER_SINK);
    }

    private Instant now() {
        return Instant.ofEpochMilli(context.currentSystemTimeMs());
    }

    private static byte[] utf8(String value) {
        return value.getBytes(StandardCharsets.UTF_8);
    }
}
