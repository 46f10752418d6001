package io.coldframe.archive.lifecycle;

import static io.coldframe.archive.lifecycle.RewriteFixture.OLD;
import static io.coldframe.archive.lifecycle.RewriteFixture.memories;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

import io.coldframe.archive.lifecycle.SegmentRewrite.Outcome;
import io.coldframe.archive.lifecycle.SegmentRewriteTest.CrashingProgress;
import io.coldframe.archive.lifecycle.SegmentRewriteTest.Step;
import io.coldframe.segment.SegmentRecord;

/**
 * Any drop set, a crash after any step or none: kept records stay readable throughout, and a re-run ends with exactly
 * the kept records in one new segment (or none, when everything was dropped). Few tries: each writes videos.
 */
class SegmentRewriteProperties {

    private static final int MEMORIES = 5;

    @Property(tries = 12)
    void anyDropSetAndAnyCrashEndInExactlyTheKeptRecords(@ForAll("dropSets") Set<Integer> drop, @ForAll("crashes") Step crashAfter)
            throws IOException {
        Path dir = Files.createTempDirectory("rewrite-prop");
        try {
            RewriteFixture fixture = new RewriteFixture(dir, MEMORIES);
            // index MEMORIES stands for the old version of the shared memory, whose latest entry lies in another segment
            Set<String> dropped = drop.stream().map(i -> i == MEMORIES ? RewriteFixture.SHARED : RewriteFixture.id(i)).collect(Collectors.toSet());
            CrashingProgress crash = new CrashingProgress(crashAfter);

            Throwable crashed = catchThrowable(() -> fixture.rewrite(crash).rewrite(OLD, memories(dropped)));
            if (crash.newSegmentId != null) {
                fixture.assertKeptRecordsReadable(dropped, crash.newSegmentId);
            }
            SegmentRewrite.Result rerun = fixture.rewrite(RewriteProgress.NONE).rewrite(OLD, memories(dropped));

            boolean keepsSome = fixture.oldRecords.stream().map(SegmentRecord::memoryId).anyMatch(id -> !dropped.contains(id));
            if (dropped.isEmpty()) {
                assertThat(crashed).isNull();
                assertThat(rerun.outcome()).isEqualTo(Outcome.UNCHANGED);
                assertThat(fixture.store.list()).containsExactlyInAnyOrder(OLD, RewriteFixture.NEWER);
            } else if (keepsSome) {
                String newId = rerun.newSegmentId().orElse(crash.newSegmentId);
                assertThat(newId).isNotNull();
                fixture.assertCompleted(dropped, newId);
            } else {
                assertThat(fixture.store.list()).containsExactly(RewriteFixture.NEWER);
            }
        } finally {
            try (Stream<Path> paths = Files.walk(dir)) {
                for (Path path : paths.sorted(Comparator.reverseOrder()).toList()) {
                    Files.delete(path);
                }
            }
        }
    }

    @Provide
    Arbitrary<Set<Integer>> dropSets() {
        return Arbitraries.integers().between(0, MEMORIES).set().ofMaxSize(MEMORIES + 1);
    }

    @Provide
    Arbitrary<Step> crashes() {
        return Arbitraries.of(Step.class).injectNull(0.25);
    }
}
