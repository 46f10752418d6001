package io.coldframe.archive;

import java.util.List;

/**
 * What {@code coldframe import} did: documents {@code read} = {@code inserted} + {@code updated} + {@code unchanged}
 * + {@code rejected}; each rejection with file, line, memory id and field where known and the reason; each file's
 * size and SHA-256; and the parity of source and collection.
 */
public record ImportReport(boolean dryRun, long read, long inserted, long updated, long unchanged, long rejected,
        List<Rejection> rejections, List<FileDigest> files, Parity parity) {

    /** A document, line or element not imported, and why. */
    public record Rejection(String file, long line, String id, String field, String reason) {
    }

    /** One input file: path, bytes and SHA-256 of its bytes. */
    public record FileDigest(String file, long bytes, String sha256) {
    }

    /**
     * The source's distinct documents (the last version read of each {@code _id}, rejected ones left out) against the
     * collection's documents with those ids: counts, and checksums over {@code id version} lines sorted by id (the
     * version being the SHA-256 of the document's BSON); {@code missing} not in the collection, {@code different}
     * there with other bytes (changed since, or a dry run).
     */
    public record Parity(long sourceDocuments, String sourceChecksum, long collectionDocuments, String collectionChecksum,
            long missing, long different, boolean match) {
    }

    /** Nothing was written: every document read was already there byte for byte (or rejected). */
    public boolean changedNothing() {
        return inserted == 0 && updated == 0;
    }
}
