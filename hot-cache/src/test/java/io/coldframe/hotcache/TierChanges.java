package io.coldframe.hotcache;

import java.time.Instant;

import io.coldframe.schemas.MemoryRecord;
import io.coldframe.schemas.Tier;
import io.coldframe.schemas.TierChange;

/** Tier records as the tiering engine writes them, for tests. */
final class TierChanges {

    private TierChanges() {
    }

    static TierRecord entered(String tier, String agent, String memoryId, long createdAtMs, long recordTs, String text) {
        String document = "{\"_id\": \"" + memoryId + "\", \"agent_id\": \"" + agent + "\", \"text\": \"" + text + "\"}";
        MemoryRecord memory = MemoryRecord.newBuilder().setId(memoryId).setAgent(agent).setCreatedAt(Instant.ofEpochMilli(createdAtMs))
                .setSizeBytes(document.length()).setVersion("v-" + text).setDocument(document).build();
        TierChange change = TierChange.newBuilder().setMemoryId(memoryId).setAgent(agent)
                .setToTier(HotKeys.HOT.equals(tier) ? Tier.HOT : Tier.WARM).setRule("test")
                .setChangedAt(Instant.ofEpochMilli(recordTs)).setMemory(memory).build();
        return new TierRecord(tier, memoryId, recordTs, change);
    }

    static TierRecord left(String tier, String memoryId, long recordTs) {
        return new TierRecord(tier, memoryId, recordTs, null);
    }
}
