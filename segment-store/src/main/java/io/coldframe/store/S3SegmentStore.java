package io.coldframe.store;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.DigestInputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.Objects;

import org.apache.kafka.common.config.AbstractConfig;
import org.apache.kafka.common.config.ConfigException;
import org.apache.kafka.common.config.types.Password;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;
import software.amazon.awssdk.auth.credentials.DefaultCredentialsProvider;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.core.ResponseInputStream;
import software.amazon.awssdk.core.checksums.RequestChecksumCalculation;
import software.amazon.awssdk.core.checksums.ResponseChecksumValidation;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.http.apache5.Apache5HttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.S3ClientBuilder;
import software.amazon.awssdk.services.s3.model.ChecksumAlgorithm;
import software.amazon.awssdk.services.s3.model.ChecksumMode;
import software.amazon.awssdk.services.s3.model.DeleteObjectRequest;
import software.amazon.awssdk.services.s3.model.GetObjectRequest;
import software.amazon.awssdk.services.s3.model.GetObjectResponse;
import software.amazon.awssdk.services.s3.model.HeadObjectRequest;
import software.amazon.awssdk.services.s3.model.HeadObjectResponse;
import software.amazon.awssdk.services.s3.model.ListObjectsV2Request;
import software.amazon.awssdk.services.s3.model.ListObjectsV2Response;
import software.amazon.awssdk.services.s3.model.NoSuchKeyException;
import software.amazon.awssdk.services.s3.model.PutObjectRequest;
import software.amazon.awssdk.services.s3.model.PutObjectResponse;
import software.amazon.awssdk.services.s3.model.S3Exception;
import software.amazon.awssdk.services.s3.model.S3Object;

import io.coldframe.segment.SegmentManifest;

/**
 * Segments as objects in an S3-compatible bucket: {@code <prefix>/<id>.manifest.json} and {@code <prefix>/<id>.mkv}.
 *
 * <p>{@link #store} uploads the manifest first, so a video is never visible without it, then the video. Each upload
 * carries its SHA-256 ({@code x-amz-checksum-sha256}, the base64 of the digest): for the video it is derived from the
 * verified hex SHA-256, not from the bytes being sent, so the service rejects the upload ({@code BadDigest}) unless it
 * received exactly the verified bytes. A PUT is atomic (the object appears whole or not at all) and durable when it
 * returns. The store then confirms the stored object's checksum (from the PUT response or a HEAD); a service that
 * keeps no SHA-256 checksums is checked by reading the object back and hashing it.
 *
 * <p>No replace ({@link SegmentStore}): every PUT is conditional, {@code If-None-Match: *} for a new object (after a
 * HEAD that finds an existing one also on services that ignore the condition; S3Proxy 4.1 and AWS S3 honour it), and
 * {@code If-Match: <ETag>} when identical bytes are stored again, which restarts the object's LastModified (the age
 * {@code coldframe gc} reads). An existing object with other bytes fails the store with {@link SegmentConflictException}.
 *
 * <p>{@link #fetch} downloads a segment into the local cache directory (manifest beside video, each through a hidden
 * temporary file and an atomic rename), re-using a cached video whose SHA-256 matches its manifest; a download whose
 * bytes do not hash to the manifest's SHA-256 is refused.
 */
public final class S3SegmentStore implements SegmentStore {

    private static final Logger LOG = LoggerFactory.getLogger(S3SegmentStore.class);
    static final int DEFAULT_PAGE_SIZE = 1000;
    static final String VIDEO_SUFFIX = LocalDirectorySegmentStore.VIDEO_SUFFIX;
    static final String MANIFEST_SUFFIX = LocalDirectorySegmentStore.MANIFEST_SUFFIX;
    private static final String VIDEO_TYPE = "video/x-matroska";
    private static final String MANIFEST_TYPE = "application/json";

    private final S3Client s3;
    private final boolean ownsClient;
    private final String bucket;
    private final String prefix;
    private final Path cacheDir;
    private final int pageSize;
    private volatile boolean readBackNoted;

