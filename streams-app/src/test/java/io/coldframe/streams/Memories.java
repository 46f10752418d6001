package io.coldframe.streams;

import java.time.Duration;
import java.time.Instant;
import java.util.List;

/** Test facts: a MEDIUM memory created at a given instant, never accessed, small, untagged; adjust with the withers. */
record Memories(MemoryFacts facts) {

    static Memories createdAt(Instant created) {
        return new Memories(new MemoryFacts("\"m1\"", "agent-1", "PLAN", "MEDIUM", null, created, null, 0, 400, List.of()));
    }

    static Memories aged(Instant now, Duration age) {
        return createdAt(now.minus(age));
    }

    Memories importance(String level) {
        MemoryFacts f = facts;
        return new Memories(new MemoryFacts(f.id(), f.agent(), f.type(), level, null, f.timestamp(), f.lastAccessedAt(),
                f.accessCount(), f.sizeBytes(), f.tags()));
    }

    Memories score(double score) {
        MemoryFacts f = facts;
        return new Memories(new MemoryFacts(f.id(), f.agent(), f.type(), null, score, f.timestamp(), f.lastAccessedAt(),
                f.accessCount(), f.sizeBytes(), f.tags()));
    }

    Memories accessed(long count, Instant last) {
        MemoryFacts f = facts;
        return new Memories(new MemoryFacts(f.id(), f.agent(), f.type(), f.importance(), f.importanceScore(), f.timestamp(), last,
                count, f.sizeBytes(), f.tags()));
    }

    Memories size(int bytes) {
        MemoryFacts f = facts;
        return new Memories(new MemoryFacts(f.id(), f.agent(), f.type(), f.importance(), f.importanceScore(), f.timestamp(),
                f.lastAccessedAt(), f.accessCount(), bytes, f.tags()));
    }

    Memories agent(String agent) {
        MemoryFacts f = facts;
        return new Memories(new MemoryFacts(f.id(), agent, f.type(), f.importance(), f.importanceScore(), f.timestamp(),
                f.lastAccessedAt(), f.accessCount(), f.sizeBytes(), f.tags()));
    }

    Memories type(String type) {
        MemoryFacts f = facts;
        return new Memories(new MemoryFacts(f.id(), f.agent(), type, f.importance(), f.importanceScore(), f.timestamp(),
                f.lastAccessedAt(), f.accessCount(), f.sizeBytes(), f.tags()));
    }

    Memories tags(String... tags) {
        MemoryFacts f = facts;
        return new Memories(new MemoryFacts(f.id(), f.agent(), f.type(), f.importance(), f.importanceScore(), f.timestamp(),
                f.lastAccessedAt(), f.accessCount(), f.sizeBytes(), List.of(tags)));
    }
}
