package io.coldframe.segment;

import java.util.List;

/**
 * Outcome of {@link SegmentReader#verify()}.
 *
 * @param ok              true only if every frame, block and record checked out, after repairs: every record
 *                        of the segment was decoded and matched its hashes
 * @param framesRead      frames read from the video (decodable or not)
 * @param recordsVerified records whose document was decoded and matched the block and segment hashes
 *                        (v1: the manifest's version)
 * @param problems        one line per problem that could not be repaired, naming the frame, block or record
 * @param repairs         one line per damage found and worked around (v2): frames rebuilt from their parity
 *                        group, a video file that differs from its sidecar while its contents verify
 */
public record VerificationReport(String segmentId, boolean ok, int framesRead, int recordsVerified,
        List<String> problems, List<String> repairs) {

    public VerificationReport {
        problems = List.copyOf(problems);
        repairs = List.copyOf(repairs);
    }

    /** A report without repairs (format v1 has no parity). */
    public VerificationReport(String segmentId, boolean ok, int framesRead, int recordsVerified, List<String> problems) {
        this(segmentId, ok, framesRead, recordsVerified, problems, List.of());
    }

    /** ok and nothing needed repair: the stored file is exactly as written. */
    public boolean clean() {
        return ok && repairs.isEmpty();
    }
}