    /**
     * A store on a client the caller owns (and closes).
     *
     * @param prefix key prefix without leading or trailing slash; empty for the bucket's top level
     */
    public S3SegmentStore(S3Client s3, String bucket, String prefix, Path cacheDir) throws IOException {
        this(s3, bucket, prefix, cacheDir, DEFAULT_PAGE_SIZE, false);
    }

    S3SegmentStore(S3Client s3, String bucket, String prefix, Path cacheDir, int pageSize, boolean ownsClient) throws IOException {
        this.s3 = Objects.requireNonNull(s3, "s3");
        if (bucket == null || bucket.isBlank()) {
            throw new IllegalArgumentException("an S3 segment store needs a bucket");
        }
        this.bucket = bucket;
        this.prefix = normalizePrefix(prefix);
        this.cacheDir = Files.createDirectories(cacheDir);
        this.pageSize = pageSize;
        this.ownsClient = ownsClient;
    }

    /** The store an archiver configuration describes, with its own client (closed by {@link #close()}). */
    public static S3SegmentStore create(AbstractConfig config) throws IOException {
        String bucket = config.getString(SegmentStoreConfig.S3_BUCKET);
        if (bucket.isBlank()) {
            throw new ConfigException(SegmentStoreConfig.S3_BUCKET, bucket, "required when " + SegmentStoreConfig.STORE_TYPE + "=s3");
        }
        S3Client client = client(config);
        try {
            return new S3SegmentStore(client, bucket, config.getString(SegmentStoreConfig.S3_PREFIX),
                    Path.of(config.getString(SegmentStoreConfig.S3_CACHE_DIR)), DEFAULT_PAGE_SIZE, true);
        } catch (IOException | RuntimeException e) {
            client.close();
            throw e;
        }
    }

    /**
     * An S3 client for the configured endpoint, region and credentials, on Apache HttpClient 5: the JDK's HttpURLConnection
     * failed about one PUT in fourteen against S3Proxy's Jetty with "Error writing request body" after the service had
     * stored the body, so that the SDK's retry met the object it had just created. Checksums are sent
     * and validated only where an operation requires them or the store asks for them (every upload carries its SHA-256),
     * which keeps S3-compatible services that lack the SDK's default CRC trailers working.
     */
    static S3Client client(AbstractConfig config) {
        S3ClientBuilder builder = S3Client.builder()
                .httpClientBuilder(Apache5HttpClient.builder())
                .region(Region.of(config.getString(SegmentStoreConfig.S3_REGION)))
                .credentialsProvider(credentials(config.getPassword(SegmentStoreConfig.S3_ACCESS_KEY), config.getPassword(SegmentStoreConfig.S3_SECRET_KEY)))
                .requestChecksumCalculation(RequestChecksumCalculation.WHEN_REQUIRED)
                .responseChecksumValidation(ResponseChecksumValidation.WHEN_REQUIRED);
        String endpoint = config.getString(SegmentStoreConfig.S3_ENDPOINT);
        if (!endpoint.isBlank()) {
            URI uri;
            try {
                uri = URI.create(endpoint.strip());
            } catch (IllegalArgumentException e) {
                throw new ConfigException(SegmentStoreConfig.S3_ENDPOINT, endpoint, "not a URL: " + e.getMessage());
            }
            if (uri.getScheme() == null || uri.getHost() == null) {
                throw new ConfigException(SegmentStoreConfig.S3_ENDPOINT, endpoint, "not a URL with scheme and host, e.g. http://minio:9000");
            }
            builder.endpointOverride(uri).forcePathStyle(true);
        }
        return builder.build();
    }

    static AwsCredentialsProvider credentials(Password accessKey, Password secretKey) {
        String access = accessKey == null ? "" : accessKey.value();
        String secret = secretKey == null ? "" : secretKey.value();
        if (access.isEmpty() && secret.isEmpty()) {
            return DefaultCredentialsProvider.builder().build();
        }
        if (access.isEmpty() || secret.isEmpty()) {
            String missing = access.isEmpty() ? SegmentStoreConfig.S3_ACCESS_KEY : SegmentStoreConfig.S3_SECRET_KEY;
            // the value is a secret: the message names the key only
            throw new ConfigException(missing + " is empty while " + (access.isEmpty() ? SegmentStoreConfig.S3_SECRET_KEY : SegmentStoreConfig.S3_ACCESS_KEY)
                    + " is set: give both, or neither to use the AWS default credentials chain");
        }
        return StaticCredentialsProvider.create(AwsBasicCredentials.create(access, secret));
    }

