package io.coldframe.archiver;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import org.bson.BsonDocument;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.coldframe.common.MemoryDocuments;
import io.coldframe.segment.SegmentOptions;
import io.coldframe.segment.SegmentReader;
import io.coldframe.segment.SegmentRecord;
import io.coldframe.segment.SegmentWriter;
import io.coldframe.store.LocalDirectorySegmentStore;

class BatchArchiverTest {

    @TempDir
    Path dir;

    private static List<SegmentRecord> records(int count) {
        List<SegmentRecord> records = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            BsonDocument document = BsonDocument.parse("{_id: 'm" + i + "', agent_id: 'a', n: {$numberLong: '" + i + "'}, text: 'memory " + i + "'}");
            records.add(SegmentRecord.of(MemoryDocuments.idOf(document.get("_id")), document));
        }
        return records;
    }

    @Test
    void storesAVerifiedSegmentAndCleansItsStaging() throws IOException {
        LocalDirectorySegmentStore store = new LocalDirectorySegmentStore(dir.resolve("archive"));
        BatchArchiver archiver = new BatchArchiver(new SegmentWriter(SegmentOptions.defaults()), store, dir.resolve("staging"));

        BatchArchiver.StoredSegment stored = archiver.archive("cold-0-10-59", records(50));

        assertThat(store.list()).containsExactly("cold-0-10-59");
        assertThat(stored.location()).endsWith("cold-0-10-59.mkv");
        assertThat(MemoryDocuments.sha256Hex(Files.readAllBytes(store.fetch("cold-0-10-59")))).isEqualTo(stored.manifest().videoSha256());
        try (SegmentReader reader = SegmentReader.open(store.fetch("cold-0-10-59"))) {
            assertThat(reader.verify().ok()).isTrue();
            assertThat(reader.get("\"m7\"")).get().extracting(SegmentRecord::version).isEqualTo(records(50).get(7).version());
        }
        assertThat(dir.resolve("staging").resolve("cold-0-10-59")).doesNotExist();
    }

    @Test
    void replayRewritesTheSameSegmentUnderTheSameName() throws IOException {
        LocalDirectorySegmentStore store = new LocalDirectorySegmentStore(dir.resolve("archive"));
        BatchArchiver archiver = new BatchArchiver(new SegmentWriter(SegmentOptions.defaults()), store, dir.resolve("staging"));

        String first = archiver.archive("cold-1-0-9", records(10)).manifest().videoSha256();
        String replay = archiver.archive("cold-1-0-9", records(10)).manifest().videoSha256();

        assertThat(replay).isEqualTo(first);
        assertThat(store.list()).containsExactly("cold-1-0-9");
    }

    @Test
    void storeRefusesBytesOtherThanTheVerifiedOnes() throws IOException {
        LocalDirectorySegmentStore store = new LocalDirectorySegmentStore(dir.resolve("archive"));
        Path video = Files.writeString(dir.resolve("v.mkv"), "not what was verified");
        Path manifest = Files.writeString(dir.resolve("v.manifest.json"), "{}");

        assertThatThrownBy(() -> store.store("seg", video, manifest, "00".repeat(32)))
                .isInstanceOf(IOException.class).hasMessageContaining("refusing to store");
        assertThat(store.contains("seg")).isFalse();
        assertThat(store.list()).isEmpty();
    }
}
