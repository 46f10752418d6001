package io.coldframe.hotcache;

import io.coldframe.schemas.TierChange;

/**
 * One record of a tier topic: the memory entered or changed in {@code tier} ({@code change} set), or left it
 * (a tombstone, {@code change} null). {@code timestamp} is the record's time, which the tiering engine sets when it
 * decides; it orders the records of one memory across the hot and warm topics.
 */
public record TierRecord(String tier, String memoryId, long timestamp, TierChange change) {

    public boolean tombstone() {
        return change == null;
    }
}
