package io.coldframe.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import org.apache.kafka.common.config.AbstractConfig;
import org.apache.kafka.common.config.ConfigException;
import org.apache.kafka.common.config.types.Password;
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

/** The S3 store's logic against an in-memory bucket that behaves like S3 where the store relies on it. */
class S3SegmentStoreTest {

    private static final String SEGMENT = "coldframe.tier.cold-0-0-9";

    @TempDir
    static Path staged;
    private static SegmentManifest manifest;
    /** Another segment under the same id: other memories, other bytes (what a recreated topic used to produce). */
    @TempDir
    static Path other;
    private static SegmentManifest otherManifest;

    @TempDir
    Path cache;
    private InMemoryS3 s3;
    private S3SegmentStore store;

    @BeforeAll
    static void writeASegment() throws IOException {
        List<SegmentRecord> records = new ArrayList<>();
        for (int i = 0; i < 10; i++) {
            BsonDocument document = BsonDocument.parse("{_id: 'm" + i + "', agent_id: 'a', text: 'memory " + i + "'}");
            records.add(SegmentRecord.of(MemoryDocuments.idOf(document.get("_id")), document));
        }
        manifest = new SegmentWriter(SegmentOptions.defaults()).write(SEGMENT, records, staged);
        List<SegmentRecord> others = new ArrayList<>();
        for (int i = 0; i < 10; i++) {
            BsonDocument document = BsonDocument.parse("{_id: 'other" + i + "', agent_id: 'b', text: 'another memory " + i + "'}");
            others.add(SegmentRecord.of(MemoryDocuments.idOf(document.get("_id")), document));
        }
        otherManifest = new SegmentWriter(SegmentOptions.defaults()).write(SEGMENT, others, other);
    }

    private String storeTheOtherSegment() throws IOException {
        return store.store(SEGMENT, other.resolve(SEGMENT + ".mkv"), other.resolve(SEGMENT + ".manifest.json"), otherManifest.videoSha256());
    }

    @BeforeEach
    void bucket() throws IOException {
        s3 = new InMemoryS3();
        store = new S3SegmentStore(s3, "bucket", "/archive/segments/", cache, 2, false);
    }

    private static Path video() {
        return staged.resolve(SEGMENT + ".mkv");
    }

    private static Path manifestFile() {
        return staged.resolve(SEGMENT + ".manifest.json");
    }

    private String storeTheSegment() throws IOException {
        return store.store(SEGMENT, video(), manifestFile(), manifest.videoSha256());
    }

    @Test
    void storesTheManifestFirstThenTheVideoWithTheVerifiedSha256() throws IOException {
        String location = storeTheSegment();

        assertThat(location).isEqualTo("s3://bucket/archive/segments/" + SEGMENT + ".mkv");
        assertThat(s3.calls).containsExactly("HEAD archive/segments/" + SEGMENT + ".manifest.json", "PUT archive/segments/" + SEGMENT + ".manifest.json",
                "HEAD archive/segments/" + SEGMENT + ".mkv", "PUT archive/segments/" + SEGMENT + ".mkv");
        assertThat(s3.objects.get("archive/segments/" + SEGMENT + ".mkv")).isEqualTo(Files.readAllBytes(video()));
        assertThat(s3.checksums.get("archive/segments/" + SEGMENT + ".mkv")).isEqualTo(S3SegmentStore.base64Sha256(manifest.videoSha256()));
        assertThat(store.contains(SEGMENT)).isTrue();
        assertThat(store.list()).containsExactly(SEGMENT);
    }

    @Test
    void refusesAStagedVideoThatIsNotTheVerifiedOne() {
        assertThatThrownBy(() -> store.store(SEGMENT, manifestFile(), manifestFile(), manifest.videoSha256()))
                .isInstanceOf(IOException.class).hasMessageContaining("refusing to store");
        assertThat(s3.objects).isEmpty();
    }