    @Override
    public String store(String segmentId, Path stagedVideo, Path stagedManifest, String videoSha256) throws IOException {
        checkId(segmentId);
        String staged = sha256Hex(stagedVideo);
        if (!staged.equals(videoSha256)) {
            throw new IOException("refusing to store " + segmentId + VIDEO_SUFFIX + ": it hashes to " + staged + ", verified was " + videoSha256);
        }
        put(manifestKey(segmentId), stagedManifest, sha256Hex(stagedManifest), MANIFEST_TYPE);
        put(videoKey(segmentId), stagedVideo, videoSha256, VIDEO_TYPE);
        return location(segmentId);
    }

    @Override
    public boolean contains(String segmentId) throws IOException {
        checkId(segmentId);
        try {
            s3.headObject(HeadObjectRequest.builder().bucket(bucket).key(videoKey(segmentId)).build());
            return true;
        } catch (NoSuchKeyException e) {
            return false;
        } catch (S3Exception e) {
            if (e.statusCode() == 404) {
                return false;
            }
            throw failure("could not look up", videoKey(segmentId), e);
        } catch (SdkException e) {
            throw failure("could not look up", videoKey(segmentId), e);
        }
    }

    @Override
    public Path fetch(String segmentId) throws IOException {
        Path manifestFile = fetchManifest(segmentId);
        String expected = SegmentManifest.read(manifestFile).videoSha256();
        Path video = cacheDir.resolve(segmentId + VIDEO_SUFFIX);
        if (Files.isRegularFile(video) && sha256Hex(video).equals(expected)) {
            return video;
        }
        download(videoKey(segmentId), video, expected);
        return video;
    }

    @Override
    public Path fetchManifest(String segmentId) throws IOException {
        checkId(segmentId);
        Path manifestFile = cacheDir.resolve(segmentId + MANIFEST_SUFFIX);
        download(manifestKey(segmentId), manifestFile, null);
        return manifestFile;
    }

    @Override
    public List<String> list() throws IOException {
        return inventory().stream().map(Stored::segmentId).toList();
    }

    @Override
    public Instant storedAt(String segmentId) throws IOException {
        checkId(segmentId);
        HeadObjectResponse head = headOrNull(videoKey(segmentId));
        if (head == null) {
            throw new NoSuchFileException("s3://" + bucket + "/" + videoKey(segmentId), null, "no such object");
        }
        return head.lastModified();
    }

    /** One listing: every segment video with its LastModified, without a HEAD per segment. */
    @Override
    public List<Stored> inventory() throws IOException {
        String listPrefix = prefix.isEmpty() ? "" : prefix + "/";
        List<Stored> stored = new ArrayList<>();
        String token = null;
        try {
            do {
                ListObjectsV2Response page = s3.listObjectsV2(ListObjectsV2Request.builder().bucket(bucket).prefix(listPrefix)
                        .delimiter("/").maxKeys(pageSize).continuationToken(token).build());
                for (S3Object object : page.contents()) {
                    String id = segmentIdOf(object.key(), listPrefix);
                    if (id != null) {
                        stored.add(new Stored(id, object.lastModified()));
                    }
                }
                token = Boolean.TRUE.equals(page.isTruncated()) ? page.nextContinuationToken() : null;
            } while (token != null);
        } catch (SdkException e) {
            throw failure("could not list", listPrefix, e);
        }
        stored.sort(java.util.Comparator.comparing(Stored::segmentId));
        return stored;
    }

    @Override
    public void delete(String segmentId) throws IOException {
        checkId(segmentId);
        for (String key : List.of(videoKey(segmentId), manifestKey(segmentId))) {
            try {
                s3.deleteObject(DeleteObjectRequest.builder().bucket(bucket).key(key).build());
            } catch (NoSuchKeyException e) {
                // already gone
            } catch (SdkException e) {
                throw failure("could not delete", key, e);
            }
        }
    }

    /** {@code s3://bucket/key} of a segment's video: what commit events and catalog entries record. */
    public String location(String segmentId) {
        return "s3://" + bucket + "/" + videoKey(segmentId);
    }

