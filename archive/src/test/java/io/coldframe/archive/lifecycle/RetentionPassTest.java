package io.coldframe.archive.lifecycle;

import static io.coldframe.archive.lifecycle.RewriteFixture.NEWER;
import static io.coldframe.archive.lifecycle.RewriteFixture.OLD;
import static io.coldframe.archive.lifecycle.RewriteFixture.SHARED;
import static io.coldframe.archive.lifecycle.RewriteFixture.id;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.coldframe.archive.lifecycle.RetentionPass.Decision;
import io.coldframe.archive.lifecycle.SegmentRewrite.Outcome;
import io.coldframe.schemas.RetentionAction;
import io.coldframe.schemas.RetentionOutcome;
import io.coldframe.segment.SegmentRecord;

/**
 * Issue 15, retention: whole segments past retention expire, partly expired ones are rewritten once enough expired,
 * every change goes through the crash-safe rewrite, and each is audited once.
 */
class RetentionPassTest {

    private static final Instant CUTOFF = Instant.parse("2025-01-01T00:00:00Z");
    private static final Instant BEFORE = CUTOFF.minusSeconds(86_400);
    private static final Instant AFTER = CUTOFF.plusSeconds(86_400);

    @TempDir
    Path dir;
    private RewriteFixture fixture;
    private final List<RetentionAction> audited = new ArrayList<>();

    @BeforeEach
    void archive() throws IOException {
        // OLD: m0..m3 and an old version of the shared memory (5 records); NEWER: the shared memory's latest version
        fixture = new RewriteFixture(dir, 4);
        for (int i = 0; i < 4; i++) {
            fixture.catalog.created(id(i), AFTER);
        }
        fixture.catalog.created(SHARED, AFTER);
    }

    private RetentionPass pass(double minExpiredShare, RewriteProgress progress) {
        return new RetentionPass(fixture.store, fixture.rewrite(progress), audited::add, minExpiredShare);
    }

    private RetentionPass.Report run(double minExpiredShare, boolean dryRun) throws IOException {
        return pass(minExpiredShare, RewriteProgress.NONE).run(fixture.catalog.entries(), "12mo", CUTOFF, dryRun);
    }

    @Test
    void aSegmentPartlyPastRetentionIsRewrittenWithoutTheExpiredRecords() throws IOException {
        fixture.catalog.created(id(0), BEFORE);
        fixture.catalog.created(id(1), BEFORE);

        RetentionPass.Report report = run(0.25, false);

        assertThat(report.segmentsChecked()).isEqualTo(2);
        assertThat(report.actions()).singleElement().satisfies(action -> {
            assertThat(action.segmentId()).isEqualTo(OLD);
            assertThat(action.decision()).isEqualTo(Decision.REWRITE);
            assertThat(action.expired()).isEqualTo(2);
            assertThat(action.records()).isEqualTo(5);
            assertThat(action.result().orElseThrow().outcome()).isEqualTo(Outcome.REWRITTEN);
        });
        String rewritten = report.actions().get(0).result().orElseThrow().newSegmentId().orElseThrow();
        fixture.assertCompleted(Set.of(id(0), id(1)), rewritten);
        assertThat(audited).singleElement().satisfies(event -> {
            assertThat(event.getSegmentId()).isEqualTo(OLD);
            assertThat(event.getAction()).isEqualTo(RetentionOutcome.REWRITTEN);
            assertThat(event.getNewSegmentId()).isEqualTo(rewritten);
            assertThat(event.getKeptRecords()).isEqualTo(3);
            assertThat(event.getExpired()).hasSize(2).allSatisfy(key -> assertThat(key).matches("\"m[01]\"@[0-9a-f]{64}"));
            assertThat(event.getRetain()).isEqualTo("12mo");
            assertThat(event.getCutoff()).isEqualTo(CUTOFF);
        });

        RetentionPass.Report again = run(0.25, false);
        assertThat(again.actions()).isEmpty();
        assertThat(audited).hasSize(1);
        assertThat(fixture.store.list()).containsExactlyInAnyOrder(NEWER, rewritten);
    }

    @Test
    void belowTheShareASegmentIsLeftForALaterPass() throws IOException {
        fixture.catalog.created(id(0), BEFORE); // 1 of 5 records: 20%

        RetentionPass.Report report = run(0.25, false);

        assertThat(report.actions()).singleElement().satisfies(action -> {
            assertThat(action.decision()).isEqualTo(Decision.LEAVE);
            assertThat(action.result()).isEmpty();
        });
        assertThat(fixture.store.list()).containsExactlyInAnyOrder(OLD, NEWER);
        assertThat(fixture.catalog.latest(id(0))).isPresent();
        assertThat(audited).isEmpty();

        assertThat(run(0.2, false).actions()).singleElement().extracting(RetentionPass.SegmentAction::decision).isEqualTo(Decision.REWRITE);
        assertThat(fixture.catalog.latest(id(0))).isEmpty();
    }