    @Test
    void theServiceRejectsBytesThatDoNotMatchTheVerifiedSha256() throws IOException {
        s3.damageInTransit = true;

        assertThatThrownBy(this::storeTheSegment).isInstanceOf(IOException.class).hasMessageContaining("BadDigest");
        assertThat(store.contains(SEGMENT)).isFalse();
        assertThat(store.list()).isEmpty();
    }

    @Test
    void aServiceWithoutChecksumsIsCheckedByReadingTheObjectBack() throws IOException {
        s3.checksums256 = false;
        storeTheSegment();
        assertThat(s3.callsStartingWith("GET")).isEqualTo(2);

        s3.damageAtRest = true;
        assertThatThrownBy(this::storeTheSegment).isInstanceOf(IOException.class).hasMessageContaining("reads back with SHA-256");
    }

    @Test
    void listsEveryPageSortedAndOnlySegmentVideosDirectlyUnderThePrefix() throws IOException {
        List<String> ids = List.of("c-0-5-9", "a-0-0-4", "b-1-0-9", "d-2-0-0", "e-3-1-1");
        for (String id : ids) {
            Path v = Files.write(cache.resolve("v"), id.getBytes());
            store.store(id, v, v, S3SegmentStore.sha256Hex(v));
        }
        s3.objects.put("archive/segments/nested/x-0-0-0.mkv", new byte[1]);
        s3.objects.put("archive/segments/.hidden.mkv", new byte[1]);
        s3.objects.put("archive/other.mkv", new byte[1]);
        s3.calls.clear();

        assertThat(store.list()).containsExactly("a-0-0-4", "b-1-0-9", "c-0-5-9", "d-2-0-0", "e-3-1-1");
        assertThat(s3.callsStartingWith("LIST")).isGreaterThanOrEqualTo(5); // 10 objects of this level, 2 per page
    }

    @Test
    void fetchDownloadsVideoAndManifestSideBySideAndReadsAsASegment() throws IOException {
        storeTheSegment();

        Path fetched = store.fetch(SEGMENT);

        assertThat(fetched).isEqualTo(cache.resolve(SEGMENT + ".mkv"));
        assertThat(SegmentManifest.pathBeside(fetched)).exists();
        try (SegmentReader reader = SegmentReader.open(fetched)) {
            assertThat(reader.verify().ok()).isTrue();
            assertThat(reader.get("\"m3\"")).isPresent();
        }
        try (var files = Files.list(cache)) {
            assertThat(files.map(p -> p.getFileName().toString())).containsExactlyInAnyOrder(SEGMENT + ".mkv", SEGMENT + ".manifest.json");
        }
    }

    @Test
    void fetchReusesACachedVideoWhoseSha256MatchesAndReplacesADamagedOne() throws IOException {
        storeTheSegment();
        Path fetched = store.fetch(SEGMENT);
        Files.setLastModifiedTime(fetched, FileTime.fromMillis(0));
        s3.calls.clear();

        assertThat(store.fetch(SEGMENT)).isEqualTo(fetched);
        assertThat(s3.calls).containsExactly("GET archive/segments/" + SEGMENT + ".manifest.json");
        assertThat(Files.getLastModifiedTime(fetched).toMillis()).isZero();

        byte[] damaged = Files.readAllBytes(fetched);
        damaged[damaged.length / 3] ^= 1;
        Files.write(fetched, damaged);
        store.fetch(SEGMENT);
        assertThat(Files.readAllBytes(fetched)).isEqualTo(Files.readAllBytes(video()));
    }

    @Test
    void fetchRefusesAStoredVideoThatDoesNotMatchItsManifest() throws IOException {
        storeTheSegment();
        s3.objects.get("archive/segments/" + SEGMENT + ".mkv")[100] ^= 1;

        assertThatThrownBy(() -> store.fetch(SEGMENT)).isInstanceOf(IOException.class).hasMessageContaining("its manifest says");
        assertThat(cache.resolve(SEGMENT + ".mkv")).doesNotExist();
    }

