package io.coldframe.archive;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

import org.bson.BsonDocument;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.coldframe.archive.SegmentGc.Verdict;
import io.coldframe.common.MemoryDocuments;
import io.coldframe.schemas.CatalogEntry;
import io.coldframe.segment.SegmentManifest;
import io.coldframe.segment.SegmentOptions;
import io.coldframe.segment.SegmentRecord;
import io.coldframe.segment.SegmentWriter;
import io.coldframe.store.LocalDirectorySegmentStore;
import io.coldframe.store.SegmentStore;

/**
 * Issue 11, item 7: orphans are removed, and nothing a catalog entry references ever is, however old (the cleanup
 * docs/operations.md used to suggest, "compare with commit events", removed committed segments once their commit
 * events aged out of the commit topic's 30-day retention).
 */
class SegmentGcTest {

    private static final Instant NOW = Instant.parse("2026-06-01T00:00:00Z");
    private static final Duration GRACE = Duration.ofHours(24);
    private static final String T = "t.cold-4f1c0e9ab2d34c5e8f60718293a4b5c6-0-";

    /** Committed 60 days ago: its commit event is past the commit topic's retention, its catalog entries are live. */
    private static final String COMMITTED_LONG_AGO = T + "0-2";
    /** An orphan of a kill between store and commit; the replay committed the same memories in COMMITTED_LONG_AGO. */
    private static final String ORPHAN = T + "0-1";
    /** Stored an hour ago, not (yet) committed: its transaction may be under way. */
    private static final String YOUNG = T + "3-4";
    /** Old and unreferenced, but holding a memory the catalog does not know. */
    private static final String UNKNOWN = T + "5-5";

    @TempDir
    Path dir;
    private LocalDirectorySegmentStore store;
    private ArchiveCatalog catalog;

    @BeforeEach
    void storeSegments() throws IOException {
        store = new LocalDirectorySegmentStore(dir.resolve("archive"));
        store(COMMITTED_LONG_AGO, NOW.minus(Duration.ofDays(60)), "m0", "m1", "m2");
        store(ORPHAN, NOW.minus(Duration.ofDays(61)), "m0", "m1");
        store(YOUNG, NOW.minus(Duration.ofHours(1)), "m3", "m4");
        store(UNKNOWN, NOW.minus(Duration.ofDays(3)), "m5");
        List<CatalogEntry> entries = new ArrayList<>();
        for (String memory : List.of("m0", "m1", "m2")) {
            entries.add(new CatalogEntry("\"" + memory + "\"", "a", "v", COMMITTED_LONG_AGO, "file:///x", 0, 0, 1, NOW.minus(Duration.ofDays(60)), null, null));
        }
        catalog = ArchiveCatalog.of("t.catalog", entries);
    }

    private void store(String id, Instant storedAt, String... memories) throws IOException {
        List<SegmentRecord> records = new ArrayList<>();
        for (String memory : memories) {
            BsonDocument document = BsonDocument.parse("{_id: '" + memory + "', agent_id: 'a', text: '" + id + "'}");
            records.add(SegmentRecord.of(MemoryDocuments.idOf(document.get("_id")), document));
        }
        Path staging = Files.createDirectories(dir.resolve("staging").resolve(id));
        SegmentManifest manifest = new SegmentWriter(SegmentOptions.defaults()).write(id, records, staging);
        store.store(id, staging.resolve(id + ".mkv"), staging.resolve(id + ".manifest.json"), manifest.videoSha256());
        Files.setLastModifiedTime(dir.resolve("archive").resolve(id + ".mkv"), FileTime.from(storedAt));
    }

    private SegmentGc gc(boolean dryRun) {
        return new SegmentGc(store, GRACE, dryRun, Clock.fixed(NOW, ZoneOffset.UTC), decision -> { });
    }

    private static Map<String, Verdict> verdicts(SegmentGc.Result result) {
        return result.decisions().stream().collect(Collectors.toMap(SegmentGc.Decision::segmentId, SegmentGc.Decision::verdict));
    }

    @Test
    void aDryRunNamesWhatWouldGoAndRemovesNothing() throws IOException {
        SegmentGc.Result result = gc(true).run(() -> catalog);

        assertThat(verdicts(result)).containsExactlyInAnyOrderEntriesOf(Map.of(COMMITTED_LONG_AGO, Verdict.REFERENCED,
                ORPHAN, Verdict.REMOVABLE, YOUNG, Verdict.YOUNG, UNKNOWN, Verdict.UNKNOWN_MEMORIES));
        assertThat(store.list()).hasSize(4);
    }

    @Test
    void removesTheOrphanAndNeverASegmentTheCatalogReferencesHoweverOld() throws IOException {
        SegmentGc.Result result = gc(false).run(() -> catalog);

        assertThat(result.count(Verdict.REMOVED)).isOne();
        assertThat(store.list()).containsExactlyInAnyOrder(COMMITTED_LONG_AGO, YOUNG, UNKNOWN);
        assertThat(dir.resolve("archive").resolve(ORPHAN + ".manifest.json")).doesNotExist();
        assertThat(gc(false).run(() -> catalog).count(Verdict.REMOVED)).as("a second run finds nothing more").isZero();
    }

    @Test
    void anOrphanStoredAgainByAReplayIsYoungAgain() throws IOException {
        Files.setLastModifiedTime(dir.resolve("archive").resolve(ORPHAN + ".mkv"), FileTime.from(NOW.minus(Duration.ofMinutes(5))));

        assertThat(verdicts(gc(false).run(() -> catalog))).containsEntry(ORPHAN, Verdict.YOUNG);
        assertThat(store.list()).contains(ORPHAN);
    }

    @Test
    void failsSafeWhenTheCatalogCannotBeReadOrIsEmpty() throws IOException {
        assertThatThrownBy(() -> gc(false).run(() -> {
            throw new IOException("Kafka did not answer");
        })).hasMessageContaining("Kafka did not answer");
        assertThatThrownBy(() -> gc(false).run(() -> ArchiveCatalog.of("t.catalog", List.of())))
                .hasMessageContaining("refusing to remove anything");
        assertThat(store.list().stream().map(String::valueOf)).hasSize(4);
    }

    @Test
    void stopsRemovingOnceTheCatalogSnapshotIsHalfAGracePeriodOld() throws IOException {
        Instant[] now = {NOW};
        Clock slow = new Clock() {
            @Override
            public Instant instant() {
                Instant t = now[0];
                now[0] = now[0].plus(Duration.ofDays(10)); // each look at the clock: ten days later
                return t;
            }

            @Override
            public java.time.ZoneId getZone() {
                return ZoneOffset.UTC;
            }

            @Override
            public Clock withZone(java.time.ZoneId zone) {
                return this;
            }
        };
        SegmentGc.Result result = new SegmentGc(store, Duration.ofDays(30), false, slow, d -> { }).run(() -> catalog);
        assertThat(result.stoppedEarly()).contains("half the grace period");
        assertThat(store.list()).hasSize(4);
    }

    @Test
    void theGracePeriodMustBePositive() {
        assertThatThrownBy(() -> new SegmentGc(store, Duration.ZERO, true, Clock.systemUTC(), d -> { }))
                .isInstanceOf(IllegalArgumentException.class);
        assertThat((SegmentStore) store).isNotNull();
    }
}
