package io.coldframe.archive;

import java.io.IOException;
import java.nio.file.NoSuchFileException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Consumer;

import io.coldframe.schemas.CatalogEntry;
import io.coldframe.segment.SegmentManifest;
import io.coldframe.store.SegmentStore;

/**
 * Removes stored segments that nothing needs: orphans (stored, never committed) and segments every memory of which has a
 * later archived version elsewhere. What it never removes, whatever happens:
 *
 * <ul>
 *   <li>a segment any catalog entry references: the catalog (compacted, read {@code read_committed} to its end) holds
 *       each memory's latest archived version, the copy restore and reconcile need once MongoDB's copy is gone;</li>
 *   <li>a segment stored (or stored again by a replay) less than the grace period ago: its commit may still be under
 *       way, and catalog entries of an open transaction are not visible yet;</li>
 *   <li>a segment holding a memory the catalog does not know at all, or whose manifest cannot be read: then the catalog
 *       may be incomplete (lost, recreated, another cluster's), and the manifests are the catalog of last resort;</li>
 *   <li>anything, when the catalog cannot be read or is empty while the store is not (the caller passes the loader:
 *       its failure ends the run before the store is touched).</li>
 * </ul>
 *
 * <p>Each removal re-reads the segment's stored time first (a replay may have just stored it again), and the run stops
 * removing once half the grace period has passed since the catalog was read: a segment stored after that snapshot and
 * committed since would otherwise look unreferenced.
 */
public final class SegmentGc {

    /** Reads the catalog; throwing ends the run with nothing removed. */
    @FunctionalInterface
    public interface CatalogLoader {
        ArchiveCatalog load() throws IOException;
    }

    public enum Verdict {
        /** A catalog entry points at it. */
        REFERENCED,
        /** Stored less than the grace period ago. */
        YOUNG,
        /** Holds a memory without any catalog entry, or its manifest is unreadable: kept, listed for an operator. */
        UNKNOWN_MEMORIES,
        /** Removable: unreferenced, older than the grace period, every memory archived later elsewhere (or an empty manifest). */
        REMOVABLE,
        /** Removed (not a dry run). */
        REMOVED
    }

    public record Decision(String segmentId, Instant storedAt, Verdict verdict, String reason) {
    }

    public record Result(List<Decision> decisions, boolean dryRun, String stoppedEarly) {
        public long count(Verdict verdict) {
            return decisions.stream().filter(d -> d.verdict() == verdict).count();
        }
    }

    private final SegmentStore store;
    private final Duration grace;
    private final boolean dryRun;
    private final Clock clock;
    private final Consumer<Decision> listener;

    public SegmentGc(SegmentStore store, Duration grace, boolean dryRun, Clock clock, Consumer<Decision> listener) {
        if (grace.isNegative() || grace.isZero()) {
            throw new IllegalArgumentException("the grace period must be positive (it covers segments whose commit is under way)");
        }
        this.store = store;
        this.grace = grace;
        this.dryRun = dryRun;
        this.clock = clock;
        this.listener = listener;
    }

    public Result run(CatalogLoader catalogLoader) throws IOException {
        Instant snapshot = clock.instant(); // before reading: entries committed after this may be missing
        ArchiveCatalog catalog = catalogLoader.load();
        Map<String, String> latestSegmentOf = new HashMap<>();
        Set<String> referenced = new HashSet<>();
        for (CatalogEntry entry : catalog.entries()) {
            latestSegmentOf.put(entry.getMemoryId(), entry.getSegmentId());
            referenced.add(entry.getSegmentId());
        }
        List<SegmentStore.Stored> inventory = store.inventory();
        if (latestSegmentOf.isEmpty() && !inventory.isEmpty()) {
            throw new IOException("the catalog " + catalog.topic() + " has no entries while the store holds " + inventory.size()
                    + " segments: refusing to remove anything (wrong cluster or topic prefix, or a lost catalog?)");
        }
        List<Decision> decisions = new ArrayList<>();
        String stoppedEarly = null;
        for (SegmentStore.Stored stored : inventory) {
            Decision decision = decide(stored, referenced, latestSegmentOf);
            if (decision.verdict() == Verdict.REMOVABLE && !dryRun) {
                if (stoppedEarly == null && Duration.between(snapshot, clock.instant()).compareTo(grace.dividedBy(2)) > 0) {
                    stoppedEarly = "stopped removing: the catalog was read more than half the grace period (" + grace.dividedBy(2)
                            + ") ago; run gc again";
                }
                if (stoppedEarly == null) {
                    decision = remove(decision);
                }
            }
            decisions.add(decision);
            listener.accept(decision);
        }
        return new Result(decisions, dryRun, stoppedEarly);
    }

    private Decision decide(SegmentStore.Stored stored, Set<String> referenced, Map<String, String> latestSegmentOf) {
        String id = stored.segmentId();
        if (referenced.contains(id)) {
            return new Decision(id, stored.storedAt(), Verdict.REFERENCED, "catalog entries point here");
        }
        if (isYoung(stored.storedAt())) {
            return new Decision(id, stored.storedAt(), Verdict.YOUNG, "stored less than " + grace + " ago");
        }
        SegmentManifest manifest;
        try {
            manifest = store.manifest(id);
        } catch (IOException | RuntimeException e) {
            return new Decision(id, stored.storedAt(), Verdict.UNKNOWN_MEMORIES, "manifest unreadable: " + e.getMessage());
        }
        long unknown = manifest.entries().stream().map(SegmentManifest.Entry::memoryId).distinct()
                .filter(memoryId -> !latestSegmentOf.containsKey(memoryId)).count();
        if (unknown > 0) {
            return new Decision(id, stored.storedAt(), Verdict.UNKNOWN_MEMORIES,
                    unknown + " of its memories have no catalog entry (an orphan whose records were never archived again, or an incomplete catalog)");
        }
        return new Decision(id, stored.storedAt(), Verdict.REMOVABLE, "no catalog entry points here; each of its "
                + manifest.entries().stream().map(SegmentManifest.Entry::memoryId).distinct().count()
                + " memories has its latest archived version in another segment");
    }

    private Decision remove(Decision decision) throws IOException {
        Instant storedAt;
        try {
            storedAt = store.storedAt(decision.segmentId());
        } catch (NoSuchFileException gone) {
            return new Decision(decision.segmentId(), decision.storedAt(), Verdict.REMOVED, "already gone");
        }
        if (isYoung(storedAt)) {
            return new Decision(decision.segmentId(), storedAt, Verdict.YOUNG, "stored again since the listing");
        }
        store.delete(decision.segmentId());
        return new Decision(decision.segmentId(), storedAt, Verdict.REMOVED, decision.reason());
    }

    private boolean isYoung(Instant storedAt) {
        return storedAt.plus(grace).isAfter(clock.instant());
    }
}
