package io.coldframe.store;

import java.io.IOException;
import java.net.URI;
import java.net.URISyntaxException;

import org.apache.kafka.common.config.AbstractConfig;

/** The segment store an configuration names ({@value SegmentStoreConfig#STORE_TYPE}). */
public final class SegmentStores {

    /** A local (or mounted) directory: {@link LocalDirectorySegmentStore}. */
    public static final String LOCAL = "local";
    /** An S3-compatible bucket: {@link S3SegmentStore}. */
    public static final String S3 = "s3";

    private SegmentStores() {
    }

    /** Opens the configured store; close it when done (an S3 store holds an HTTP client). */
    public static SegmentStore create(AbstractConfig config) throws IOException {
        String type = config.getString(SegmentStoreConfig.STORE_TYPE);
        return switch (type) {
            case LOCAL -> new LocalDirectorySegmentStore(SegmentStoreConfig.storeDir(config));
            case S3 -> S3SegmentStore.create(config);
            default -> throw new IllegalArgumentException("unknown " + SegmentStoreConfig.STORE_TYPE + ": " + type);
        };
    }

    /** Where the configured store is, for messages: a directory or {@code s3://bucket/prefix}; never credentials. */
    public static String describe(AbstractConfig config) {
        if (S3.equals(config.getString(SegmentStoreConfig.STORE_TYPE))) {
            String prefix = S3SegmentStore.normalizePrefix(config.getString(SegmentStoreConfig.S3_PREFIX));
            String endpoint = withoutUserInfo(config.getString(SegmentStoreConfig.S3_ENDPOINT).strip());
            return "s3://" + config.getString(SegmentStoreConfig.S3_BUCKET) + "/" + prefix + (endpoint.isEmpty() ? "" : " at " + endpoint);
        }
        return SegmentStoreConfig.storeDir(config).toAbsolutePath().toString();
    }

    private static String withoutUserInfo(String endpoint) {
        try {
            URI uri = new URI(endpoint);
            return uri.getRawUserInfo() == null ? endpoint
                    : new URI(uri.getScheme(), null, uri.getHost(), uri.getPort(), uri.getPath(), null, null).toString();
        } catch (URISyntaxException e) {
            return "(endpoint not a URL)";
        }
    }
}
