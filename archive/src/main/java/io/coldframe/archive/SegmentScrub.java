package io.coldframe.archive;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeSet;
import java.util.function.Consumer;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import io.coldframe.common.Progress;
import io.coldframe.segment.SegmentReader;
import io.coldframe.segment.VerificationReport;
import io.coldframe.store.SegmentStore;

/**
 * Re-verifies stored segments the way the archiver verified them before committing: the stored video's SHA-256 against
 * its manifest (an S3 download that does not match is refused), every frame decoded, every block and record re-hashed.
 * Each segment that no longer verifies is reported with every problem, naming its frames. Bit rot, a truncated upload
 * or a replaced object then shows up while other copies (MongoDB's, a backup) may still exist, not at restore time.
 */
public final class SegmentScrub {

    private static final Pattern FRAME = Pattern.compile("\\bframe (\\d+)\\b");
    private static final Pattern FRAMES = Pattern.compile("\\bframes (\\d+)-(\\d+)\\b");

    /** A segment that did not verify: every problem line, and the frame numbers they name. */
    public record Failure(String segmentId, List<String> problems, List<Integer> frames) {
    }

    public record Result(int stored, int checked, int skippedYoung, List<Failure> failures, Instant finishedAt) {
        public long failedFrames() {
            return failures.stream().mapToLong(f -> f.frames().size()).sum();
        }

        public boolean ok() {
            return failures.isEmpty();
        }
    }

    private final SegmentStore store;
    private final Duration olderThan;
    private final Clock clock;
    private final Progress.Factory progress;

    /** @param olderThan only segments stored at least this long ago (zero: all) */
    public SegmentScrub(SegmentStore store, Duration olderThan, Clock clock, Progress.Factory progress) {
        this.store = store;
        this.olderThan = olderThan;
        this.clock = clock;
        this.progress = progress;
    }

    public Result run(Consumer<Failure> onFailure) throws IOException {
        List<SegmentStore.Stored> inventory = store.inventory();
        List<Failure> failures = new ArrayList<>();
        int checked = 0;
        int young = 0;
        Instant cutoff = clock.instant().minus(olderThan);
        try (Progress bar = progress.start("scrubbing segments", inventory.size())) {
            for (SegmentStore.Stored stored : inventory) {
                if (!olderThan.isZero() && stored.storedAt().isAfter(cutoff)) {
                    young++;
                } else {
                    checked++;
                    Failure failure = verify(stored.segmentId());
                    if (failure != null) {
                        failures.add(failure);
                        onFailure.accept(failure);
                    }
                }
                bar.step();
            }
        }
        return new Result(inventory.size(), checked, young, failures, clock.instant());
    }

    /** Null when the segment verifies. */
    Failure verify(String segmentId) {
        Path video;
        try {
            video = store.fetch(segmentId);
        } catch (IOException | RuntimeException e) {
            return new Failure(segmentId, List.of("cannot fetch: " + e.getMessage()), List.of());
        }
        try (SegmentReader reader = SegmentReader.open(video)) {
            VerificationReport report = reader.verify();
            if (report.clean()) {
                return null;
            }
            // repaired damage counts too: the records still read, but the parity that saved them is spent
            List<String> problems = new ArrayList<>(report.problems());
            report.repairs().forEach(repair -> problems.add(repair + " (repaired on read; rewrite the segment)"));
            return new Failure(segmentId, problems, framesOf(problems));
        } catch (IOException | RuntimeException e) {
            return new Failure(segmentId, List.of("cannot read: " + e.getMessage()), List.of());
        }
    }

    static List<Integer> framesOf(List<String> problems) {
        TreeSet<Integer> frames = new TreeSet<>();
        for (String problem : problems) {
            Matcher range = FRAMES.matcher(problem);
            while (range.find()) {
                for (int f = Integer.parseInt(range.group(1)); f <= Integer.parseInt(range.group(2)); f++) {
                    frames.add(f);
                }
            }
            Matcher one = FRAME.matcher(problem);
            while (one.find()) {
                frames.add(Integer.parseInt(one.group(1)));
            }
        }
        return List.copyOf(frames);
    }
}
