package io.coldframe.segment;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * Reads a segment back: full verification, one record by id (decoding only the frames of its block and,
 * for v2, of the index), or all records. Reads both format versions: v2 from the video alone (a sidecar
 * beside it, if present, is only used to check the video file), v1 from the video and its manifest. Not
 * meant for concurrent use from several threads (methods are synchronized).
 */
public final class SegmentReader implements AutoCloseable {
    /** What each format version's reader does. */
    interface Impl extends AutoCloseable {
        SegmentManifest manifest();

        Optional<SegmentRecord> get(String memoryId) throws IOException;

        Stream<SegmentRecord> records() throws IOException;

        List<SegmentRecord> block(int blockIndex) throws IOException;

        /** A block's records, decoded when asked for; by default all of them, decoded at once. */
        default BlockRecords blockRecords(int blockIndex) throws IOException {
            java.util.Map<String, SegmentRecord> byId = new java.util.HashMap<>();
            long bytes = 0;
            for (SegmentRecord record : block(blockIndex)) {
                byId.put(record.memoryId(), record); // the last version written wins
                bytes += record.document() instanceof org.bson.RawBsonDocument raw ? raw.getByteBuffer().remaining() : 1024;
            }
            long held = bytes;
            return new BlockRecords() {
                @Override
                public Optional<SegmentRecord> get(String memoryId) {
                    return Optional.ofNullable(byId.get(memoryId));
                }

                @Override
                public long bytes() {
                    return held;
                }
            };
        }

        VerificationReport verify();

        int framesDecoded();

        List<String> repairs();

        @Override
        void close();
    }

    private final Impl impl;

    private SegmentReader(Impl impl) {
        this.impl = impl;
    }

    /** Opens a segment video (v2: from the video alone; v1: with its manifest beside it). */
    public static SegmentReader open(Path videoFile) throws IOException {
        return open(videoFile, SegmentOptions.defaults());
    }

    /** As {@link #open(Path)}, with the thread count of the given options. */
    public static SegmentReader open(Path videoFile, SegmentOptions options) throws IOException {
        if (!Files.isRegularFile(videoFile)) {
            throw new SegmentFormatException("segment video not found: " + videoFile);
        }
        Path sidecarFile = SegmentManifest.pathBeside(videoFile);
        SegmentManifest sidecar = Files.isRegularFile(sidecarFile) ? SegmentManifest.read(sidecarFile) : null;
        if (sidecar != null && sidecar.formatVersion() == SegmentManifest.V1) {
            SegmentManifest.Video v = sidecar.video();
            if (v.width() != v.height() || v.width() != QrCodec.sideFor(v.moduleSizePx(), v.quietZoneModules())) {
                throw new SegmentFormatException("segment manifest " + sidecarFile + ": frame size " + v.width() + "x"
                        + v.height() + " does not match its QR geometry");
            }
            return new SegmentReader(new SegmentReaderV1(videoFile, sidecar, options.threads()));
        }
        return new SegmentReader(SegmentReaderV2.open(videoFile, sidecar, options.threads()));
    }

    public SegmentManifest manifest() {
        return impl.manifest();
    }

    /**
     * The record with this memory id (the last one written, if the segment holds several versions).
     * Decodes only the frames of that record's block; a damaged frame is rebuilt from its parity group
     * when it can be.
     *
     * @throws SegmentFormatException if the video is damaged where the record lies beyond repair
     */
    public Optional<SegmentRecord> get(String memoryId) throws IOException {
        return impl.get(memoryId);
    }

    /**
     * All records in write order; a record repeating an earlier memory id and version is skipped.
     * Lazy: blocks are decoded as the stream reaches them. Damage beyond repair surfaces as
     * UncheckedIOException wrapping a SegmentFormatException.
     */
    public Stream<SegmentRecord> records() throws IOException {
        return impl.records();
    }

    /**
     * The records of one block, in write order, decoding only that block's frames (and, for v2, the index's): what a
     * reader that fetched just those frames of a stored video can answer.
     *
     * @throws SegmentFormatException if the block is damaged beyond repair, or there is no such block
     */
    public List<SegmentRecord> block(int blockIndex) throws IOException {
        return impl.block(blockIndex);
    }

    /**
     * As {@link #block}, but decoding each record only when it is asked for: a get from a block just read costs the
     * frames and decompression of the block and the decode of one record, not of every record in it.
     *
     * @throws SegmentFormatException if the block is damaged beyond repair, or there is no such block
     */
    public BlockRecords blockRecords(int blockIndex) throws IOException {
        return impl.blockRecords(blockIndex);
    }

    /**
     * Reads every frame, rebuilds what parity allows, decompresses and re-hashes every block and record.
     * Never throws for bad data: every problem found becomes a line of the report, every repair too.
     */
    public VerificationReport verify() {
        return impl.verify();
    }

    /**
     * What reads by this reader repaired so far (v2: frames rebuilt from their parity group, one line each,
     * naming the frame and why it was unusable); also logged as warnings. Empty for v1 segments.
     */
    public List<String> repairs() {
        return impl.repairs();
    }

    /** QR decodes attempted so far (tests use it to check that get() touches only one block's frames). */
    int framesDecoded() {
        return impl.framesDecoded();
    }

    @Override
    public void close() {
        impl.close();
    }
}
