package io.coldframe.segment;

import java.io.IOException;

/**
 * A segment (video, manifest or one of its frames/blocks/records) is missing, truncated, corrupt or of a
 * format version this code does not read. The message always names the file and, where known, the frame
 * number, block index or memory id, so an operator can tell which archive is damaged and where.
 */
public class SegmentFormatException extends IOException {
    private static final long serialVersionUID = 1L;

    public SegmentFormatException(String message) {
        super(message);
    }

    public SegmentFormatException(String message, Throwable cause) {
        super(message, cause);
    }
}