    @Override
    public byte[] readVideoRange(String segmentId, long offset, int length) throws IOException {
        checkId(segmentId);
        if (offset < 0 || length < 0) {
            throw new IllegalArgumentException("range " + offset + "+" + length);
        }
        if (length == 0) {
            return new byte[0];
        }
        return readVideo(segmentId, "bytes=" + offset + "-" + (offset + length - 1));
    }

    @Override
    public byte[] readVideoTail(String segmentId, int length) throws IOException {
        checkId(segmentId);
        if (length < 0) {
            throw new IllegalArgumentException("tail of " + length + " bytes");
        }
        return length == 0 ? new byte[0] : readVideo(segmentId, "bytes=-" + length);
    }

    private byte[] readVideo(String segmentId, String range) throws IOException {
        String key = videoKey(segmentId);
        GetObjectRequest request = GetObjectRequest.builder().bucket(bucket).key(key).range(range).build();
        try (ResponseInputStream<GetObjectResponse> object = s3.getObject(request)) {
            return object.readAllBytes();
        } catch (NoSuchKeyException e) {
            throw new NoSuchFileException("s3://" + bucket + "/" + key, null, "no such object");
        } catch (S3Exception e) {
            if (e.statusCode() == 404) {
                throw new NoSuchFileException("s3://" + bucket + "/" + key, null, "no such object");
            }
            if (e.statusCode() == 416) {
                return new byte[0];
            }
            throw failure("could not read a range of", key, e);
        } catch (SdkException e) {
            throw failure("could not read a range of", key, e);
        }
    }

    @Override
    public long videoSize(String segmentId) throws IOException {
        checkId(segmentId);
        String key = videoKey(segmentId);
        try {
            return s3.headObject(HeadObjectRequest.builder().bucket(bucket).key(key).build()).contentLength();
        } catch (NoSuchKeyException e) {
            throw new NoSuchFileException("s3://" + bucket + "/" + key, null, "no such object");
        } catch (S3Exception e) {
            if (e.statusCode() == 404) {
                throw new NoSuchFileException("s3://" + bucket + "/" + key, null, "no such object");
            }
            throw failure("could not find the size of", key, e);
        } catch (SdkException e) {
            throw failure("could not find the size of", key, e);
        }
    }

    String videoKey(String segmentId) {
        return key(segmentId + VIDEO_SUFFIX);
    }

    String manifestKey(String segmentId) {
        return key(segmentId + MANIFEST_SUFFIX);
    }

    private String key(String name) {
        return prefix.isEmpty() ? name : prefix + "/" + name;
    }

    @Override
    public void close() {
        if (ownsClient) {
            s3.close();
        }
    }

    @Override
    public String toString() {
        return "s3://" + bucket + "/" + prefix;
    }

    // ------------------------------------------------------------------------------------------------

    /**
     * Uploads {@code file} under {@code key} unless an object is there: a HEAD first (the guard on services that ignore
     * conditional writes), then a PUT with {@code If-None-Match: *}, which the service refuses (412) when the key was
     * created in between. An existing object is compared: identical bytes are stored again (a PUT conditional on its
     * ETag, so that its age restarts for gc), different bytes are a {@link SegmentConflictException}.
     */
    private void put(String key, Path file, String sha256Hex, String contentType) throws IOException {
        String checksum = base64Sha256(sha256Hex);
        long size = Files.size(file);
        HeadObjectResponse existing = headOrNull(key);
        if (existing != null) {
            storeAgain(key, file, size, sha256Hex, contentType, existing);
            return;
        }
        PutObjectResponse response;
        try {
            response = s3.putObject(PutObjectRequest.builder().bucket(bucket).key(key).contentLength(size).contentType(contentType)
                    .checksumAlgorithm(ChecksumAlgorithm.SHA256).checksumSHA256(checksum).ifNoneMatch("*").build(), RequestBody.fromFile(file));
        } catch (S3Exception e) {
            if (e.statusCode() == 412) {
                HeadObjectResponse created = headOrNull(key);
                if (created == null) {
                    throw failure("could not store (created and removed while storing)", key, e);
                }
                storeAgain(key, file, size, sha256Hex, contentType, created);
                return;
            }
            throw failure("could not store", key, e);
        } catch (SdkException e) {
            throw failure("could not store", key, e);
        }
        confirmStored(key, size, sha256Hex, checksum, response.checksumSHA256());
    }

