package io.coldframe.archiver;

import java.io.IOException;

/** A freshly written segment did not read back as exactly what was written: it must never be committed. */
final class SegmentVerificationException extends IOException {

    SegmentVerificationException(String segmentId, String problem) {
        super("segment " + segmentId + " failed read-back verification: " + problem);
    }
}
