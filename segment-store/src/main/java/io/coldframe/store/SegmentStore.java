package io.coldframe.store;

import java.io.Closeable;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

import io.coldframe.segment.SegmentManifest;

/**
 * Where verified segments live durably: a video and its manifest per segment id. Implementations must make
 * {@link #store} all-or-nothing and durable on return, and must guarantee that the stored video is byte for byte
 * the verified one (checked against its SHA-256), so that a commit event never points at anything else.
 *
 * <p><b>No replace.</b> A store never replaces an object (video or manifest) with different bytes: once a segment id is
 * stored, its bytes are fixed until {@link #delete}. Storing identical bytes again is accepted (a replay is harmless)
 * and refreshes the segment's {@link #storedAt} time; different bytes under a stored id fail with
 * {@link SegmentConflictException} and leave the stored object as it was. Where the service allows it the refusal is
 * atomic (local: a hard link, which fails on an existing name; S3: {@code If-None-Match: *}); the compare-before-write
 * that backs it up is the only guard on services that ignore conditional writes.
 */
public interface SegmentStore extends Closeable {

    /**
     * Stores the staged files of a segment. Storing the same segment id again with identical content keeps the stored
     * objects (and refreshes {@link #storedAt}), so replays are harmless; different content is refused.
     *
     * @param videoSha256 lowercase hex SHA-256 the stored video must have
     * @return the URI of the stored video
     * @throws SegmentConflictException when an object of this segment id exists with other bytes; nothing is changed
     */
    String store(String segmentId, Path stagedVideo, Path stagedManifest, String videoSha256) throws IOException;

    boolean contains(String segmentId) throws IOException;

    /** A local file of the stored video, with its manifest beside it, for reading the segment. */
    Path fetch(String segmentId) throws IOException;

    /** Every stored segment id, sorted. */
    List<String> list() throws IOException;

    /**
     * When the segment's video was last stored: its first store, or the latest replay that stored identical bytes. The
     * age {@code coldframe gc} compares with its grace period.
     *
     * @throws java.nio.file.NoSuchFileException when no video of that id is stored
     */
    Instant storedAt(String segmentId) throws IOException;

    /** Every stored segment with its {@link #storedAt} time, sorted by id. By default one {@link #storedAt} per id. */
    default List<Stored> inventory() throws IOException {
        List<Stored> stored = new ArrayList<>();
        for (String id : list()) {
            try {
                stored.add(new Stored(id, storedAt(id)));
            } catch (java.nio.file.NoSuchFileException gone) {
                // deleted since the listing
            }
        }
        return stored;
    }

    /**
     * Removes a segment: its video first (so it stops being listed), then its manifest. Removing a segment that is not
     * stored is no error. Only {@code coldframe gc} (for segments no catalog entry references) and the segment rewrite
     * (for a segment whose records are stored elsewhere and the catalog points there: {@code docs/lifecycle.md}) call this.
     */
    void delete(String segmentId) throws IOException;

    /**
     * A local file of the stored manifest (sidecar) alone: its totals and the video's size and SHA-256, without the
     * video. By default the manifest beside {@link #fetch}. For what a segment holds, see {@link #manifest}.
     */
    default Path fetchManifest(String segmentId) throws IOException {
        return SegmentManifest.pathBeside(fetch(segmentId));
    }

    /**
     * What the segment holds, entries included: a v1 manifest alone answers; a v2 segment keeps its index in the video
     * (the sidecar has only totals), so its video is fetched and read.
     */
    default SegmentManifest manifest(String segmentId) throws IOException {
        SegmentManifest sidecar = SegmentManifest.read(fetchManifest(segmentId));
        return sidecar.formatVersion() == SegmentManifest.V1 ? sidecar : SegmentManifest.read(SegmentManifest.pathBeside(fetch(segmentId)));
    }

    /**
     * {@code length} bytes of the stored video from byte {@code offset} (fewer only at the end of the video): the bytes
     * of some frames, without fetching the whole video. Local stores seek in the file, S3 stores send a ranged GET.
     * The bytes are not checked here: the segment reader checks every frame and record it decodes from them.
     *
     * @throws java.nio.file.NoSuchFileException when no video of that id is stored
     */
    byte[] readVideoRange(String segmentId, long offset, int length) throws IOException;

    /** Size in bytes of the stored video. */
    long videoSize(String segmentId) throws IOException;

    /**
     * The last {@code length} bytes of the stored video (all of it when shorter): where a container keeps its index.
     * By default its size, then a range; S3 asks for the suffix in one request.
     *
     * @throws java.nio.file.NoSuchFileException when no video of that id is stored
     */
    default byte[] readVideoTail(String segmentId, int length) throws IOException {
        long size = videoSize(segmentId);
        long from = Math.max(0, size - length);
        return readVideoRange(segmentId, from, (int) (size - from));
    }

    /** Releases what the store holds open (clients, connections); a local directory holds nothing. */
    @Override
    default void close() throws IOException {
    }

    /** A stored segment and when it was last stored. */
    record Stored(String segmentId, Instant storedAt) {
    }
}
