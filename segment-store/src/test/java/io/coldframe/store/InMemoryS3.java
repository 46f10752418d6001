package io.coldframe.store;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import software.amazon.awssdk.core.ResponseInputStream;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.http.AbortableInputStream;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.DeleteObjectRequest;
import software.amazon.awssdk.services.s3.model.DeleteObjectResponse;
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

/**
 * A bucket in memory behind the SDK's own client interface, with S3's behaviour where the store relies on it: an
 * upload whose bytes do not match its {@code x-amz-checksum-sha256} is rejected (BadDigest), HEAD and PUT report the
 * stored SHA-256, listings come in pages of at most max-keys with a continuation token. Switches simulate a service
 * without checksums and a service that damages what it stores.
 */
final class InMemoryS3 implements S3Client {

    final Map<String, byte[]> objects = new TreeMap<>();
    final Map<String, String> checksums = new TreeMap<>();
    final List<String> calls = new ArrayList<>();
    /** false: the service neither validates nor reports checksums (an older S3-compatible server). */
    boolean checksums256 = true;
    /** Flips a byte of every object as it is received: a damaged transfer. */
    boolean damageInTransit;
    /** Flips a byte of every object after storing it: what only a read-back can notice without checksums. */
    boolean damageAtRest;
    /** false: the service ignores If-None-Match and If-Match on PUT (older S3-compatible servers) and replaces silently. */
    boolean conditionalWrites = true;
    /** Runs before each PUT is applied: another writer acting between the store's HEAD and its PUT. */
    Runnable beforePut = () -> { };
    final Map<String, Instant> lastModified = new TreeMap<>();
    final Map<String, String> etags = new TreeMap<>();
    private long clock = 1_700_000_000_000L;
    private long versions;

    @Override
    public String serviceName() {
        return "s3";
    }

    @Override
    public void close() {
    }

    @Override
    public PutObjectResponse putObject(PutObjectRequest request, RequestBody body) {
        calls.add("PUT " + request.key());
        byte[] bytes;
        try (InputStream in = body.contentStreamProvider().newStream()) {
            bytes = in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        beforePut.run();
        if (conditionalWrites && "*".equals(request.ifNoneMatch()) && objects.containsKey(request.key())) {
            throw (S3Exception) S3Exception.builder().statusCode(412).message("PreconditionFailed: At least one of the pre-conditions you specified did not hold").build();
        }
        if (conditionalWrites && request.ifMatch() != null && !request.ifMatch().equals(etags.get(request.key()))) {
            throw (S3Exception) S3Exception.builder().statusCode(412).message("PreconditionFailed: If-Match").build();
        }
        if (damageInTransit) {
            bytes[bytes.length / 2] ^= 1;
        }
        String actual = sha256Base64(bytes);
        if (checksums256 && request.checksumSHA256() != null && !request.checksumSHA256().equals(actual)) {
            throw (S3Exception) S3Exception.builder().statusCode(400).message("BadDigest: the SHA256 you specified did not match the calculated checksum").build();
        }
        if (damageAtRest) {
            bytes[0] ^= 1;
        }
        put(request.key(), bytes);
        checksums.put(request.key(), actual);
        return PutObjectResponse.builder().eTag(etags.get(request.key())).checksumSHA256(checksums256 ? actual : null).build();
    }

    /** Stores an object as the service would (as if written by someone else), with a new ETag and LastModified. */
    void put(String key, byte[] bytes) {
        objects.put(key, bytes);
        checksums.put(key, sha256Base64(bytes));
        etags.put(key, "\"v" + (++versions) + "\"");
        lastModified.put(key, Instant.ofEpochMilli(clock += 1000));
    }

    @Override
    public DeleteObjectResponse deleteObject(DeleteObjectRequest request) {
        calls.add("DELETE " + request.key());
        objects.remove(request.key());
        checksums.remove(request.key());
        etags.remove(request.key());
        lastModified.remove(request.key());
        return DeleteObjectResponse.builder().build();
    }

    @Override
    public HeadObjectResponse headObject(HeadObjectRequest request) {
        calls.add("HEAD " + request.key());
        byte[] bytes = objects.get(request.key());
        if (bytes == null) {
            throw NoSuchKeyException.builder().statusCode(404).message("no such key").build();
        }
        return HeadObjectResponse.builder().contentLength((long) bytes.length).eTag(etags.get(request.key()))
                .lastModified(lastModified.get(request.key()))
                .checksumSHA256(checksums256 ? checksums.get(request.key()) : null).build();
    }

    @Override
    public ResponseInputStream<GetObjectResponse> getObject(GetObjectRequest request) {
        calls.add("GET " + request.key());
        byte[] bytes = objects.get(request.key());
        if (bytes == null) {
            throw NoSuchKeyException.builder().statusCode(404).message("no such key").build();
        }
        return new ResponseInputStream<>(GetObjectResponse.builder().contentLength((long) bytes.length).build(),
                AbortableInputStream.create(new ByteArrayInputStream(bytes.clone())));
    }

    @Override
    public ListObjectsV2Response listObjectsV2(ListObjectsV2Request request) {
        calls.add("LIST " + request.prefix() + " after " + request.continuationToken());
        String prefix = request.prefix() == null ? "" : request.prefix();
        List<S3Object> page = new ArrayList<>();
        String last = null;
        boolean truncated = false;
        for (String key : objects.keySet()) {
            if (!key.startsWith(prefix) || (request.continuationToken() != null && key.compareTo(request.continuationToken()) <= 0)) {
                continue;
            }
            if (request.delimiter() != null && key.substring(prefix.length()).contains(request.delimiter())) {
                continue; // a common prefix, not an object of this level
            }
            if (page.size() == request.maxKeys()) {
                truncated = true;
                break;
            }
            page.add(S3Object.builder().key(key).size((long) objects.get(key).length).lastModified(lastModified.get(key)).build());
            last = key;
        }
        return ListObjectsV2Response.builder().contents(page).isTruncated(truncated).nextContinuationToken(truncated ? last : null).build();
    }

    long callsStartingWith(String prefix) {
        return calls.stream().filter(call -> call.startsWith(prefix)).count();
    }

    static String sha256Base64(byte[] bytes) {
        try {
            return Base64.getEncoder().encodeToString(MessageDigest.getInstance("SHA-256").digest(bytes));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
