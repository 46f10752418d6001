package io.coldframe.segment;

import java.util.Objects;
import org.bson.BsonDocument;

/**
 * One archived memory document.
 *
 * @param memoryId canonical Extended JSON of the document's {@code _id} value; opaque to this module
 * @param version  lowercase hex SHA-256 of the document's exact BSON bytes (see {@link #versionOf})
 * @param document the document; records read back from a segment carry an immutable
 *                 {@link org.bson.RawBsonDocument} holding exactly the archived bytes
 */
public record SegmentRecord(String memoryId, String version, BsonDocument document) {

    public SegmentRecord {
        Objects.requireNonNull(memoryId, "memoryId");
        Objects.requireNonNull(version, "version");
        Objects.requireNonNull(document, "document");
        if (!Hashes.isSha256Hex(version)) {
            throw new IllegalArgumentException("version must be 64 lowercase hex digits (SHA-256), got: " + version);
        }
    }

    /** A record whose version is computed from the document. */
    public static SegmentRecord of(String memoryId, BsonDocument document) {
        return new SegmentRecord(memoryId, versionOf(document), document);
    }

    /** Lowercase hex SHA-256 of the document's exact BSON bytes (key order as in the document). */
    public static String versionOf(BsonDocument document) {
        return Hashes.sha256Hex(BsonBytes.of(document));
    }
}
