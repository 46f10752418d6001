package io.coldframe.segment;

import java.util.List;

/**
 * Outcome of {@link SegmentReader#verify()}.
 *
 * @param ok              true only if every frame, block and record checked out and the video file is the
 *                        one the manifest describes
 * @param framesRead      frames read from the video (decodable or not)
 * @param recordsVerified manifest entries whose document was decoded and matched its version
 * @param problems        one line per problem, naming the frame number, block index or memory id
 */
public record VerificationReport(String segmentId, boolean ok, int framesRead, int recordsVerified,
        List<String> problems) {

    public VerificationReport {
        problems = List.copyOf(problems);
    }
}
