package io.coldframe.cli.mongo;

import java.util.List;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonRawValue;

import io.coldframe.purger.MemoryIndexes;

/** What {@code coldframe mongo init} found and did, as its JSON report. */
@JsonInclude(JsonInclude.Include.NON_NULL)
record IndexReport(String collection, @JsonProperty("timestamp_field") String timestampField, @JsonProperty("dry_run") boolean dryRun,
        List<Index> indexes, int existed, int created, int missing, int conflicts) {

    /** One planned index: its name in the plan, keys, purpose, TTL, state, and the name it exists under. */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    record Index(String name, @JsonRawValue String keys, String purpose, @JsonProperty("expire_after_seconds") Long expireAfterSeconds,
            String state, @JsonProperty("existing_name") String existingName, String detail) {
    }

    static IndexReport of(String collection, String timestampField, boolean dryRun, List<MemoryIndexes.Finding> findings) {
        List<Index> indexes = findings.stream().map(f -> new Index(f.spec().name(), f.spec().keys().toJson(), f.spec().purpose(),
                f.spec().expireAfterSeconds(), state(f, dryRun), f.existingName(), f.detail())).toList();
        return new IndexReport(collection, timestampField, dryRun, indexes, count(indexes, "existed"), count(indexes, "created"),
                count(indexes, "missing"), count(indexes, "conflict"));
    }

    private static String state(MemoryIndexes.Finding finding, boolean dryRun) {
        return switch (finding.state()) {
            case PRESENT -> "existed";
            case MISSING -> dryRun ? "missing" : "created";
            case CONFLICT -> "conflict";
        };
    }

    private static int count(List<Index> indexes, String state) {
        return (int) indexes.stream().filter(index -> index.state().equals(state)).count();
    }
}
