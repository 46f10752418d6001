package io.coldframe.store;

import java.io.Closeable;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;

import io.coldframe.segment.SegmentManifest;

/**
 * Where verified segments live durably: a video and its manifest per segment id. Implementations must make
 * {@link #store} all-or-nothing and durable on return, and must guarantee that the stored video is byte for byte
 * the verified one (checked against its SHA-256), so that a commit event never points at anything else.
 */
public interface SegmentStore extends Closeable {

    /**
     * Stores the staged files of a segment. Storing the same segment id again replaces it with identical content,
     * so replays are harmless.
     *
     * @param videoSha256 lowercase hex SHA-256 the stored video must have
     * @return the URI of the stored video
     */
    String store(String segmentId, Path stagedVideo, Path stagedManifest, String videoSha256) throws IOException;

    boolean contains(String segmentId) throws IOException;

    /** A local file of the stored video, with its manifest beside it, for reading the segment. */
    Path fetch(String segmentId) throws IOException;

    /** Every stored segment id, sorted. */
    List<String> list() throws IOException;

    /**
     * A local file of the stored manifest alone, for reading what a segment holds without its video (a scan of all
     * manifests, the catalog of last resort). By default the manifest beside {@link #fetch}.
     */
    default Path fetchManifest(String segmentId) throws IOException {
        return SegmentManifest.pathBeside(fetch(segmentId));
    }

    /** Releases what the store holds open (clients, connections); a local directory holds nothing. */
    @Override
    default void close() throws IOException {
    }
}