    /** {@code key} exists: refuses other bytes, re-stores identical ones (conditional on the ETag, so nothing else is replaced). */
    private void storeAgain(String key, Path file, long size, String sha256Hex, String contentType, HeadObjectResponse existing)
            throws IOException {
        String checksum = base64Sha256(sha256Hex);
        boolean identical = checksum.equals(existing.checksumSHA256());
        if (!identical) {
            // no or another kind of checksum (multipart, older service), or other bytes: the bytes decide
            String stored = readAndHash(key);
            if (!stored.equals(sha256Hex)) {
                throw new SegmentConflictException("s3://" + bucket + "/" + key, stored, sha256Hex);
            }
        }
        PutObjectResponse response;
        try {
            response = s3.putObject(PutObjectRequest.builder().bucket(bucket).key(key).contentLength(size).contentType(contentType)
                    .checksumAlgorithm(ChecksumAlgorithm.SHA256).checksumSHA256(checksum).ifMatch(existing.eTag()).build(), RequestBody.fromFile(file));
        } catch (S3Exception e) {
            if (e.statusCode() == 412) {
                throw failure("could not store again (the object changed while it was compared; retry)", key, e);
            }
            throw failure("could not store again", key, e);
        } catch (SdkException e) {
            throw failure("could not store again", key, e);
        }
        confirmStored(key, size, sha256Hex, checksum, response.checksumSHA256());
    }

    private HeadObjectResponse headOrNull(String key) throws IOException {
        try {
            return s3.headObject(HeadObjectRequest.builder().bucket(bucket).key(key).checksumMode(ChecksumMode.ENABLED).build());
        } catch (NoSuchKeyException e) {
            return null;
        } catch (S3Exception e) {
            if (e.statusCode() == 404) {
                return null;
            }
            throw failure("could not look up", key, e);
        } catch (SdkException e) {
            throw failure("could not look up", key, e);
        }
    }

    /**
     * Confirms that the object under {@code key} is the one with the given SHA-256: by the checksum the service reports
     * (PUT response, else HEAD with checksum mode), else by reading it back. A mismatch is an error, never a warning.
     */
    private void confirmStored(String key, long size, String sha256Hex, String checksum, String reportedByPut) throws IOException {
        String reported = reportedByPut;
        if (reported == null) {
            HeadObjectResponse head;
            try {
                head = s3.headObject(HeadObjectRequest.builder().bucket(bucket).key(key).checksumMode(ChecksumMode.ENABLED).build());
            } catch (SdkException e) {
                throw failure("could not confirm", key, e);
            }
            if (head.contentLength() != null && head.contentLength() != size) {
                throw new IOException("stored s3://" + bucket + "/" + key + " has " + head.contentLength() + " bytes, " + size + " were sent");
            }
            reported = head.checksumSHA256();
        }
        if (reported != null) {
            if (!reported.equals(checksum)) {
                throw new IOException("stored s3://" + bucket + "/" + key + " has SHA-256 " + hexOfBase64(reported) + ", expected " + sha256Hex);
            }
            return;
        }
        if (!readBackNoted) {
            readBackNoted = true;
            LOG.info("the S3 service of bucket {} reports no SHA-256 checksums; every stored object is read back and hashed", bucket);
        }
        String actual = readAndHash(key);
        if (!actual.equals(sha256Hex)) {
            throw new IOException("stored s3://" + bucket + "/" + key + " reads back with SHA-256 " + actual + ", expected " + sha256Hex);
        }
    }

    private String readAndHash(String key) throws IOException {
        MessageDigest digest = sha256();
        try (InputStream in = new DigestInputStream(s3.getObject(GetObjectRequest.builder().bucket(bucket).key(key).build()), digest)) {
            in.transferTo(OutputStream.nullOutputStream());
        } catch (SdkException e) {
            throw failure("could not read back", key, e);
        }
        return HexFormat.of().formatHex(digest.digest());
    }

