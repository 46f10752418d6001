package io.coldframe.streams;

import java.time.Instant;

import io.coldframe.schemas.Tier;

/**
 * Where a memory belongs now and when that next changes if nothing else happens.
 *
 * @param nextChangeAt the first instant at which the decision differs; null when it never changes on its own
 */
public record TierDecision(Tier tier, String rule, Instant nextChangeAt) {
}
