package io.coldframe.archive.lifecycle;

import static io.coldframe.archive.lifecycle.RewriteFixture.NEWER;
import static io.coldframe.archive.lifecycle.RewriteFixture.OLD;
import static io.coldframe.archive.lifecycle.RewriteFixture.SHARED;
import static io.coldframe.archive.lifecycle.RewriteFixture.id;
import static io.coldframe.archive.lifecycle.RewriteFixture.memories;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Set;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import io.coldframe.archive.lifecycle.SegmentRewrite.Outcome;
import io.coldframe.archive.lifecycle.SegmentRewrite.Result;
import io.coldframe.common.SegmentIds;
import io.coldframe.store.LocalDirectorySegmentStore;

/**
 * Issue 15, retention and erasure: a rewrite killed after any step leaves every kept record readable from the old or
 * the new segment (never neither), and running it again completes it without loss and without duplicates.
 */
class SegmentRewriteTest {

    private static final Set<String> DROPPED = Set.of(id(1), id(4), SHARED);

    @TempDir
    Path dir;
    private RewriteFixture fixture;

    @BeforeEach
    void twoCommittedSegments() throws IOException {
        fixture = new RewriteFixture(dir, 6);
    }

    @Test
    void aRewriteKeepsTheRestByteForByteAndMovesTheirCatalogEntries() throws IOException {
        Result result = fixture.rewrite(RewriteProgress.NONE).rewrite(OLD, memories(DROPPED));

        assertThat(result.outcome()).isEqualTo(Outcome.REWRITTEN);
        assertThat(result.kept()).isEqualTo(4);
        assertThat(result.dropped()).hasSize(3).allSatisfy(key -> assertThat(key).contains("@"));
        String newId = result.newSegmentId().orElseThrow();
        assertThat(newId).startsWith(OLD + ".rw").hasSize(OLD.length() + 19);
        assertThat(SegmentIds.parse(newId)).isEqualTo(SegmentIds.parse(OLD));
        fixture.assertCompleted(DROPPED, newId);
        // the old version of the shared memory is gone from the old segment; its latest entry was elsewhere and stays
        assertThat(fixture.catalog.latest(SHARED).orElseThrow().getSegmentId()).isEqualTo(NEWER);
    }

    @Test
    void anotherDropSetGivesAnotherSegmentId() throws IOException {
        RewriteFixture other = new RewriteFixture(dir.resolve("other"), 6);
        String dropOne = fixture.rewrite(RewriteProgress.NONE).rewrite(OLD, memories(Set.of(id(1)))).newSegmentId().orElseThrow();
        String dropTwo = other.rewrite(RewriteProgress.NONE).rewrite(OLD, memories(Set.of(id(2)))).newSegmentId().orElseThrow();

        assertThat(dropOne).isNotEqualTo(dropTwo);
        // a rewrite of the rewrite is named from the original id, and differs from both
        String again = fixture.rewrite(RewriteProgress.NONE).rewrite(dropOne, memories(Set.of(id(2)))).newSegmentId().orElseThrow();
        assertThat(again).startsWith(OLD + ".rw").isNotIn(dropOne, dropTwo);
        assertThat(fixture.store.list()).containsExactlyInAnyOrder(NEWER, again);
    }

    @ParameterizedTest
    @EnumSource(Step.class)
    void aCrashAfterAnyStepLeavesEveryKeptRecordReadableAndARerunCompletes(Step crashAfter) throws IOException {
        CrashingProgress crash = new CrashingProgress(crashAfter);
        assertThatThrownBy(() -> fixture.rewrite(crash).rewrite(OLD, memories(DROPPED))).isInstanceOf(Crash.class);
        String newId = crash.newSegmentId != null ? crash.newSegmentId : expectedNewId();

        fixture.assertKeptRecordsReadable(DROPPED, newId);
        assertThat(fixture.store.contains(OLD)).as("old segment still stored").isEqualTo(crashAfter != Step.OLD_DELETED);

        Result rerun = fixture.rewrite(RewriteProgress.NONE).rewrite(OLD, memories(DROPPED));
        assertThat(rerun.outcome()).isEqualTo(crashAfter == Step.OLD_DELETED ? Outcome.NOT_STORED : Outcome.REWRITTEN);
        rerun.newSegmentId().ifPresent(id -> assertThat(id).isEqualTo(newId));
        fixture.assertCompleted(DROPPED, newId);

        var settled = fixture.catalog.snapshot();
        assertThat(fixture.rewrite(RewriteProgress.NONE).rewrite(OLD, memories(DROPPED)).outcome()).isEqualTo(Outcome.NOT_STORED);
        assertThat(fixture.catalog.snapshot()).isEqualTo(settled);
    }

