package io.coldframe.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;

import org.apache.kafka.common.config.AbstractConfig;
import org.bson.BsonDocument;
import org.gaul.s3proxy.S3Proxy;
import org.gaul.s3proxy.auth.AuthenticationType;
import org.gaul.s3proxy.nio2blob.TransientNio2BlobStore;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.ChecksumAlgorithm;
import software.amazon.awssdk.services.s3.model.ChecksumMode;
import software.amazon.awssdk.services.s3.model.S3Exception;

import io.coldframe.common.MemoryDocuments;
import io.coldframe.segment.SegmentManifest;
import io.coldframe.segment.SegmentOptions;
import io.coldframe.segment.SegmentReader;
import io.coldframe.segment.SegmentRecord;
import io.coldframe.segment.SegmentWriter;

/**
 * The S3 store against a real S3 protocol server in this JVM (S3Proxy on an in-memory blob store, which validates
 * {@code x-amz-checksum-sha256} like S3): configured through the archiver's keys, as a deployment would.
 */
class S3SegmentStoreIT {

    private static final String ACCESS_KEY = "coldframe-test";
    private static final String SECRET_KEY = "coldframe-test-secret";
    private static final String BUCKET = "segments";

    private static S3Proxy proxy;
    private static String endpoint;

    @TempDir
    Path dir;

    @BeforeAll
    static void startS3() throws Exception {
        proxy = S3Proxy.builder().blobStore(new TransientNio2BlobStore()).endpoint(URI.create("http://127.0.0.1:0"))
                .awsAuthentication(AuthenticationType.AWS_V2_OR_V4, ACCESS_KEY, SECRET_KEY).stopTimeout(0).build();
        proxy.start();
        long deadline = System.nanoTime() + 30_000_000_000L;
        while (!"STARTED".equals(proxy.getState()) && System.nanoTime() < deadline) {
            Thread.sleep(10);
        }
        endpoint = "http://127.0.0.1:" + proxy.getPort();
        try (S3Client client = S3SegmentStore.client(config(Path.of("unused"), "x", ACCESS_KEY, SECRET_KEY))) {
            client.createBucket(b -> b.bucket(BUCKET));
        }
    }

    @AfterAll
    static void stopS3() throws Exception {
        if (proxy != null) {
            proxy.stop();
        }
    }

    private static AbstractConfig config(Path cache, String prefix, String accessKey, String secretKey) {
        return SegmentStoreConfig.load(Map.of(
                SegmentStoreConfig.STORE_TYPE, "s3",
                SegmentStoreConfig.S3_BUCKET, BUCKET,
                SegmentStoreConfig.S3_PREFIX, prefix,
                SegmentStoreConfig.S3_ENDPOINT, endpoint,
                SegmentStoreConfig.S3_ACCESS_KEY, accessKey,
                SegmentStoreConfig.S3_SECRET_KEY, secretKey,
                SegmentStoreConfig.S3_CACHE_DIR, cache.toString()));
    }

