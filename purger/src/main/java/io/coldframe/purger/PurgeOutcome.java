package io.coldframe.purger;

import java.util.List;

import io.coldframe.schemas.SkippedMemory;

/** What one guarded delete did: ids deleted, and ids left in MongoDB with the reason. */
record PurgeOutcome(List<String> deleted, List<SkippedMemory> skipped) {
}