    @Test
    void aPublishCutShortLeavesTheCatalogPointingAtStoredSegmentsAndARerunCompletes() throws IOException {
        fixture.catalog.failAfter(2);
        assertThatThrownBy(() -> fixture.rewrite(RewriteProgress.NONE).rewrite(OLD, memories(DROPPED))).isInstanceOf(IOException.class)
                .hasMessageContaining("cut short");
        String newId = expectedNewId();
        assertThat(fixture.store.list()).containsExactlyInAnyOrder(OLD, NEWER, newId);
        fixture.assertKeptRecordsReadable(DROPPED, newId);

        assertThat(fixture.rewrite(RewriteProgress.NONE).rewrite(OLD, memories(DROPPED)).outcome()).isEqualTo(Outcome.REWRITTEN);
        fixture.assertCompleted(DROPPED, newId);
    }

    @Test
    void aSegmentWithNothingKeptExpiresTombstonesFirst() throws IOException {
        Set<String> everything = Set.of(id(0), id(1), id(2), id(3), id(4), id(5), SHARED);
        CrashingProgress crash = new CrashingProgress(Step.CATALOG_PUBLISHED);
        assertThatThrownBy(() -> fixture.rewrite(crash).rewrite(OLD, memories(everything))).isInstanceOf(Crash.class);
        assertThat(fixture.store.contains(OLD)).isTrue();
        assertThat(fixture.catalog.latest(id(0))).isEmpty();

        Result result = fixture.rewrite(RewriteProgress.NONE).rewrite(OLD, memories(everything));

        assertThat(result.outcome()).isEqualTo(Outcome.EXPIRED);
        assertThat(result.newSegmentId()).isEmpty();
        assertThat(result.dropped()).hasSize(7);
        assertThat(fixture.store.list()).containsExactly(NEWER);
        assertThat(fixture.catalog.snapshot()).containsOnlyKeys(SHARED);
        assertThat(fixture.catalog.latest(SHARED).orElseThrow().getSegmentId()).isEqualTo(NEWER);
    }

    @Test
    void nothingToDropChangesNothing() throws IOException {
        var before = fixture.catalog.snapshot();

        Result result = fixture.rewrite(RewriteProgress.NONE).rewrite(OLD, memories(Set.of("\"not-there\"")));

        assertThat(result.outcome()).isEqualTo(Outcome.UNCHANGED);
        assertThat(fixture.store.list()).containsExactlyInAnyOrder(OLD, NEWER);
        assertThat(fixture.catalog.snapshot()).isEqualTo(before);
        assertThat(fixture.catalog.publishes()).isZero();
    }

    @Test
    void aSegmentThatNoLongerVerifiesIsNotRewritten() throws IOException {
        Path video = dir.resolve("store").resolve(OLD + LocalDirectorySegmentStore.VIDEO_SUFFIX);
        video.toFile().setWritable(true);
        byte[] bytes = Files.readAllBytes(video);
        // zeroes over the middle of the video: more frames than parity rebuilds
        java.util.Arrays.fill(bytes, bytes.length / 4, bytes.length * 3 / 4, (byte) 0);
        Files.write(video, bytes, StandardOpenOption.TRUNCATE_EXISTING);
        var before = fixture.catalog.snapshot();

        assertThatThrownBy(() -> fixture.rewrite(RewriteProgress.NONE).rewrite(OLD, memories(DROPPED)))
                .isInstanceOf(SegmentRewrite.RewriteException.class).hasMessageContaining(OLD);
        assertThat(fixture.store.list()).containsExactlyInAnyOrder(OLD, NEWER);
        assertThat(fixture.catalog.snapshot()).isEqualTo(before);
    }

    private String expectedNewId() throws IOException {
        // what a completed run on a fresh copy of the same segments names the rewrite
        RewriteFixture fresh = new RewriteFixture(Files.createTempDirectory(dir, "fresh"), 6);
        return fresh.rewrite(RewriteProgress.NONE).rewrite(OLD, memories(DROPPED)).newSegmentId().orElseThrow();
    }

    enum Step { WRITTEN, VERIFIED, STORED, CATALOG_PUBLISHED, OLD_DELETED }

    /** A kill: thrown from the step's report, so nothing after the step runs. */
    static final class Crash extends RuntimeException {
        private static final long serialVersionUID = 1L;

        Crash(Step step) {
            super("crash after " + step);
        }
    }

    static final class CrashingProgress implements RewriteProgress {
        private final Step crashAfter;
        String newSegmentId;

        CrashingProgress(Step crashAfter) {
            this.crashAfter = crashAfter;
        }

        private void step(Step step) {
            if (step == crashAfter) {
                throw new Crash(step);
            }
        }

        @Override
        public void written(String oldSegmentId, String newSegmentId, int keptRecords) {
            this.newSegmentId = newSegmentId;
            step(Step.WRITTEN);
        }

        @Override
        public void verified(String oldSegmentId, String newSegmentId) {
            step(Step.VERIFIED);
        }

        @Override
        public void stored(String oldSegmentId, String newSegmentId, String location) {
            step(Step.STORED);
        }

        @Override
        public void catalogPublished(String oldSegmentId) {
            step(Step.CATALOG_PUBLISHED);
        }

        @Override
        public void oldDeleted(String oldSegmentId) {
            step(Step.OLD_DELETED);
        }
    }
}