    private static List<SegmentRecord> records(int count) {
        List<SegmentRecord> records = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            BsonDocument document = BsonDocument.parse("{_id: {$oid: '65f0a1b2c3d4e5f6a7b8c9" + String.format("%02x", i) + "'}, agent_id: 'agent-"
                    + (i % 3) + "', n: {$numberLong: '" + i + "'}, text: 'memory number " + i + "', tags: ['x', {k: " + i + "}]}");
            records.add(SegmentRecord.of(MemoryDocuments.idOf(document.get("_id")), document));
        }
        return records;
    }

    @Test
    void aVerifiedSegmentStoredInS3ReadsBackExactly() throws IOException {
        String segmentId = "coldframe.tier.cold-2-100-139";
        List<SegmentRecord> records = records(40);
        try (SegmentStore store = SegmentStores.create(config(dir.resolve("cache"), "roundtrip", ACCESS_KEY, SECRET_KEY));
             S3Client client = S3SegmentStore.client(config(dir, "x", ACCESS_KEY, SECRET_KEY))) {
            SegmentWriter writer = new SegmentWriter(SegmentOptions.defaults());
            Path staging = Files.createDirectories(dir.resolve("staging"));
            SegmentManifest manifest = writer.write(segmentId, records, staging);
            Path staged = staging.resolve(segmentId + ".mkv");

            String location = store.store(segmentId, staged, SegmentManifest.pathBeside(staged), manifest.videoSha256());

            assertThat(location).isEqualTo("s3://" + BUCKET + "/roundtrip/" + segmentId + ".mkv");
            assertThat(store.contains(segmentId)).isTrue();
            assertThat(store.list()).containsExactly(segmentId);
            // the service holds the verified SHA-256 for the video
            String checksum = client.headObject(b -> b.bucket(BUCKET).key("roundtrip/" + segmentId + ".mkv").checksumMode(ChecksumMode.ENABLED))
                    .checksumSHA256();
            assertThat(checksum).isEqualTo(S3SegmentStore.base64Sha256(manifest.videoSha256()));

            Path video = store.fetch(segmentId);
            byte[] bytes = Files.readAllBytes(video);
            assertThat(MemoryDocuments.sha256Hex(bytes)).isEqualTo(manifest.videoSha256());
            // ranged reads: a range, the tail in one suffix request, a tail longer than the video
            assertThat(store.readVideoRange(segmentId, 100, 50)).isEqualTo(java.util.Arrays.copyOfRange(bytes, 100, 150));
            assertThat(store.readVideoTail(segmentId, 300)).isEqualTo(java.util.Arrays.copyOfRange(bytes, bytes.length - 300, bytes.length));
            assertThat(store.readVideoTail(segmentId, bytes.length + 10)).isEqualTo(bytes);
            try (SegmentReader reader = SegmentReader.open(video)) {
                assertThat(reader.verify().ok()).isTrue();
                for (SegmentRecord expected : records) {
                    SegmentRecord actual = reader.get(expected.memoryId()).orElseThrow();
                    assertThat(MemoryDocuments.toBson(actual.document())).isEqualTo(MemoryDocuments.toBson(expected.document()));
                }
            }

            // a replay stores the same segment under the same name
            SegmentManifest replay = writer.write(segmentId, records, staging);
            store.store(segmentId, staged, SegmentManifest.pathBeside(staged), replay.videoSha256());
            assertThat(replay.videoSha256()).isEqualTo(manifest.videoSha256());
            assertThat(store.list()).containsExactly(segmentId);
        }
    }

    @Test
    void theServiceRejectsAnUploadWhoseBytesAreNotTheVerifiedOnes() {
        try (S3Client client = S3SegmentStore.client(config(dir, "x", ACCESS_KEY, SECRET_KEY))) {
            String verified = S3SegmentStore.base64Sha256(MemoryDocuments.sha256Hex("verified bytes".getBytes()));
            assertThatThrownBy(() -> client.putObject(b -> b.bucket(BUCKET).key("rejected/x.mkv").checksumAlgorithm(ChecksumAlgorithm.SHA256)
                    .checksumSHA256(verified), RequestBody.fromString("other bytes")))
                    .isInstanceOfSatisfying(S3Exception.class, e -> assertThat(e.statusCode()).isEqualTo(400));
            assertThat(client.listObjectsV2(b -> b.bucket(BUCKET).prefix("rejected/")).contents()).isEmpty();
            assertThat(Base64.getDecoder().decode(verified)).hasSize(32);
        }
    }

    @Test
    void listPagesThroughManySegmentsAndFetchReusesTheCache() throws IOException {
        try (S3Client client = S3SegmentStore.client(config(dir, "x", ACCESS_KEY, SECRET_KEY))) {
            S3SegmentStore store = new S3SegmentStore(client, BUCKET, "paged", dir.resolve("cache"), 3, false);
            List<String> ids = new ArrayList<>();
            for (int i = 0; i < 7; i++) {
                String id = "coldframe.tier.cold-0-" + (i * 10) + "-" + (i * 10 + 9);
                Path staging = Files.createDirectories(dir.resolve("s" + i));
                var manifest = new SegmentWriter(SegmentOptions.defaults()).write(id, records(3 + i), staging);
                store.store(id, staging.resolve(id + ".mkv"), staging.resolve(id + ".manifest.json"), manifest.videoSha256());
                ids.add(id);
            }

            assertThat(store.list()).isEqualTo(ids.stream().sorted().toList());

            Path video = store.fetch(ids.get(2));
            Files.setLastModifiedTime(video, FileTime.fromMillis(0));
            assertThat(store.fetch(ids.get(2))).isEqualTo(video);
            assertThat(Files.getLastModifiedTime(video).toMillis()).as("cached copy re-used").isZero();
            Files.write(video, new byte[] {1, 2, 3});
            try (SegmentReader reader = SegmentReader.open(store.fetch(ids.get(2)))) {
                assertThat(reader.verify().ok()).as("damaged cache replaced").isTrue();
            }
            assertThat(store.fetchManifest(ids.get(4))).exists().hasFileName(ids.get(4) + ".manifest.json");
        }
    }

    @Test
    void missingSegmentsAndWrongCredentialsAreErrors() throws IOException {
        try (SegmentStore store = SegmentStores.create(config(dir, "missing", ACCESS_KEY, SECRET_KEY))) {
            assertThat(store.contains("none-0-0-0")).isFalse();
            assertThat(store.list()).isEmpty();
            assertThatThrownBy(() -> store.fetch("none-0-0-0")).isInstanceOf(NoSuchFileException.class);
        }
        try (SegmentStore store = SegmentStores.create(config(dir, "missing", ACCESS_KEY, "wrong-secret"))) {
            assertThatThrownBy(store::list).isInstanceOf(IOException.class).hasMessageNotContaining("wrong-secret");
        }
    }

    /** What S3Proxy 4.1.0 does with conditional PUTs: it honours If-None-Match: * and If-Match, like AWS S3. */
    @Test
    void theServiceHonoursConditionalPuts() {
        try (S3Client client = S3SegmentStore.client(config(dir, "x", ACCESS_KEY, SECRET_KEY))) {
            String key = "conditional/x.mkv";
            String etag = client.putObject(b -> b.bucket(BUCKET).key(key).ifNoneMatch("*"), RequestBody.fromString("first")).eTag();
            assertThatThrownBy(() -> client.putObject(b -> b.bucket(BUCKET).key(key).ifNoneMatch("*"), RequestBody.fromString("second")))
                    .isInstanceOfSatisfying(S3Exception.class, e -> assertThat(e.statusCode()).isEqualTo(412));
            assertThatThrownBy(() -> client.putObject(b -> b.bucket(BUCKET).key(key).ifMatch("\"0000\""), RequestBody.fromString("third")))
                    .isInstanceOfSatisfying(S3Exception.class, e -> assertThat(e.statusCode()).isEqualTo(412));
            client.putObject(b -> b.bucket(BUCKET).key(key).ifMatch(etag), RequestBody.fromString("first"));
            assertThat(client.getObjectAsBytes(b -> b.bucket(BUCKET).key(key)).asUtf8String()).isEqualTo("first");
        }
    }

    /**
     * Every PUT reaches the service once: a body the client fails to finish sending after the service stored it makes
     * the SDK retry into its own object, which a conditional PUT reports as 412 (HttpURLConnection did so ~7% of the time).
     */
    @Test
    void conditionalPutsOfNewKeysSucceedAtTheFirstAttempt() {
        try (S3Client client = S3SegmentStore.client(config(dir, "x", ACCESS_KEY, SECRET_KEY))) {
            for (int i = 0; i < 500; i++) {
                String key = "first-attempt/" + i;
                client.putObject(b -> b.bucket(BUCKET).key(key).ifNoneMatch("*"), RequestBody.fromString("memory " + i));
            }
            assertThat(client.listObjectsV2Paginator(b -> b.bucket(BUCKET).prefix("first-attempt/")).contents()).hasSize(500);
        }
    }

    @Test
    void aStoredSegmentIsNeverReplacedWithOtherBytesAndAnIdenticalReplayRestartsItsAge() throws Exception {
        String segmentId = "coldframe.tier.cold-0-0-9";
        try (SegmentStore store = SegmentStores.create(config(dir.resolve("cache"), "noreplace", ACCESS_KEY, SECRET_KEY))) {
            SegmentWriter writer = new SegmentWriter(SegmentOptions.defaults());
            Path mine = Files.createDirectories(dir.resolve("mine"));
            Path theirs = Files.createDirectories(dir.resolve("theirs"));
            SegmentManifest myManifest = writer.write(segmentId, records(10), mine);
            SegmentManifest theirManifest = writer.write(segmentId, records(12), theirs);
            store.store(segmentId, mine.resolve(segmentId + ".mkv"), mine.resolve(segmentId + ".manifest.json"), myManifest.videoSha256());
            java.time.Instant first = store.storedAt(segmentId);

            assertThatThrownBy(() -> store.store(segmentId, theirs.resolve(segmentId + ".mkv"), theirs.resolve(segmentId + ".manifest.json"),
                    theirManifest.videoSha256())).isInstanceOf(SegmentConflictException.class);
            try (SegmentReader reader = SegmentReader.open(store.fetch(segmentId))) {
                assertThat(reader.manifest().videoSha256()).isEqualTo(myManifest.videoSha256());
                assertThat(reader.verify().ok()).isTrue();
            }

            Thread.sleep(1100); // LastModified has a resolution of one second
            store.store(segmentId, mine.resolve(segmentId + ".mkv"), mine.resolve(segmentId + ".manifest.json"), myManifest.videoSha256());
            assertThat(store.storedAt(segmentId)).isAfter(first);
            assertThat(store.inventory()).extracting(SegmentStore.Stored::segmentId).containsExactly(segmentId);

            store.delete(segmentId);
            assertThat(store.list()).isEmpty();
            assertThat(store.contains(segmentId)).isFalse();
        }
    }
}
