package io.coldframe.archive.lifecycle;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.TreeSet;
import java.util.function.Predicate;
import java.util.stream.Stream;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.coldframe.common.Directories;
import io.coldframe.common.MemoryDocuments;
import io.coldframe.common.SegmentIds;
import io.coldframe.segment.SegmentManifest;
import io.coldframe.segment.SegmentReader;
import io.coldframe.segment.SegmentRecord;
import io.coldframe.segment.SegmentWriter;
import io.coldframe.segment.VerificationReport;
import io.coldframe.store.LocalDirectorySegmentStore;
import io.coldframe.store.SegmentStore;

/**
 * Removes records from a stored segment (erased memories, records past retention) without ever leaving a kept record
 * in neither the old nor the new segment. The steps, each only after the previous one succeeded:
 * <ol>
 *   <li>read the old segment and verify it (a damaged one is not rewritten: what it holds could not be checked);</li>
 *   <li>write the kept records as a new segment, {@link SegmentIds#rewritten} of the old id and of what was dropped;</li>
 *   <li>read it back: every frame verified, every kept record compared byte for byte;</li>
 *   <li>store it (the writer is deterministic: a re-run stores identical bytes, which the store accepts);</li>
 *   <li>publish the catalog updates ({@link CatalogUpdates}): kept memories point at the new segment, dropped ones
 *       are tombstoned;</li>
 *   <li>delete the old segment.</li>
 * </ol>
 * A segment with nothing kept expires: catalog tombstones, then the delete. Running the same rewrite again after a
 * crash at any step completes it; after completion it finds the old segment gone and does nothing.
 * Steps are reported to a {@link RewriteProgress}. The protocol and what a crash leaves: {@code docs/lifecycle.md}.
 */
public final class SegmentRewrite {

    private static final Logger LOG = LoggerFactory.getLogger(SegmentRewrite.class);

    /** What a rewrite did. */
    public enum Outcome {
        /** Nothing in the segment matched: it is left as it was. */
        UNCHANGED,
        /** The kept records are in {@link Result#newSegmentId}, the old segment is deleted. */
        REWRITTEN,
        /** Nothing was kept: tombstones published, the segment deleted. */
        EXPIRED,
        /** No such segment is stored: already rewritten or expired by an earlier run, or never stored. */
        NOT_STORED
    }

    /**
     * @param dropped every dropped record as {@code memoryId@version}, sorted
     */
    public record Result(String oldSegmentId, Outcome outcome, Optional<String> newSegmentId, int kept, List<String> dropped) {
    }

    /** A rewrite could not go on; nothing of the old segment was deleted. */
    public static final class RewriteException extends IOException {
        private static final long serialVersionUID = 1L;

        RewriteException(String message) {
            super(message);
        }
    }

    private final SegmentStore store;
    private final CatalogUpdates catalog;
    private final SegmentWriter writer;
    private final Path stagingRoot;
    private final RewriteProgress progress;

    /**
     * @param writer      writes the new segment (the archiver's segment options, so rewrites look like what it writes)
     * @param stagingRoot where new segments are written before they are stored; cleared per rewrite
     */
    public SegmentRewrite(SegmentStore store, CatalogUpdates catalog, SegmentWriter writer, Path stagingRoot, RewriteProgress progress) {
        this.store = store;
        this.catalog = catalog;
        this.writer = writer;
        this.stagingRoot = stagingRoot;
        this.progress = progress;
    }

    /**
     * Told what a rewrite is about to do once its new segment is stored, before the catalog moves: after that no
     * later run sees the old segment again, so what must not be lost (an audit event) is written here; a failure
     * stops the rewrite with nothing of the old segment deleted. A re-run after a crash tells it again.
     */
    @FunctionalInterface
    public interface BeforeCatalogMove {
        BeforeCatalogMove NONE = result -> { };

        void about(Result result) throws IOException;
    }

    /** Rewrites {@code segmentId} without the records {@code drop} accepts. */
    public Result rewrite(String segmentId, Predicate<SegmentRecord> drop) throws IOException {
        return rewrite(segmentId, drop, BeforeCatalogMove.NONE);
    }

