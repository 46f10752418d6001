package io.coldframe.segment;

import com.github.luben.zstd.Zstd;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The index a v2 segment carries at the start of its stream (spec section "Index"): the blocks (sizes,
 * SHA-256), which stored body each record uses, a 2-byte fingerprint of each memory id for get-by-id,
 * and the memory ids that cannot be derived from the document. Memory ids and versions themselves are
 * not stored: they are the canonical Extended JSON of the document's {@code _id} and the SHA-256 of its
 * BSON, both recomputed from the decoded document.
 *
 * <p>In the stream: a 44-byte header ({@code "CFX2"}, u32 compressed length, u32 raw length, SHA-256 of
 * the compressed bytes) and the index as one zstd frame. The index lists every block's SHA-256, so its
 * own SHA-256 covers the whole segment.
 */
record SegmentIndex(String segmentId, int zstdLevel, Totals totals, List<BlockInfo> blocks, int[] fingerprints,
        int[] bodyOfRecord, Map<Integer, String> explicitIds) {
    static final byte[] MAGIC = {'C', 'F', 'X', '2'};
    static final int HEADER = 44;
    private static final int INDEX_ZSTD_LEVEL = 19;

    /**
     * One compressed block: its transform (0 = body table as in v1, 1 = string pool, 2 = string pool without
     * derivable lengths, 3 = also pieces and a text section) and codec (0 = zstd, 1 = LZMA2, 2 = zstd with a
     * bzip2 text section), stored as one byte (codec x 16 + transform), sizes and SHA-256 of the compressed bytes.
     */
    record BlockInfo(int transform, int codec, int compressedBytes, int rawBytes, int bodyCount, byte[] sha256) {
    }

    /** Sizes a reader reports without decoding every block: BSON of all records, of the stored ones, stored bodies. */
    record Totals(long rawBytes, long uniqueRawBytes, long bodyBytes) {
    }

    /**
     * The blocks' codec as the sidecar names it: {@code lzma2} if any block is LZMA2, else {@code zstd-bzip2} if any
     * block has a bzip2 text section, else {@code zstd}.
     */
    String compressionName() {
        boolean bzip2 = false;
        for (BlockInfo b : blocks) {
            if (b.codec() == BlockCompression.LZMA2.id()) {
                return BlockCompression.LZMA2.configName();
            }
            bzip2 |= b.codec() == BlockCompression.ZSTD_BZIP2.id();
        }
        return (bzip2 ? BlockCompression.ZSTD_BZIP2 : BlockCompression.ZSTD).configName();
    }

    int recordCount() {
        return fingerprints.length;
    }

    int bodyCount() {
        int n = 0;
        for (BlockInfo b : blocks) {
            n += b.bodyCount();
        }
        return n;
    }

    /** First 2 bytes of SHA-256(UTF-8 memory id), big-endian. */
    static int fingerprint(String memoryId) {
        byte[] h = Hashes.sha256(memoryId.getBytes(StandardCharsets.UTF_8));
        return (h[0] & 0xff) << 8 | (h[1] & 0xff);
    }

    /** Header + compressed index, as it starts the stream. */
    byte[] section() {
        byte[] raw = raw();
        byte[] comp = Zstd.compress(raw, INDEX_ZSTD_LEVEL);
        byte[] out = new byte[HEADER + comp.length];
        System.arraycopy(MAGIC, 0, out, 0, 4);
        ByteSink.putIntBE(out, 4, comp.length);
        ByteSink.putIntBE(out, 8, raw.length);
        System.arraycopy(Hashes.sha256(comp), 0, out, 12, 32);
        System.arraycopy(comp, 0, out, HEADER, comp.length);
        return out;
    }

    private byte[] raw() {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream(64 + fingerprints.length * 2 + blocks.size() * 48);
        try (DataOutputStream out = new DataOutputStream(bytes)) {
            byte[] id = segmentId.getBytes(StandardCharsets.UTF_8);
            out.writeShort(id.length);
            out.write(id);
            out.writeByte(zstdLevel);
            out.writeLong(totals.rawBytes());
            out.writeLong(totals.uniqueRawBytes());
            out.writeLong(totals.bodyBytes());
            out.writeInt(fingerprints.length);
            out.writeInt(blocks.size());
            for (BlockInfo b : blocks) {
                out.writeByte(b.codec() << 4 | b.transform());
                out.writeInt(b.compressedBytes());
                out.writeInt(b.rawBytes());
                out.writeInt(b.bodyCount());
                out.write(b.sha256());
            }
            for (int f : fingerprints) {
                out.writeShort(f);
            }
            // records use bodies in order; only those repeating an earlier document point elsewhere
            List<int[]> repeats = new ArrayList<>();
            int next = 0;
            for (int r = 0; r < bodyOfRecord.length; r++) {
                if (bodyOfRecord[r] == next) {
                    next++;
                } else {
                    repeats.add(new int[] {r, bodyOfRecord[r]});
                }
            }
            out.writeInt(repeats.size());
            for (int[] rep : repeats) {
                out.writeInt(rep[0]);
                out.writeInt(rep[1]);
            }
            out.writeInt(explicitIds.size());
            for (Map.Entry<Integer, String> e : explicitIds.entrySet()) {
                byte[] s = e.getValue().getBytes(StandardCharsets.UTF_8);
                out.writeInt(e.getKey());
                out.writeInt(s.length);
                out.write(s);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return bytes.toByteArray();
    }

    /** Length of the whole index section, from its first 12 bytes. */
    static int sectionLength(byte[] head) {
        if (head.length < 12 || !Arrays.equals(head, 0, 4, MAGIC, 0, 4)) {
            throw new IllegalArgumentException("index: bad magic (not a v2 stream)");
        }
        int c = ByteSink.intBE(head, 4);
        if (c < 1 || c > Integer.MAX_VALUE - HEADER) {
            throw new IllegalArgumentException("index: bad length " + c);
        }
        return HEADER + c;
    }

    /** Parses and checks an index section. @throws IllegalArgumentException naming what is wrong */
    static SegmentIndex parse(byte[] section) {
        int length = sectionLength(section);
        if (section.length < length) {
            throw new IllegalArgumentException("index: truncated");
        }
        byte[] comp = Arrays.copyOfRange(section, HEADER, length);
        if (!Arrays.equals(Hashes.sha256(comp), 0, 32, section, 12, 44)) {
            throw new IllegalArgumentException("index: sha-256 mismatch");
        }
        int rawLength = ByteSink.intBE(section, 8);
        byte[] raw;
        try {
            raw = Zstd.decompress(comp, rawLength);
        } catch (RuntimeException e) {
            throw new IllegalArgumentException("index: zstd decompression failed: " + e.getMessage(), e);
        }
        try (DataInputStream in = new DataInputStream(new java.io.ByteArrayInputStream(raw))) {
            byte[] id = new byte[in.readUnsignedShort()];
            in.readFully(id);
            int level = in.readUnsignedByte();
            Totals totals = new Totals(in.readLong(), in.readLong(), in.readLong());
            int records = in.readInt();
            int blockCount = in.readInt();
            List<BlockInfo> blocks = new ArrayList<>(blockCount);
            int bodies = 0;
            for (int b = 0; b < blockCount; b++) {
                int layout = in.readUnsignedByte();
                int comp2 = in.readInt();
                int rawB = in.readInt();
                int count = in.readInt();
                byte[] sha = new byte[32];
                in.readFully(sha);
                blocks.add(new BlockInfo(layout & 0x0f, layout >>> 4, comp2, rawB, count, sha));
                bodies += count;
            }
            int[] fingerprints = new int[records];
            for (int r = 0; r < records; r++) {
                fingerprints[r] = in.readUnsignedShort();
            }
            int[] bodyOfRecord = new int[records];
            Arrays.fill(bodyOfRecord, -1);
            int repeats = in.readInt();
            for (int i = 0; i < repeats; i++) {
                int r = in.readInt();
                int body = in.readInt();
                check(r >= 0 && r < records && body >= 0 && body < bodies, "repeat entry out of range");
                bodyOfRecord[r] = body;
            }
            int next = 0;
            for (int r = 0; r < records; r++) {
                if (bodyOfRecord[r] < 0) {
                    bodyOfRecord[r] = next++;
                }
            }
            check(next == bodies, "records use " + next + " bodies in order, blocks hold " + bodies);
            Map<Integer, String> explicit = new TreeMap<>();
            int ids = in.readInt();
            for (int i = 0; i < ids; i++) {
                int r = in.readInt();
                byte[] s = new byte[in.readInt()];
                in.readFully(s);
                check(r >= 0 && r < records, "memory id entry out of range");
                explicit.put(r, new String(s, StandardCharsets.UTF_8));
            }
            check(in.read() < 0, "trailing bytes");
            return new SegmentIndex(new String(id, StandardCharsets.UTF_8), level, totals, blocks, fingerprints, bodyOfRecord,
                    explicit);
        } catch (IOException | NegativeArraySizeException | OutOfMemoryError e) {
            throw new IllegalArgumentException("index: malformed (" + e + ")", e);
        }
    }

    private static void check(boolean ok, String what) {
        if (!ok) {
            throw new IllegalArgumentException("index: " + what);
        }
    }
}
