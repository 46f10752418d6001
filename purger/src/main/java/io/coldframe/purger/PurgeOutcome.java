package io.coldframe.purger;

import java.util.List;

import io.coldframe.schemas.SkippedMemory;

/**
 * What one guarded delete did: ids deleted, ids left in MongoDB with the reason, and of those the ids kept because
 * a restore newer than the commit protects them (reported as CHANGED_SINCE_ARCHIVED: MongoDB holds a newer copy).
 */
record PurgeOutcome(List<String> deleted, List<SkippedMemory> skipped, List<String> protectedIds) {

    PurgeOutcome(List<String> deleted, List<SkippedMemory> skipped) {
        this(deleted, skipped, List.of());
    }
}
