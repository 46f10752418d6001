package io.coldframe.service;

import java.time.Instant;

import io.coldframe.schemas.AvroSerde;
import io.coldframe.schemas.MemoryRecord;
import io.coldframe.schemas.Tier;
import io.coldframe.schemas.TierChange;

/** Tier-topic values as the tiering app writes them, for tests. */
final class TierChanges {

    private static final AvroSerde<TierChange> SERDE = AvroSerde.of(TierChange.class);

    private TierChanges() {
    }

    static byte[] of(String memoryId, String agent, Tier tier) {
        MemoryRecord memory = MemoryRecord.newBuilder().setId(memoryId).setAgent(agent).setCreatedAt(Instant.EPOCH)
                .setSizeBytes(10).setVersion("v").setDocument("{}").build();
        return SERDE.encode(TierChange.newBuilder().setMemoryId(memoryId).setAgent(agent).setToTier(tier).setRule("test")
                .setChangedAt(Instant.EPOCH).setMemory(memory).build());
    }
}
