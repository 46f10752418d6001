package io.coldframe.bench.archiveread;

import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;

import org.gaul.s3proxy.S3Proxy;
import org.gaul.s3proxy.auth.AuthenticationType;
import org.gaul.s3proxy.nio2blob.FilesystemNio2BlobStore;

import io.coldframe.store.SegmentStoreConfig;
import io.coldframe.store.SegmentStores;

/**
 * An S3-compatible server in this JVM (S3Proxy, as the S3 store's tests use), on a directory rather than in memory so an
 * archive of a million memories does not live on the heap. Reads and writes go through the real S3 protocol.
 */
final class InJvmS3 implements AutoCloseable {

    private static final String ACCESS_KEY = "coldframe-bench";
    private static final String SECRET_KEY = "coldframe-bench-secret";
    static final String BUCKET = "segments";

    private final S3Proxy proxy;

    InJvmS3(Path dir) throws Exception {
        Files.createDirectories(dir.resolve(BUCKET));
        proxy = S3Proxy.builder().blobStore(new FilesystemNio2BlobStore(dir.toString())).endpoint(URI.create("http://127.0.0.1:0"))
                .awsAuthentication(AuthenticationType.AWS_V2_OR_V4, ACCESS_KEY, SECRET_KEY).stopTimeout(0).build();
        proxy.start();
        long deadline = System.nanoTime() + 30_000_000_000L;
        while (!"STARTED".equals(proxy.getState())) {
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("S3Proxy did not start within 30 s (state " + proxy.getState() + ")");
            }
            Thread.sleep(10);
        }
    }

    /** The segment-store keys of a store on this server, as a deployment would set them. */
    Map<String, Object> storeKeys(Path cacheDir) {
        Map<String, Object> keys = new HashMap<>();
        keys.put(SegmentStoreConfig.STORE_TYPE, SegmentStores.S3);
        keys.put(SegmentStoreConfig.S3_BUCKET, BUCKET);
        keys.put(SegmentStoreConfig.S3_ENDPOINT, "http://127.0.0.1:" + proxy.getPort());
        keys.put(SegmentStoreConfig.S3_ACCESS_KEY, ACCESS_KEY);
        keys.put(SegmentStoreConfig.S3_SECRET_KEY, SECRET_KEY);
        keys.put(SegmentStoreConfig.S3_CACHE_DIR, cacheDir.toString());
        return keys;
    }

    @Override
    public void close() throws Exception {
        proxy.stop();
    }
}