    @Test
    void segmentsWhollyPastRetentionExpire() throws IOException {
        for (int i = 0; i < 4; i++) {
            fixture.catalog.created(id(i), BEFORE);
        }
        fixture.catalog.created(SHARED, BEFORE); // ages the old version in OLD too: a memory has one created_at

        RetentionPass.Report report = run(1.0, false);

        assertThat(report.actions()).extracting(RetentionPass.SegmentAction::decision).containsExactly(Decision.EXPIRE, Decision.EXPIRE);
        assertThat(fixture.store.list()).isEmpty();
        assertThat(fixture.catalog.snapshot()).isEmpty();
        assertThat(audited).extracting(RetentionAction::getAction).containsExactly(RetentionOutcome.EXPIRED, RetentionOutcome.EXPIRED);
        assertThat(audited).extracting(RetentionAction::getSegmentId).containsExactlyInAnyOrder(OLD, NEWER);
        assertThat(audited).allSatisfy(event -> assertThat(event.getNewSegmentId()).isNull());
    }

    @Test
    void aMemoryWithoutCreatedAtHasNoKnownAgeAndIsKept() throws IOException {
        for (int i = 0; i < 3; i++) {
            fixture.catalog.created(id(i), BEFORE);
        }
        fixture.catalog.created(id(3), null);

        RetentionPass.Report report = run(0.25, false);

        String rewritten = report.actions().get(0).result().orElseThrow().newSegmentId().orElseThrow();
        assertThat(fixture.stored(rewritten)).extracting(SegmentRecord::memoryId).containsExactly(id(3), SHARED);
    }

    @Test
    void aDryRunDecidesAndChangesNothing() throws IOException {
        fixture.catalog.created(id(0), BEFORE);
        fixture.catalog.created(id(1), BEFORE);

        RetentionPass.Report report = run(0.25, true);

        assertThat(report.dryRun()).isTrue();
        assertThat(report.actions()).singleElement().satisfies(action -> {
            assertThat(action.decision()).isEqualTo(Decision.REWRITE);
            assertThat(action.result()).isEmpty();
        });
        assertThat(fixture.store.list()).containsExactlyInAnyOrder(OLD, NEWER);
        assertThat(fixture.catalog.latest(id(0))).isPresent();
        assertThat(audited).isEmpty();
    }

    @Test
    void aCrashDuringARewriteIsCompletedByTheNextPassAndAuditedOnce() throws IOException {
        fixture.catalog.created(id(0), BEFORE);
        fixture.catalog.created(id(1), BEFORE);
        RewriteProgress crash = new RewriteProgress() {
            @Override
            public void stored(String oldSegmentId, String newSegmentId, String location) {
                throw new IllegalStateException("killed after storing " + newSegmentId);
            }
        };
        assertThatThrownBy(() -> pass(0.25, crash).run(fixture.catalog.entries(), "12mo", CUTOFF, false)).hasMessageContaining("killed");
        assertThat(audited).isEmpty();
        assertThat(fixture.store.list()).contains(OLD, NEWER);

        RetentionPass.Report report = run(0.25, false);

        String rewritten = report.actions().get(0).result().orElseThrow().newSegmentId().orElseThrow();
        fixture.assertCompleted(Set.of(id(0), id(1)), rewritten);
        assertThat(audited).singleElement().extracting(RetentionAction::getSegmentId).isEqualTo(OLD);
    }

    @Test
    void aCrashAfterTheCatalogMovedStillLeavesTheAuditEvent() throws IOException {
        fixture.catalog.created(id(0), BEFORE);
        fixture.catalog.created(id(1), BEFORE);
        RewriteProgress crash = new RewriteProgress() {
            @Override
            public void catalogPublished(String oldSegmentId) {
                throw new IllegalStateException("killed after the catalog moved off " + oldSegmentId);
            }
        };

        assertThatThrownBy(() -> pass(0.25, crash).run(fixture.catalog.entries(), "12mo", CUTOFF, false)).hasMessageContaining("killed");

        // The catalog no longer references the old segment: no later pass sees it again, so the event must be out already.
        assertThat(audited).singleElement().satisfies(event -> {
            assertThat(event.getSegmentId()).isEqualTo(OLD);
            assertThat(event.getAction()).isEqualTo(RetentionOutcome.REWRITTEN);
        });
        run(0.25, false);
        assertThat(audited).hasSize(1);
    }

    @Test
    void anAuditLogThatCannotBeWrittenStopsThePassBeforeTheCatalogMoves() throws IOException {
        fixture.catalog.created(id(0), BEFORE);
        fixture.catalog.created(id(1), BEFORE);
        RetentionPass failingAudit = new RetentionPass(fixture.store, fixture.rewrite(RewriteProgress.NONE), event -> {
            throw new IOException("audit topic unreachable");
        }, 0.25);

        assertThatThrownBy(() -> failingAudit.run(fixture.catalog.entries(), "12mo", CUTOFF, false)).hasMessageContaining("unreachable");

        assertThat(fixture.store.list()).contains(OLD);
        assertThat(fixture.catalog.entries()).anySatisfy(entry -> assertThat(entry.getSegmentId()).isEqualTo(OLD));
    }
}
