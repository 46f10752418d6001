package io.coldframe.segment;

/**
 * Writer (and reader) settings. None of these is needed to read a segment back: everything a reader
 * needs is in the video (format v2) or the manifest (format v1).
 */
public final class SegmentOptions {
    /**
     * Default zstd level. Format v2 with field pools, 1 MiB blocks, 6,000 documents in segments of 2,000 (stored
     * B/doc; encode + full verify docs per CPU-second on the busy 2-core box): chat memories level 17 = 158.9 at
     * ~4,400, level 19 = 157.4 at ~2,800; the demo's memories 824.0 at ~2,800 and 826.8 at ~1,850-2,150. Level 19
     * buys under 1% for 50% more CPU and brings the demo corpus near the 2,000 docs per CPU-second target;
     * decompression speed barely depends on the level.
     */
    public static final int DEFAULT_ZSTD_LEVEL = 17;
    /**
     * Default block compression: zstd, with bzip2 for a block's text section. zstd alone and LZMA2 (preset 6) are
     * options; measured in docs/segment-format.md section V2.11.
     */
    public static final BlockCompression DEFAULT_BLOCK_COMPRESSION = BlockCompression.ZSTD_BZIP2;
    /**
     * Default uncompressed block size target: bigger blocks compress better (chat memories at level 19: 256 KiB
     * 216.7 B/doc stored, 1 MiB 201.4, the whole segment 196.1, before field pools) but get(id) decodes a whole
     * block (1 MiB of chat memories: ~35 frames, p95 ~30-40 ms on a fresh reader including the index).
     */
    public static final int DEFAULT_BLOCK_TARGET_BYTES = 1024 * 1024;
    /**
     * Default quiet zone: none. Frames are read by sampling the known module grid (with zxing's Reed-Solomon
     * decoder on that grid for damaged modules) and rebuilt from parity when unreadable; a lossless frame never
     * moves, so the white border zxing's detectors want is not needed. 5,000 chat memories: 4,385 bytes per
     * frame with 2 modules, 4,351 with none (-0.8% stored); the 178-pixel side keeps FFmpeg's even size.
     */
    public static final int DEFAULT_QUIET_ZONE_MODULES = 0;
    /** Default parity group: 15 data frames and 1 parity frame (6.7% more frames; any one lost frame in 16 rebuilt). */
    public static final int DEFAULT_PARITY_GROUP_FRAMES = 16;
    /**
     * System property: FFmpeg's own stderr logging while segments are written or read ({@code quiet}, {@code error}
     * (default), {@code warning}, {@code info}, {@code debug}). Damage FFmpeg complains about surfaces anyway as a
     * {@link SegmentFormatException} or verification problem naming file and frame; command-line tools use {@code quiet}.
     */
    public static final String FFMPEG_LOG_LEVEL_PROPERTY = "coldframe.segment.ffmpegLogLevel";

    private final int zstdLevel;
    private final BlockCompression blockCompression;
    private final int blockTargetBytes;
    private final VideoCodec codec;
    private final int moduleSizePx;
    private final int quietZoneModules;
    private final int maskPattern;
    private final int threads;
    private final boolean allowLossy;
    private final int parityGroupFrames;
    private final int parityFrames;
    private final boolean writeSidecar;

    private SegmentOptions(Builder b) {
        this.zstdLevel = b.zstdLevel;
        this.blockCompression = b.blockCompression;
        this.blockTargetBytes = b.blockTargetBytes;
        this.codec = b.codec;
        this.moduleSizePx = b.moduleSizePx;
        this.quietZoneModules = b.quietZoneModules;
        this.maskPattern = b.maskPattern;
        this.threads = b.threads;
        this.allowLossy = b.allowLossy;
        this.parityGroupFrames = b.parityGroupFrames;
        this.parityFrames = b.parityFrames;
        this.writeSidecar = b.writeSidecar;
    }

    public static SegmentOptions defaults() {
        return builder().build();
    }

    public static Builder builder() {
        return new Builder();
    }

    public Builder toBuilder() {
        Builder b = new Builder();
        b.zstdLevel = zstdLevel;
        b.blockCompression = blockCompression;
        b.blockTargetBytes = blockTargetBytes;
        b.codec = codec;
        b.moduleSizePx = moduleSizePx;
        b.quietZoneModules = quietZoneModules;
        b.maskPattern = maskPattern;
        b.threads = threads;
        b.allowLossy = allowLossy;
        b.parityGroupFrames = parityGroupFrames;
        b.parityFrames = parityFrames;
        b.writeSidecar = writeSidecar;
        return b;
    }

    public int zstdLevel() {
        return zstdLevel;
    }

    /** How blocks are compressed (default zstd at {@link #zstdLevel()}). */
    public BlockCompression blockCompression() {
        return blockCompression;
    }

    public int blockTargetBytes() {
        return blockTargetBytes;
    }

    public VideoCodec codec() {
        return codec;
    }

    public int moduleSizePx() {
        return moduleSizePx;
    }

    public int quietZoneModules() {
        return quietZoneModules;
    }

    public int maskPattern() {
        return maskPattern;
    }

    public int threads() {
        return threads;
    }

    public boolean allowLossy() {
        return allowLossy;
    }

    /** Frames per parity group, data and parity together (default 16). */
    public int parityGroupFrames() {
        return parityGroupFrames;
    }

    /** Parity frames per group: this many lost or damaged frames of a group are rebuilt on read (default 1). */
    public int parityFrames() {
        return parityFrames;
    }

