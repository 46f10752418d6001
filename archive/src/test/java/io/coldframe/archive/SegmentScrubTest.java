package io.coldframe.archive;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

import org.bson.BsonDocument;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.coldframe.common.MemoryDocuments;
import io.coldframe.common.Progress;
import io.coldframe.segment.SegmentManifest;
import io.coldframe.segment.SegmentOptions;
import io.coldframe.segment.SegmentRecord;
import io.coldframe.segment.SegmentWriter;
import io.coldframe.store.LocalDirectorySegmentStore;

/** Issue 11, item 7: a stored segment that rotted is named, with its frames, and counted in the scrub's metrics. */
class SegmentScrubTest {

    @TempDir
    Path dir;

    private void store(LocalDirectorySegmentStore store, String id, int count) throws IOException {
        List<SegmentRecord> records = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            BsonDocument document = BsonDocument.parse("{_id: '" + id + "-" + i + "', agent_id: 'a', text: '" + "x".repeat(500) + i + "'}");
            records.add(SegmentRecord.of(MemoryDocuments.idOf(document.get("_id")), document));
        }
        Path staging = Files.createDirectories(dir.resolve("staging").resolve(id));
        SegmentManifest manifest = new SegmentWriter(SegmentOptions.defaults()).write(id, records, staging);
        store.store(id, staging.resolve(id + ".mkv"), staging.resolve(id + ".manifest.json"), manifest.videoSha256());
    }

    @Test
    void namesEverySegmentAndFrameThatNoLongerVerifies() throws IOException {
        Path root = dir.resolve("archive");
        LocalDirectorySegmentStore store = new LocalDirectorySegmentStore(root);
        store(store, "healthy-0-0-9", 10);
        store(store, "rotten-0-0-39", 40);
        store(store, "bitflip-0-0-39", 40);
        Path rotten = root.resolve("rotten-0-0-39.mkv");
        byte[] bytes = Files.readAllBytes(rotten);
        for (int i = bytes.length / 4; i < bytes.length * 3 / 4; i += 97) {
            bytes[i] ^= (byte) 0x5a; // bit rot across the middle of the video: beyond what parity rebuilds
        }
        Files.write(rotten, bytes);
        Path flipped = root.resolve("bitflip-0-0-39.mkv");
        byte[] one = Files.readAllBytes(flipped);
        one[one.length / 2] ^= (byte) 0xff; // one damaged frame: the reader rebuilds it, but its parity is spent
        Files.write(flipped, one);

        List<SegmentScrub.Failure> reported = new ArrayList<>();
        SegmentScrub.Result result = new SegmentScrub(store, Duration.ZERO, Clock.systemUTC(), Progress.SILENT).run(reported::add);

        assertThat(result.checked()).isEqualTo(3);
        assertThat(result.ok()).isFalse();
        assertThat(reported).extracting(SegmentScrub.Failure::segmentId).containsExactlyInAnyOrder("rotten-0-0-39", "bitflip-0-0-39");
        assertThat(reported).filteredOn(f -> f.segmentId().equals("rotten-0-0-39")).singleElement()
                .satisfies(failure -> assertThat(failure.problems()).isNotEmpty());
        assertThat(reported).filteredOn(f -> f.segmentId().equals("bitflip-0-0-39")).singleElement().satisfies(failure -> {
            assertThat(failure.frames()).hasSize(1);
            assertThat(failure.problems()).anyMatch(p -> p.startsWith("frame " + failure.frames().get(0) + ":") && p.contains("repaired on read"));
        });
        Path metrics = dir.resolve("metrics/scrub.prom");
        ScrubMetrics.write(result, metrics);
        assertThat(Files.readString(metrics)).contains("coldframe_scrub_segments_failed 2.0")
                .contains("coldframe_scrub_segments_checked 3.0")
                .contains("coldframe_scrub_segment_failed{segment=\"rotten-0-0-39\"} 1.0")
                .contains("coldframe_scrub_frames_failed " + result.failedFrames() + ".0")
                .contains("coldframe_scrub_last_run_timestamp_seconds");
    }

    @Test
    void onlySegmentsOlderThanTheLimitAreChecked() throws IOException {
        LocalDirectorySegmentStore store = new LocalDirectorySegmentStore(dir.resolve("archive"));
        store(store, "old-0-0-1", 2);
        store(store, "new-0-2-3", 2);
        Files.setLastModifiedTime(dir.resolve("archive/old-0-0-1.mkv"), FileTime.from(Instant.now().minus(Duration.ofDays(10))));

        SegmentScrub.Result result = new SegmentScrub(store, Duration.ofDays(7), Clock.systemUTC(), Progress.SILENT).run(f -> { });

        assertThat(result.checked()).isOne();
        assertThat(result.skippedYoung()).isOne();
        assertThat(result.ok()).isTrue();
        assertThat(SegmentScrub.framesOf(List.of("frame 3: bad", "frames 7-9: missing"))).containsExactly(3, 7, 8, 9);
    }
}