    @Test
    void aMissingSegmentIsNotContainedAndCannotBeFetched() throws IOException {
        assertThat(store.contains("nope-0-0-0")).isFalse();
        assertThatThrownBy(() -> store.fetch("nope-0-0-0")).isInstanceOf(NoSuchFileException.class);
        assertThatThrownBy(() -> store.fetchManifest("../escape")).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void keysChecksumsAndIds() {
        assertThat(S3SegmentStore.normalizePrefix(" /a/b// ")).isEqualTo("a/b");
        assertThat(S3SegmentStore.normalizePrefix(null)).isEmpty();
        assertThat(S3SegmentStore.segmentIdOf("p/s-0-1-2.mkv", "p/")).isEqualTo("s-0-1-2");
        assertThat(S3SegmentStore.segmentIdOf("p/s-0-1-2.manifest.json", "p/")).isNull();
        assertThat(S3SegmentStore.segmentIdOf("p/q/s.mkv", "p/")).isNull();
        assertThat(S3SegmentStore.segmentIdOf("s.mkv", "")).isEqualTo("s");
        // SHA-256 of no bytes, as hex and as the header's base64
        assertThat(S3SegmentStore.base64Sha256("e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"))
                .isEqualTo("47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=");
        assertThatThrownBy(() -> S3SegmentStore.base64Sha256("E3B0")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> S3SegmentStore.checkId("a/b")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> S3SegmentStore.checkId("")).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void theConfigChoosesTheStoreAndKeepsSecretsOutOfMessages(@TempDir Path dir) throws IOException {
        try (SegmentStore local = SegmentStores.create(SegmentStoreConfig.load(Map.of(SegmentStoreConfig.STORE_DIR, dir.toString())))) {
            assertThat(local).isInstanceOf(LocalDirectorySegmentStore.class);
        }
        assertThatThrownBy(() -> SegmentStores.create(SegmentStoreConfig.load(Map.of(SegmentStoreConfig.STORE_TYPE, "s3"))))
                .isInstanceOf(ConfigException.class).hasMessageContaining(SegmentStoreConfig.S3_BUCKET);
        assertThatThrownBy(() -> SegmentStoreConfig.load(Map.of(SegmentStoreConfig.STORE_TYPE, "ftp"))).isInstanceOf(ConfigException.class);
        assertThatThrownBy(() -> S3SegmentStore.credentials(new Password(""), new Password("very-secret")))
                .isInstanceOf(ConfigException.class).hasMessageContaining(SegmentStoreConfig.S3_ACCESS_KEY).hasMessageNotContaining("very-secret");

        AbstractConfig s3Config = SegmentStoreConfig.load(Map.of(SegmentStoreConfig.STORE_TYPE, "s3", SegmentStoreConfig.S3_BUCKET, "b",
                SegmentStoreConfig.S3_ENDPOINT, "http://user:pw@minio:9000", SegmentStoreConfig.S3_ACCESS_KEY, "AKIAEXAMPLE",
                SegmentStoreConfig.S3_SECRET_KEY, "very-secret", SegmentStoreConfig.S3_CACHE_DIR, dir.resolve("cache").toString()));
        assertThat(s3Config.values().toString()).doesNotContain("very-secret").doesNotContain("AKIAEXAMPLE");
        assertThat(SegmentStores.describe(s3Config)).isEqualTo("s3://b/segments at http://minio:9000");
        try (SegmentStore s3Store = SegmentStores.create(s3Config)) {
            assertThat(s3Store).isInstanceOf(S3SegmentStore.class).hasToString("s3://b/segments");
        }
    }

    // ------------------------------------------------------------------------------------------------ no replace

    @org.junit.jupiter.params.ParameterizedTest(name = "service honours conditional writes: {0}")
    @org.junit.jupiter.params.provider.ValueSource(booleans = {true, false})
    void neverReplacesAStoredSegmentWithDifferentBytes(boolean conditionalWrites) throws IOException {
        s3.conditionalWrites = conditionalWrites;
        storeTheSegment();
        Map<String, byte[]> before = new java.util.TreeMap<>();
        s3.objects.forEach((key, bytes) -> before.put(key, bytes.clone()));

        assertThatThrownBy(this::storeTheOtherSegment).isInstanceOf(SegmentConflictException.class)
                .hasMessageContaining("refusing to replace s3://bucket/archive/segments/" + SEGMENT + ".manifest.json");

        assertThat(s3.objects).containsOnlyKeys(before.keySet());
        before.forEach((key, bytes) -> assertThat(s3.objects.get(key)).as(key).isEqualTo(bytes));
        try (SegmentReader reader = SegmentReader.open(store.fetch(SEGMENT))) {
            assertThat(reader.get("\"m3\"")).isPresent();
        }
    }

    @Test
    void theConditionalPutRefusesAnObjectCreatedAfterTheCheck() throws IOException {
        byte[] theirs = Files.readAllBytes(other.resolve(SEGMENT + ".manifest.json"));
        String key = "archive/segments/" + SEGMENT + ".manifest.json";
        s3.beforePut = () -> {
            if (!s3.objects.containsKey(key)) {
                s3.put(key, theirs); // another writer, between the store's HEAD and its PUT
            }
        };

        assertThatThrownBy(this::storeTheSegment).isInstanceOf(SegmentConflictException.class);
        assertThat(s3.objects.get(key)).isEqualTo(theirs);
        assertThat(s3.objects).doesNotContainKey("archive/segments/" + SEGMENT + ".mkv");
    }

    /**
     * The service stored the first attempt but its reply was lost (a broken connection): the SDK's retry meets its own
     * object and is refused with 412. The store finds its own bytes there and succeeds.
     */
    @Test
    void aPutWhoseLostReplyIsRetriedFindsItsOwnBytesAndSucceeds() throws IOException {
        String manifestKey = "archive/segments/" + SEGMENT + ".manifest.json";
        String videoKey = "archive/segments/" + SEGMENT + ".mkv";
        byte[] manifestBytes = Files.readAllBytes(manifestFile());
        byte[] videoBytes = Files.readAllBytes(video());
        s3.beforePut = () -> {
            if (!s3.objects.containsKey(manifestKey)) {
                s3.put(manifestKey, manifestBytes);
            } else if (!s3.objects.containsKey(videoKey)) {
                s3.put(videoKey, videoBytes);
            }
        };

        assertThat(storeTheSegment()).isEqualTo("s3://bucket/" + videoKey);

        assertThat(s3.objects.get(manifestKey)).isEqualTo(manifestBytes);
        assertThat(s3.objects.get(videoKey)).isEqualTo(videoBytes);
        assertThat(s3.calls).containsSubsequence("PUT " + manifestKey, "HEAD " + manifestKey, "PUT " + manifestKey);
    }

    @Test
    void aReplayOfIdenticalBytesIsAcceptedAndRestartsTheSegmentsAge() throws IOException {
        storeTheSegment();
        java.time.Instant first = store.storedAt(SEGMENT);
        byte[] video = s3.objects.get("archive/segments/" + SEGMENT + ".mkv").clone();

        assertThat(storeTheSegment()).isEqualTo("s3://bucket/archive/segments/" + SEGMENT + ".mkv");

        assertThat(s3.objects.get("archive/segments/" + SEGMENT + ".mkv")).isEqualTo(video);
        assertThat(store.storedAt(SEGMENT)).isAfter(first);
        assertThat(store.inventory()).containsExactly(new SegmentStore.Stored(SEGMENT, store.storedAt(SEGMENT)));
    }

    @Test
    void deleteRemovesVideoAndManifestAndIsIdempotent() throws IOException {
        storeTheSegment();

        store.delete(SEGMENT);
        store.delete(SEGMENT);

        assertThat(s3.objects).isEmpty();
        assertThat(store.list()).isEmpty();
        assertThatThrownBy(() -> store.storedAt(SEGMENT)).isInstanceOf(NoSuchFileException.class);
        storeTheOtherSegment(); // the id is free again
    }
}
