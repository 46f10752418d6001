package io.coldframe.archive.lifecycle;

import java.io.IOException;
import java.nio.file.NoSuchFileException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;

import io.coldframe.schemas.CatalogEntry;
import io.coldframe.schemas.RetentionAction;
import io.coldframe.schemas.RetentionOutcome;
import io.coldframe.segment.SegmentManifest;
import io.coldframe.store.SegmentStore;

/**
 * Applies the cold tier's retention to the archive, once. A memory is past retention when its {@code created_at} (from
 * its catalog entry) lies before the cutoff. For every stored segment the catalog references: a segment whose records
 * are all past retention expires, one partly past it is rewritten without them when at least
 * {@link RetentionConfig#MIN_EXPIRED_SHARE} of its records expired, else it is left for a later pass. All changes go
 * through {@link SegmentRewrite}, so the pass is crash safe and a re-run completes or repeats harmlessly what an
 * earlier one started. An audit event follows each expiry or rewrite. {@code docs/lifecycle.md}.
 */
public final class RetentionPass {

    /** Where an audit event per expired or rewritten segment goes. */
    public interface AuditLog {
        void record(RetentionAction action) throws IOException;
    }

    /** What the pass does (or, in a dry run, would do) with a segment holding records past retention. */
    public enum Decision { EXPIRE, REWRITE, LEAVE }

    /**
     * @param expired  records of memories past retention
     * @param records  every record of the segment
     * @param result   what the rewrite did; empty in a dry run and for {@link Decision#LEAVE}
     */
    public record SegmentAction(String segmentId, Decision decision, int expired, int records, Optional<SegmentRewrite.Result> result) {
    }

    /**
     * @param segmentsChecked stored segments the catalog references
     * @param actions         only segments holding records past retention, in segment id order
     */
    public record Report(String retain, Instant cutoff, boolean dryRun, double minExpiredShare, int segmentsChecked,
                         List<SegmentAction> actions) {
    }

    private final SegmentStore store;
    private final SegmentRewrite rewrite;
    private final AuditLog audit;
    private final double minExpiredShare;

    public RetentionPass(SegmentStore store, SegmentRewrite rewrite, AuditLog audit, RetentionConfig config) {
        this(store, rewrite, audit, config.minExpiredShare());
    }

    RetentionPass(SegmentStore store, SegmentRewrite rewrite, AuditLog audit, double minExpiredShare) {
        this.store = store;
        this.rewrite = rewrite;
        this.audit = audit;
        this.minExpiredShare = minExpiredShare;
    }

    /**
     * @param catalog each memory's latest catalog entry
     * @param retain  the retention as the rules give it, for the report and the audit events
     * @param cutoff  memories created before it are past retention
     */
    public Report run(Collection<CatalogEntry> catalog, String retain, Instant cutoff, boolean dryRun) throws IOException {
        // A memory without created_at (an entry older than the field) has no known age: it is kept.
        Set<String> expiredIds = catalog.stream()
                .filter(entry -> entry.getCreatedAt() != null && entry.getCreatedAt().isBefore(cutoff))
                .map(CatalogEntry::getMemoryId).collect(Collectors.toSet());
        Set<String> referenced = catalog.stream().map(CatalogEntry::getSegmentId).collect(Collectors.toCollection(TreeSet::new));
        List<SegmentAction> actions = new ArrayList<>();
        int checked = 0;
        for (String segmentId : referenced) {
            Optional<SegmentManifest> manifest = manifest(segmentId);
            if (manifest.isEmpty()) {
                continue;
            }
            checked++;
            List<SegmentManifest.Entry> entries = manifest.get().entries();
            int expired = (int) entries.stream().filter(entry -> expiredIds.contains(entry.memoryId())).count();
            if (expired == 0) {
                continue;
            }
            Decision decision = expired == entries.size() ? Decision.EXPIRE
                    : (double) expired / entries.size() >= minExpiredShare ? Decision.REWRITE : Decision.LEAVE;
            Optional<SegmentRewrite.Result> result = Optional.empty();
            if (!dryRun && decision != Decision.LEAVE) {
                // Audited before the catalog moves off the segment: a crash after the move leaves nothing for a later pass
                // to find, so an event sent after it could be lost; one sent before is at worst sent again by the re-run.
                result = Optional.of(rewrite.rewrite(segmentId, record -> expiredIds.contains(record.memoryId()),
                        planned -> audit(planned, retain, cutoff)));
            }
            actions.add(new SegmentAction(segmentId, decision, expired, entries.size(), result));
        }
        return new Report(retain, cutoff, dryRun, minExpiredShare, checked, actions);
    }

    /** The manifest of a stored segment; empty when it is not stored (removed since the catalog was read, or never). */
    private Optional<SegmentManifest> manifest(String segmentId) throws IOException {
        if (!store.contains(segmentId)) {
            return Optional.empty();
        }
        try {
            return Optional.of(store.manifest(segmentId));
        } catch (NoSuchFileException gone) {
            return Optional.empty();
        }
    }

    private void audit(SegmentRewrite.Result result, String retain, Instant cutoff) throws IOException {
        RetentionOutcome outcome = switch (result.outcome()) {
            case EXPIRED -> RetentionOutcome.EXPIRED;
            case REWRITTEN -> RetentionOutcome.REWRITTEN;
            case UNCHANGED, NOT_STORED -> null; // nothing done by this pass: nothing to audit
        };
        if (outcome == null) {
            return;
        }
        audit.record(RetentionAction.newBuilder()
                .setSegmentId(result.oldSegmentId())
                .setAction(outcome)
                .setNewSegmentId(result.newSegmentId().orElse(null))
                .setKeptRecords(result.kept())
                .setExpired(List.copyOf(result.dropped()))
                .setRetain(retain)
                .setCutoff(cutoff)
                .setActedAt(Instant.now())
                .build());
    }
}
