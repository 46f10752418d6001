package io.coldframe.segment;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import org.bson.BsonDocument;
import org.bson.BsonString;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A block read lazily answers exactly what the whole block read answers, record by record. */
class BlockRecordsTest {
    @TempDir
    Path dir;

    @Test
    void everyRecordOfEveryBlockEqualsTheWholeBlockRead() throws IOException {
        List<SegmentRecord> records = new ArrayList<>(TestDocs.memories(9, 80));
        // a second version of a memory, in the same segment: the last one written wins
        SegmentRecord first = records.get(3);
        BsonDocument changed = first.document().clone();
        changed.put("note", new BsonString("second version"));
        records.add(4, SegmentRecord.of(first.memoryId(), changed)); // beside the first: both in one block
        SegmentManifest manifest = new SegmentWriter(SegmentOptions.builder().blockTargetBytes(32 * 1024).build())
                .write("lazy", records, dir);
        assertThat(manifest.blocks().size()).isGreaterThan(1);
        try (SegmentReader reader = SegmentReader.open(dir.resolve("lazy.mkv"))) {
            int seen = 0;
            long versionsTogether = 0;
            for (int b = 0; b < manifest.blocks().size(); b++) {
                BlockRecords lazy = reader.blockRecords(b);
                assertThat(lazy.bytes()).isPositive();
                List<SegmentRecord> whole = reader.block(b);
                versionsTogether = Math.max(versionsTogether, whole.stream().filter(r -> r.memoryId().equals(first.memoryId())).count());
                for (SegmentRecord record : whole) {
                    // of several versions in one block, the last written
                    SegmentRecord expected = whole.stream().filter(r -> r.memoryId().equals(record.memoryId()))
                            .reduce((x, y) -> y).orElseThrow();
                    SegmentRecord got = lazy.get(record.memoryId()).orElseThrow();
                    assertThat(got.version()).isEqualTo(expected.version());
                    assertThat(got.document()).isEqualTo(expected.document());
                    seen++;
                }
                assertThat(lazy.get("no-such-memory")).isEmpty();
            }
            assertThat(seen).isEqualTo(records.size());
            assertThat(versionsTogether).as("both versions in one block").isEqualTo(2);
            SegmentRecord latest = reader.get(first.memoryId()).orElseThrow();
            assertThat(latest.document().getString("note").getValue()).isEqualTo("second version");
        }
    }
}
