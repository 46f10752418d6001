package io.coldframe.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

import org.bson.BsonDocument;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.coldframe.common.MemoryDocuments;
import io.coldframe.segment.SegmentManifest;
import io.coldframe.segment.SegmentOptions;
import io.coldframe.segment.SegmentReader;
import io.coldframe.segment.SegmentRecord;
import io.coldframe.segment.SegmentWriter;

/** The local store's no-replace rule: a stored segment id keeps its bytes; identical replays are harmless. */
class LocalDirectorySegmentStoreTest {

    private static final String SEGMENT = "coldframe.tier.cold-0-0-9";

    @TempDir
    static Path mine;
    @TempDir
    static Path theirs;
    private static SegmentManifest myManifest;
    private static SegmentManifest theirManifest;

    @TempDir
    Path root;
    private LocalDirectorySegmentStore store;

    @BeforeAll
    static void writeTwoSegmentsWithTheSameId() throws IOException {
        myManifest = write(mine, "m");
        theirManifest = write(theirs, "other");
    }

    private static SegmentManifest write(Path dir, String idPrefix) throws IOException {
        List<SegmentRecord> records = new ArrayList<>();
        for (int i = 0; i < 10; i++) {
            BsonDocument document = BsonDocument.parse("{_id: '" + idPrefix + i + "', agent_id: 'a', text: 'memory " + idPrefix + i + "'}");
            records.add(SegmentRecord.of(MemoryDocuments.idOf(document.get("_id")), document));
        }
        return new SegmentWriter(SegmentOptions.defaults()).write(SEGMENT, records, dir);
    }

    @BeforeEach
    void open() throws IOException {
        store = new LocalDirectorySegmentStore(root);
    }

    private String store(Path dir, SegmentManifest manifest) throws IOException {
        return store.store(SEGMENT, dir.resolve(SEGMENT + ".mkv"), dir.resolve(SEGMENT + ".manifest.json"), manifest.videoSha256());
    }

    @Test
    void neverReplacesAStoredSegmentWithDifferentBytes() throws IOException {
        store(mine, myManifest);
        byte[] video = Files.readAllBytes(root.resolve(SEGMENT + ".mkv"));
        byte[] manifest = Files.readAllBytes(root.resolve(SEGMENT + ".manifest.json"));

        assertThatThrownBy(() -> store(theirs, theirManifest)).isInstanceOf(SegmentConflictException.class)
                .hasMessageContaining("refusing to replace").hasMessageContaining(SEGMENT + ".manifest.json");

        assertThat(Files.readAllBytes(root.resolve(SEGMENT + ".mkv"))).isEqualTo(video);
        assertThat(Files.readAllBytes(root.resolve(SEGMENT + ".manifest.json"))).isEqualTo(manifest);
        try (var files = Files.list(root)) {
            assertThat(files.map(p -> p.getFileName().toString())).as("no partial file left")
                    .containsExactlyInAnyOrder(SEGMENT + ".mkv", SEGMENT + ".manifest.json");
        }
        try (SegmentReader reader = SegmentReader.open(store.fetch(SEGMENT))) {
            assertThat(reader.verify().ok()).isTrue();
            assertThat(reader.get("\"m3\"")).isPresent();
        }
    }

    @Test
    void neverReplacesAStoredVideoEvenWhenTheManifestIsMissing() throws IOException {
        store(mine, myManifest);
        byte[] video = Files.readAllBytes(root.resolve(SEGMENT + ".mkv"));
        Files.delete(root.resolve(SEGMENT + ".manifest.json"));

        assertThatThrownBy(() -> store(theirs, theirManifest)).isInstanceOf(SegmentConflictException.class)
                .hasMessageContaining(SEGMENT + ".mkv");
        assertThat(Files.readAllBytes(root.resolve(SEGMENT + ".mkv"))).isEqualTo(video);
    }

    @Test
    void aReplayOfIdenticalBytesIsAcceptedAndRestartsTheSegmentsAge() throws IOException {
        store(mine, myManifest);
        Files.setLastModifiedTime(root.resolve(SEGMENT + ".mkv"), FileTime.from(Instant.parse("2020-01-01T00:00:00Z")));
        assertThat(store.storedAt(SEGMENT)).isEqualTo(Instant.parse("2020-01-01T00:00:00Z"));

        store(mine, myManifest);

        assertThat(store.storedAt(SEGMENT)).isAfter(Instant.now().minusSeconds(60));
        assertThat(store.inventory()).extracting(SegmentStore.Stored::segmentId).containsExactly(SEGMENT);
        try (SegmentReader reader = SegmentReader.open(store.fetch(SEGMENT))) {
            assertThat(reader.verify().ok()).isTrue();
        }
    }

    @Test
    void deleteRemovesVideoAndManifestAndIsIdempotent() throws IOException {
        store(mine, myManifest);

        store.delete(SEGMENT);
        store.delete(SEGMENT);

        assertThat(store.list()).isEmpty();
        assertThat(root.resolve(SEGMENT + ".manifest.json")).doesNotExist();
        assertThatThrownBy(() -> store.storedAt(SEGMENT)).isInstanceOf(NoSuchFileException.class);
        assertThatThrownBy(() -> store.delete("../x")).isInstanceOf(IllegalArgumentException.class);
        store(theirs, theirManifest); // the id is free again
    }
    @Test
    void storedFilesKeepTheUsualPermissions() throws IOException {
        store(mine, myManifest);
        Path probe = Files.writeString(root.resolve("probe"), "x"); // created with this process's umask, like a plain copy
        assertThat(Files.getPosixFilePermissions(root.resolve(SEGMENT + ".mkv"))).isEqualTo(Files.getPosixFilePermissions(probe));
    }
}