    /** Downloads an object to {@code target} through a hidden temporary file; refuses bytes other than {@code expectedSha256}. */
    private void download(String key, Path target, String expectedSha256) throws IOException {
        Path partial = Files.createTempFile(cacheDir, "." + target.getFileName(), ".partial");
        try {
            MessageDigest digest = sha256();
            try (ResponseInputStream<GetObjectResponse> object = s3.getObject(GetObjectRequest.builder().bucket(bucket).key(key).build());
                 InputStream in = new DigestInputStream(object, digest)) {
                Files.copy(in, partial, StandardCopyOption.REPLACE_EXISTING);
            } catch (NoSuchKeyException e) {
                throw new NoSuchFileException("s3://" + bucket + "/" + key, null, "no such object");
            } catch (S3Exception e) {
                if (e.statusCode() == 404) {
                    throw new NoSuchFileException("s3://" + bucket + "/" + key, null, "no such object");
                }
                throw failure("could not download", key, e);
            } catch (SdkException e) {
                throw failure("could not download", key, e);
            }
            String actual = HexFormat.of().formatHex(digest.digest());
            if (expectedSha256 != null && !expectedSha256.equals(actual)) {
                throw new IOException("s3://" + bucket + "/" + key + " downloads with SHA-256 " + actual + ", its manifest says " + expectedSha256);
            }
            Files.move(partial, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } finally {
            Files.deleteIfExists(partial);
        }
    }

    private IOException failure(String what, String key, SdkException e) {
        return new IOException(what + " s3://" + bucket + "/" + key + ": " + e.getMessage(), e);
    }

    // ------------------------------------------------------------------------------------------------
    // pure helpers (unit-tested)

    /** Strips slashes at both ends: {@code "/a/b/"} is {@code "a/b"}; null and blank are the top level. */
    static String normalizePrefix(String prefix) {
        if (prefix == null) {
            return "";
        }
        String p = prefix.strip();
        int from = 0;
        int to = p.length();
        while (from < to && p.charAt(from) == '/') {
            from++;
        }
        while (to > from && p.charAt(to - 1) == '/') {
            to--;
        }
        return p.substring(from, to);
    }

    /** The segment id of a listed key, or null when the key is not a segment video directly under the prefix. */
    static String segmentIdOf(String key, String listPrefix) {
        if (!key.startsWith(listPrefix)) {
            return null;
        }
        String name = key.substring(listPrefix.length());
        if (!name.endsWith(VIDEO_SUFFIX) || name.contains("/") || name.startsWith(".") || name.length() == VIDEO_SUFFIX.length()) {
            return null;
        }
        return name.substring(0, name.length() - VIDEO_SUFFIX.length());
    }

    /** The {@code x-amz-checksum-sha256} value of a lowercase hex SHA-256: base64 of its 32 bytes. */
    static String base64Sha256(String sha256Hex) {
        if (sha256Hex == null || sha256Hex.length() != 64 || !sha256Hex.chars().allMatch(c -> (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) {
            throw new IllegalArgumentException("not a lowercase hex SHA-256: " + sha256Hex);
        }
        return Base64.getEncoder().encodeToString(HexFormat.of().parseHex(sha256Hex));
    }

    static String hexOfBase64(String base64) {
        try {
            return HexFormat.of().formatHex(Base64.getDecoder().decode(base64));
        } catch (IllegalArgumentException e) {
            return base64;
        }
    }

    /** Segment ids become object keys and cache file names: nothing that could leave the prefix or the directory. */
    static void checkId(String segmentId) {
        if (segmentId == null || segmentId.isEmpty() || segmentId.contains("/") || segmentId.contains("\\")
                || segmentId.startsWith(".") || segmentId.chars().anyMatch(Character::isISOControl)) {
            throw new IllegalArgumentException("not a segment id: " + segmentId);
        }
    }

    static String sha256Hex(Path file) throws IOException {
        MessageDigest digest = sha256();
        try (InputStream in = new DigestInputStream(Files.newInputStream(file), digest)) {
            in.transferTo(OutputStream.nullOutputStream());
        }
        return HexFormat.of().formatHex(digest.digest());
    }

    private static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JVM ships SHA-256", e);
        }
    }
}
