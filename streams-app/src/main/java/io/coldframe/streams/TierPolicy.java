package io.coldframe.streams;

import java.time.Instant;

/**
 * Decides a memory's tier. The seam where the rule engine plugs in ({@link RuleBasedPolicy} is the default); must
 * be a pure function of its inputs, and {@link TierDecision#nextChangeAt()} must be exact: the first instant after
 * {@code now} at which the decided tier differs, or null when it never does.
 */
public interface TierPolicy {

    TierDecision decide(MemoryFacts memory, Instant now);

    /** The document fields this policy reads, so that the tiering engine extracts exactly those. */
    default MemoryFacts.Fields fields() {
        return MemoryFacts.Fields.DEFAULT;
    }

    /**
     * Identifies what this policy decides. When it differs from the one the state was last evaluated with (the
     * rules changed between runs), every stored memory is evaluated again, a bounded number per punctuation.
     */
    default String fingerprint() {
        return getClass().getName();
    }
}