    /** Rewrites {@code segmentId} without the records {@code drop} accepts, telling {@code beforeMove} first. */
    public Result rewrite(String segmentId, Predicate<SegmentRecord> drop, BeforeCatalogMove beforeMove) throws IOException {
        if (!store.contains(segmentId)) {
            return new Result(segmentId, Outcome.NOT_STORED, Optional.empty(), 0, List.of());
        }
        List<SegmentRecord> kept = new ArrayList<>();
        TreeSet<String> dropped = new TreeSet<>();
        for (SegmentRecord record : readVerified(segmentId, store.fetch(segmentId))) {
            if (drop.test(record)) {
                dropped.add(record.memoryId() + "@" + record.version());
            } else {
                kept.add(record);
            }
        }
        if (dropped.isEmpty()) {
            return new Result(segmentId, Outcome.UNCHANGED, Optional.empty(), kept.size(), List.of());
        }
        if (kept.isEmpty()) {
            Result expired = new Result(segmentId, Outcome.EXPIRED, Optional.empty(), 0, List.copyOf(dropped));
            beforeMove.about(expired);
            catalog.publish(new CatalogUpdates.Change(segmentId, Optional.empty()));
            progress.catalogPublished(segmentId);
            store.delete(segmentId);
            progress.oldDeleted(segmentId);
            LOG.info("segment {} expired: all {} records dropped", segmentId, dropped.size());
            return expired;
        }
        String newId = SegmentIds.rewritten(segmentId, dropHash(segmentId, dropped));
        CatalogUpdates.StoredRewrite rewrite = storeVerified(segmentId, newId, kept);
        Result rewritten = new Result(segmentId, Outcome.REWRITTEN, Optional.of(newId), kept.size(), List.copyOf(dropped));
        beforeMove.about(rewritten);
        catalog.publish(new CatalogUpdates.Change(segmentId, Optional.of(rewrite)));
        progress.catalogPublished(segmentId);
        store.delete(segmentId);
        progress.oldDeleted(segmentId);
        LOG.info("segment {} rewritten as {}: {} records kept, {} dropped", segmentId, newId, kept.size(), dropped.size());
        return rewritten;
    }

    /**
     * The new segment written, verified and stored. The writer is deterministic, so a re-run after a crash writes the
     * identical bytes again and the store keeps what an earlier run stored (and gives its location again).
     */
    private CatalogUpdates.StoredRewrite storeVerified(String oldId, String newId, List<SegmentRecord> kept) throws IOException {
        Path staging = Directories.fresh(stagingRoot.resolve(newId));
        try {
            SegmentManifest manifest = writer.write(newId, kept, staging);
            progress.written(oldId, newId, kept.size());
            Path video = staging.resolve(newId + LocalDirectorySegmentStore.VIDEO_SUFFIX);
            compare(newId, readVerified(newId, video), kept);
            progress.verified(oldId, newId);
            String location = store.store(newId, video, staging.resolve(SegmentManifest.fileNameFor(newId)), manifest.videoSha256());
            progress.stored(oldId, newId, location);
            return new CatalogUpdates.StoredRewrite(newId, location, manifest);
        } finally {
            Directories.deleteRecursively(staging);
        }
    }

    /** Every record of a stored or staged segment, after every frame and record verified. */
    private static List<SegmentRecord> readVerified(String segmentId, Path video) throws IOException {
        try (SegmentReader reader = SegmentReader.open(video)) {
            VerificationReport report = reader.verify();
            if (!report.ok()) {
                throw new RewriteException("segment " + segmentId + " does not verify, so it is not rewritten: "
                        + String.join("; ", report.problems()));
            }
            try (Stream<SegmentRecord> records = reader.records()) {
                return records.toList();
            }
        } catch (RewriteException e) {
            throw e;
        } catch (IOException | UncheckedIOException e) {
            throw new RewriteException("segment " + segmentId + " cannot be read, so it is not rewritten: " + e.getMessage());
        }
    }

    /** The new segment holds exactly the kept records, in order, byte for byte. */
    private static void compare(String segmentId, List<SegmentRecord> readBack, List<SegmentRecord> kept) throws RewriteException {
        if (readBack.size() != kept.size()) {
            throw new RewriteException("rewritten segment " + segmentId + " holds " + readBack.size() + " records, not the " + kept.size() + " kept");
        }
        for (int i = 0; i < kept.size(); i++) {
            SegmentRecord expected = kept.get(i);
            SegmentRecord actual = readBack.get(i);
            if (!expected.memoryId().equals(actual.memoryId()) || !expected.version().equals(actual.version())
                    || !Arrays.equals(MemoryDocuments.toBson(expected.document()), MemoryDocuments.toBson(actual.document()))) {
                throw new RewriteException("rewritten segment " + segmentId + ": record " + expected.memoryId() + "@" + expected.version()
                        + " does not read back byte for byte");
            }
        }
    }

    /** 16 hex digits of SHA-256 over the old id and every dropped memoryId@version, sorted: the same drop, the same id. */
    static String dropHash(String oldSegmentId, TreeSet<String> dropped) {
        StringBuilder text = new StringBuilder(oldSegmentId).append('\n');
        dropped.forEach(key -> text.append(key).append('\n'));
        return MemoryDocuments.sha256Hex(text.toString().getBytes(StandardCharsets.UTF_8)).substring(0, 16);
    }
}
