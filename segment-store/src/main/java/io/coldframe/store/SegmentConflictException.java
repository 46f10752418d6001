package io.coldframe.store;

import java.io.IOException;

/**
 * A store refused to replace a stored object with different bytes: the segment id is taken by another segment. Nothing
 * was changed. For the archiver this is never retried into success: it means two segments got the same id (a topic
 * recreated without a new topic id, two deployments sharing a bucket prefix), which an operator must look at.
 */
public final class SegmentConflictException extends IOException {

    private static final long serialVersionUID = 1L;
    private final String object;

    public SegmentConflictException(String object, String existingSha256, String newSha256) {
        super("refusing to replace " + object + ": it is stored with SHA-256 " + existingSha256 + ", the new bytes hash to " + newSha256
                + " (a stored segment is never replaced with different bytes; two segments have the same id)");
        this.object = object;
    }

    /** The object (file or s3:// key) that is stored with other bytes. */
    public String object() {
        return object;
    }
}