    /** Whether the writer puts the small JSON sidecar {@code <id>.manifest.json} beside the video (default true). */
    public boolean writeSidecar() {
        return writeSidecar;
    }

    @Override
    public String toString() {
        return "SegmentOptions{zstdLevel=" + zstdLevel + ", blockCompression=" + blockCompression.configName()
                + ", blockTargetBytes=" + blockTargetBytes + ", codec=" + codec
                + ", moduleSizePx=" + moduleSizePx + ", quietZoneModules=" + quietZoneModules + ", maskPattern="
                + maskPattern + ", threads=" + threads + ", allowLossy=" + allowLossy + ", parityGroupFrames="
                + parityGroupFrames + ", parityFrames=" + parityFrames + ", writeSidecar=" + writeSidecar + "}";
    }

    public static final class Builder {
        private int zstdLevel = DEFAULT_ZSTD_LEVEL;
        private BlockCompression blockCompression = DEFAULT_BLOCK_COMPRESSION;
        private int blockTargetBytes = DEFAULT_BLOCK_TARGET_BYTES;
        private VideoCodec codec = VideoCodec.PNG_MONO;
        private int moduleSizePx = 1;
        private int quietZoneModules = DEFAULT_QUIET_ZONE_MODULES;
        private int maskPattern = 0;
        private int threads = Math.max(1, Math.min(4, Runtime.getRuntime().availableProcessors()));
        private boolean allowLossy;
        private int parityGroupFrames = DEFAULT_PARITY_GROUP_FRAMES;
        private int parityFrames = 1;
        private boolean writeSidecar = true;

        private Builder() {
        }

        /** zstd level 1..22 for blocks. Higher packs tighter and compresses slower; decompression speed barely changes. */
        public Builder zstdLevel(int level) {
            if (level < 1 || level > 22) {
                throw new IllegalArgumentException("zstdLevel must be 1..22, got " + level);
            }
            this.zstdLevel = level;
            return this;
        }

        /** zstd (default) or LZMA2 for the blocks; readers take each block's codec from the index. */
        public Builder blockCompression(BlockCompression compression) {
            this.blockCompression = java.util.Objects.requireNonNull(compression, "blockCompression");
            return this;
        }

        /**
         * Uncompressed bytes per block (records are never split across blocks; a larger record makes its
         * own block). Bigger blocks compress better; {@code get(id)} decodes a whole block.
         */
        public Builder blockTargetBytes(int bytes) {
            if (bytes < 1024 || bytes > 64 * 1024 * 1024) {
                throw new IllegalArgumentException("blockTargetBytes must be 1 KiB..64 MiB, got " + bytes);
            }
            this.blockTargetBytes = bytes;
            return this;
        }

        public Builder codec(VideoCodec codec) {
            this.codec = java.util.Objects.requireNonNull(codec, "codec");
            return this;
        }

        /** Pixels per QR module (1 = densest; lossless codecs need no more). */
        public Builder moduleSizePx(int px) {
            if (px < 1 || px > 16) {
                throw new IllegalArgumentException("moduleSizePx must be 1..16, got " + px);
            }
            this.moduleSizePx = px;
            return this;
        }

        /** White border in modules around each QR code (0 suffices for grid sampling; zxing's detector wants 1-4). */
        public Builder quietZoneModules(int modules) {
            if (modules < 0 || modules > 8) {
                throw new IllegalArgumentException("quietZoneModules must be 0..8, got " + modules);
            }
            this.quietZoneModules = modules;
            return this;
        }

        /** The fixed QR mask pattern 0..7 (a fixed mask skips zxing's slow mask search). */
        public Builder maskPattern(int mask) {
            if (mask < 0 || mask > 7) {
                throw new IllegalArgumentException("maskPattern must be 0..7, got " + mask);
            }
            this.maskPattern = mask;
            return this;
        }

        /** Worker threads for QR encoding/decoding and compression. */
        public Builder threads(int threads) {
            if (threads < 1 || threads > 64) {
                throw new IllegalArgumentException("threads must be 1..64, got " + threads);
            }
            this.threads = threads;
            return this;
        }

        /** Permit a lossy codec; without it, build() refuses one. */
        public Builder allowLossy(boolean allow) {
            this.allowLossy = allow;
            return this;
        }

        /**
         * Erasure coding across frames: each group of {@code groupFrames} frames holds {@code parityFrames}
         * Reed-Solomon parity frames, so that many lost or damaged frames per group are rebuilt on read.
         * {@code parityFrames} 0 turns it off.
         */
        public Builder parity(int groupFrames, int parityFrames) {
            if (parityFrames < 0 || groupFrames - parityFrames < 1 || groupFrames > 255) {
                throw new IllegalArgumentException("parity groups need 1..255 frames of which at least one carries data, got "
                        + groupFrames + " frames with " + parityFrames + " parity");
            }
            this.parityGroupFrames = groupFrames;
            this.parityFrames = parityFrames;
            return this;
        }

        /** Write the optional JSON sidecar beside the video (callers that store or ship it need it). */
        public Builder writeSidecar(boolean write) {
            this.writeSidecar = write;
            return this;
        }

        public SegmentOptions build() {
            if (!codec.lossless() && !allowLossy) {
                throw new IllegalArgumentException("codec " + codec + " is lossy; archives must be lossless "
                        + "(use PNG_MONO or FFV1, or set allowLossy(true) to force it)");
            }
            if (!codec.lossless() && moduleSizePx < 3) {
                throw new IllegalArgumentException("lossy codec " + codec + " needs moduleSizePx >= 3");
            }
            return new SegmentOptions(this);
        }
    }
}
