package io.coldframe.segment;

import com.google.zxing.EncodeHintType;
import com.google.zxing.WriterException;
import com.google.zxing.qrcode.decoder.ErrorCorrectionLevel;
import com.google.zxing.qrcode.decoder.Version;
import com.google.zxing.qrcode.encoder.Encoder;
import java.util.Map;

/**
 * Fast byte-mode writing and reading of QR symbols of one fixed version, error correction level L and
 * mask pattern: the only symbols this format draws. Why it exists: with the geometry fixed, every
 * symbol shares the same function patterns, format and version information, so only the data modules
 * change. zxing's general encoder spends most of its time in allocation-heavy Reed-Solomon code
 * (~700 frames/s per core) and its decoder ~40% in RS syndromes; this class does the same work with
 * table-driven RS and precomputed module order (several thousand frames/s).
 *
 * <p>Writing produces exactly zxing's {@link Encoder} output for the same bytes, version, level and
 * fixed mask (tests compare them module for module, and the writer cross-checks one frame per segment).
 * The function-pattern modules are copied from a template symbol zxing drew.
 *
 * <p>Reading does no error correction: on lossless video every module is exact. The caller accepts the
 * bytes only if the frame magic and CRC-32 check out and otherwise falls back to zxing's decoder.
 *
 * <p>Layout per ISO/IEC 18004: data modules are visited in the two-column zig-zag from the
 * bottom-right corner (skipping the vertical timing column), unmasked, 8 bits per codeword MSB first;
 * codewords are interleaved across the error correction blocks, data first, then EC codewords.
 */
final class QrSymbol {
    private static final int GF_PRIMITIVE = 0x11D;
    private static final int[] EXP = new int[512];
    private static final int[] LOG = new int[256];

    static {
        int x = 1;
        for (int i = 0; i < 255; i++) {
            EXP[i] = x;
            LOG[x] = i;
            x <<= 1;
            if (x >= 256) {
                x ^= GF_PRIMITIVE;
            }
        }
        for (int i = 255; i < 512; i++) {
            EXP[i] = EXP[i - 255];
        }
    }

    private final int size;
    private final int mask;
    /** Module index (y * size + x) for each data bit, in codeword bit order. */
    private final int[] order;
    /** Whether the mask inverts the module of the same position in {@link #order}. */
    private final boolean[] invert;
    private final int blocks;
    private final int[] dataLen;
    private final int[] dataStart;
    private final int dataTotal;
    private final int ecLen;
    private final int totalCodewords;
    /** genMul[f][k] = f * g_k in GF(256), g = generator polynomial without its leading 1. */
    private final byte[][] genMul;
    /** zxing's symbol for empty content (y * size + x): supplies every function-pattern module. */
    private final byte[] template;
    /** For each position of the de-interleaved data stream, its index among the raw codewords. */
    private final int[] dataIndex;

    QrSymbol(int versionNumber, int mask) {
        Version version = Version.getVersionForNumber(versionNumber);
        this.size = version.getDimensionForVersion();
        this.mask = mask;
        this.totalCodewords = version.getTotalCodewords();

        Version.ECBlocks ecb = version.getECBlocksForLevel(ErrorCorrectionLevel.L);
        blocks = ecb.getNumBlocks();
        ecLen = ecb.getECCodewordsPerBlock();
        dataLen = new int[blocks];
        dataStart = new int[blocks];
        int b = 0;
        int total = 0;
        for (Version.ECB e : ecb.getECBlocks()) {
            for (int i = 0; i < e.getCount(); i++) {
                dataStart[b] = total;
                dataLen[b++] = e.getDataCodewords();
                total += e.getDataCodewords();
            }
        }
        dataTotal = total;

        boolean[] function = functionPatterns(version);
        order = new int[totalCodewords * 8];
        invert = new boolean[totalCodewords * 8];
        int n = 0;
        boolean up = true;
        for (int x = size - 1; x > 0; x -= 2) {
            if (x == 6) {
                x--; // the vertical timing column is skipped entirely
            }
            for (int c = 0; c < size; c++) {
                int y = up ? size - 1 - c : c;
                for (int k = 0; k < 2; k++) {
                    int xx = x - k;
                    if (!function[y * size + xx] && n < order.length) {
                        order[n] = y * size + xx;
                        invert[n] = maskBit(mask, xx, y);
                        n++;
                    }
                }
            }
            up = !up;
        }
        if (n != order.length) {
            throw new IllegalStateException("QR layout mismatch: " + n + " data modules, expected " + order.length);
        }

        dataIndex = new int[dataTotal];
        int[] rawOfData = interleaveOrder();
        for (int raw = 0; raw < rawOfData.length; raw++) {
            if (rawOfData[raw] >= 0) {
                dataIndex[rawOfData[raw]] = raw;
            }
        }

        genMul = generatorTable(ecLen);
        try {
            template = flatten(Encoder.encode("", ErrorCorrectionLevel.L, Map.of(EncodeHintType.QR_VERSION,
                    versionNumber, EncodeHintType.QR_MASK_PATTERN, mask)).getMatrix().getArray());
        } catch (WriterException e) {
            throw new IllegalStateException(e);
        }
    }

    int size() {
        return size;
    }

    /** Largest byte-mode content: 4-bit mode and 16-bit count, then the bytes. */
    int capacity() {
        return (dataTotal * 8 - 20) / 8;
    }

    // --------------------------------------------------------------------------------------- writing

    /** The modules (y * size + x, 1 = dark) zxing's Encoder draws for these bytes in byte mode. */
    byte[] encode(byte[] content) {
        if (content.length > capacity()) {
            throw new IllegalArgumentException(content.length + " bytes exceed QR capacity " + capacity());
        }
        // data codewords: mode 0100, 16-bit count, bytes, 4-bit terminator (if room), 0xEC/0x11 padding
        byte[] data = new byte[dataTotal];
        int n = content.length;
        data[0] = (byte) (0x40 | (n >>> 12));
        data[1] = (byte) (n >>> 4);
        int prevLow = n & 0x0f;
        for (int i = 0; i < n; i++) {
            int v = content[i] & 0xff;
            data[2 + i] = (byte) ((prevLow << 4) | (v >>> 4));
            prevLow = v & 0x0f;
        }
        int p = 2 + n;
        if (p < dataTotal) {
            data[p++] = (byte) (prevLow << 4); // last nibble, then the terminator's 4 zero bits
        }
        for (int i = 0; p < dataTotal; i++) {
            data[p++] = (byte) ((i & 1) == 0 ? 0xEC : 0x11);
        }

        // Reed-Solomon per block, then interleave
        byte[] raw = new byte[totalCodewords];
        byte[] ec = new byte[ecLen];
        for (int bl = 0; bl < blocks; bl++) {
            java.util.Arrays.fill(ec, (byte) 0);
            int start = dataStart[bl];
            for (int i = 0; i < dataLen[bl]; i++) {
                int f = (data[start + i] ^ ec[0]) & 0xff;
                byte[] row = genMul[f];
                for (int k = 0; k < ecLen - 1; k++) {
                    ec[k] = (byte) (ec[k + 1] ^ row[k]);
                }
                ec[ecLen - 1] = row[ecLen - 1];
            }
            for (int k = 0; k < ecLen; k++) {
                raw[dataTotal + k * blocks + bl] = ec[k];
            }
        }
        for (int d = 0; d < dataTotal; d++) {
            raw[dataIndex[d]] = data[d];
        }

        byte[] m = template.clone();
        int bit = 0;
        for (int i = 0; i < totalCodewords; i++) {
            int v = raw[i];
            for (int k = 7; k >= 0; k--, bit++) {
                m[order[bit]] = (byte) (((v >>> k) & 1) ^ (invert[bit] ? 1 : 0));
            }
        }
        return m;
    }

    /** zxing's [y][x] matrix as y * size + x. */
    static byte[] flatten(byte[][] rows) {
        int n = rows.length;
        byte[] out = new byte[n * n];
        for (int y = 0; y < n; y++) {
            System.arraycopy(rows[y], 0, out, y * n, n);
        }
        return out;
    }

    // --------------------------------------------------------------------------------------- reading

    /**
     * @param dark module grid, y * size + x, true = dark
     * @return the byte-mode content, or null if the data does not start with a byte-mode segment that fits
     */
    byte[] read(boolean[] dark) {
        // only the data codewords are needed: interleaving puts them first
        byte[] raw = new byte[dataTotal];
        int bit = 0;
        for (int i = 0; i < dataTotal; i++) {
            int v = 0;
            for (int k = 0; k < 8; k++, bit++) {
                v = (v << 1) | ((dark[order[bit]] ^ invert[bit]) ? 1 : 0);
            }
            raw[i] = (byte) v;
        }
        return content(raw);
    }

    /**
     * How to read the data codewords from packed 1-bit rows ({@link MonoImage}) of a given row stride: a pattern that,
     * XORed over the rows, turns every data module's pixel into its data bit (a dark pixel is 0; the mask is undone at
     * once), and the reads of each codeword's bits from the image's offset ({@link #packedReads}).
     */
    record PackedLayout(int stride, byte[] unmask, int[] reads, int[] codewordEnd) {
    }

    /**
     * A data codeword's bits, two at a time where it can: its modules come in pairs side by side in a row (the right
     * one first), which sit in one byte of a packed row unless a byte boundary falls between them. Each read is
     * {@code byte << 4 | shift << 1 | pair}: the bit at {@code shift} (and, for a pair, the one above it) of that byte.
     * The codeword's reads end at {@code codewordEnd[codeword]}. Half the lookups of reading bit by bit.
     */
    private int[][] packedReads(int[] bitAt) {
        int[] reads = new int[bitAt.length];
        int[] ends = new int[dataTotal];
        int n = 0;
        for (int i = 0; i < dataTotal; i++) {
            for (int b = i * 8, end = b + 8; b < end; ) {
                int at = bitAt[b];
                boolean pair = b + 1 < end && bitAt[b + 1] == at - 1 && (at & 7) != 0;
                reads[n++] = (at >>> 3) << 4 | (7 - (at & 7)) << 1 | (pair ? 1 : 0);
                b += pair ? 2 : 1;
            }
            ends[i] = n;
        }
        return new int[][] {java.util.Arrays.copyOf(reads, n), ends};
    }

    /** A pair of bits as read from a byte (the left module's above the right one's), in codeword order (right first). */
    private static final int[] PAIR_IN_ORDER = {0b00, 0b10, 0b01, 0b11};

    /** The packed layout for frames of this module size, quiet zone and row stride. */
    PackedLayout packedLayout(int moduleSize, int quietZone, int stride) {
        int bits = dataTotal * 8;
        int[] at = new int[bits];
        int half = moduleSize / 2;
        int last = 0;
        for (int b = 0; b < bits; b++) {
            int px = (quietZone + order[b] % size) * moduleSize + half;
            int py = (quietZone + order[b] / size) * moduleSize + half;
            at[b] = (py * stride + (px >> 3)) * 8 + (px & 7);
            last = Math.max(last, at[b]);
        }
        byte[] unmask = new byte[(last >>> 3) + 1];
        for (int b = 0; b < bits; b++) {
            // data bit = dark XOR mask = (pixel XOR 1) XOR mask
            if (!invert[b]) {
                unmask[at[b] >>> 3] |= (byte) (0x80 >>> (at[b] & 7));
            }
        }
        int[][] reads = packedReads(at);
        return new PackedLayout(stride, unmask, reads[0], reads[1]);
    }

    /** As {@link #read(boolean[])}, sampling the modules straight from packed 1-bit rows laid out as {@code layout}. */
    byte[] read(MonoImage image, PackedLayout layout) {
        byte[] unmask = layout.unmask();
        byte[] bits = new byte[unmask.length];
        byte[] pixels = image.bits();
        int base = image.offset();
        for (int i = 0; i < bits.length; i++) {
            bits[i] = (byte) (pixels[base + i] ^ unmask[i]);
        }
        int[] reads = layout.reads();
        int[] codewordEnd = layout.codewordEnd();
        byte[] raw = new byte[dataTotal];
        int r = 0;
        for (int i = 0; i < dataTotal; i++) {
            int v = 0;
            for (int end = codewordEnd[i]; r < end; r++) {
                int read = reads[r];
                int x = bits[read >>> 4] >>> ((read >>> 1) & 7);
                v = (read & 1) != 0 ? v << 2 | PAIR_IN_ORDER[x & 3] : v << 1 | (x & 1);
            }
            raw[i] = (byte) v;
        }
        return content(raw);
    }

    /** The byte-mode content of the data codewords, or null if they do not start with a byte-mode segment that fits. */
    private byte[] content(byte[] raw) {
        int d0 = raw[dataIndex[0]] & 0xff;
        int d1 = raw[dataIndex[1]] & 0xff;
        int d2 = raw[dataIndex[2]] & 0xff;
        if ((d0 >>> 4) != 0b0100) {
            return null;
        }
        int count = (d0 & 0x0f) << 12 | d1 << 4 | d2 >>> 4;
        if (count > capacity()) {
            return null;
        }
        byte[] out = new byte[count];
        int prev = d2;
        for (int k = 0; k < count; k++) {
            int next = 3 + k < dataTotal ? raw[dataIndex[3 + k]] & 0xff : 0;
            out[k] = (byte) ((prev << 4) | (next >>> 4));
            prev = next;
        }
        return out;
    }

    // ----------------------------------------------------------------------------------------- layout

    /** rawOfData[raw index] = position in the de-interleaved data stream, or -1 for EC codewords. */
    private int[] interleaveOrder() {
        int[] out = new int[totalCodewords];
        java.util.Arrays.fill(out, -1);
        int maxData = 0;
        for (int len : dataLen) {
            maxData = Math.max(maxData, len);
        }
        int raw = 0;
        for (int i = 0; i < maxData; i++) {
            for (int bl = 0; bl < blocks; bl++) {
                if (i < dataLen[bl]) {
                    out[raw++] = dataStart[bl] + i;
                }
            }
        }
        if (raw != dataTotal) {
            throw new IllegalStateException("interleave mismatch");
        }
        return out;
    }

    /** genMul[f][k]: f times coefficient k of prod_{i<ecLen} (x - a^i), leading term dropped. */
    private static byte[][] generatorTable(int ecLen) {
        int[] g = {1};
        for (int i = 0; i < ecLen; i++) {
            int[] next = new int[g.length + 1];
            for (int j = 0; j < g.length; j++) {
                next[j] ^= g[j];
                next[j + 1] ^= mul(g[j], EXP[i]);
            }
            g = next;
        }
        byte[][] t = new byte[256][ecLen];
        for (int f = 0; f < 256; f++) {
            for (int k = 0; k < ecLen; k++) {
                t[f][k] = (byte) mul(f, g[k + 1]);
            }
        }
        return t;
    }

    private static int mul(int a, int b) {
        return a == 0 || b == 0 ? 0 : EXP[LOG[a] + LOG[b]];
    }

    private boolean[] functionPatterns(Version version) {
        boolean[] f = new boolean[size * size];
        region(f, 0, 0, 9, 9); // top-left finder, separator, format information
        region(f, size - 8, 0, 8, 9); // top-right
        region(f, 0, size - 8, 9, 8); // bottom-left (includes the dark module)
        int[] centers = version.getAlignmentPatternCenters();
        int last = centers.length - 1;
        for (int i = 0; i < centers.length; i++) {
            for (int j = 0; j < centers.length; j++) {
                boolean onFinder = (i == 0 && (j == 0 || j == last)) || (i == last && j == 0);
                if (!onFinder) {
                    region(f, centers[i] - 2, centers[j] - 2, 5, 5);
                }
            }
        }
        region(f, 6, 9, 1, size - 17); // vertical timing
        region(f, 9, 6, size - 17, 1); // horizontal timing
        if (version.getVersionNumber() > 6) {
            region(f, size - 11, 0, 3, 6); // version information, top-right
            region(f, 0, size - 11, 6, 3); // version information, bottom-left
        }
        return f;
    }

    private void region(boolean[] f, int left, int top, int width, int height) {
        for (int y = top; y < top + height; y++) {
            for (int x = left; x < left + width; x++) {
                f[y * size + x] = true;
            }
        }
    }

    /** ISO/IEC 18004 data mask conditions (x = column, y = row). */
    static boolean maskBit(int mask, int x, int y) {
        int t;
        switch (mask) {
            case 0:
                return ((y + x) & 1) == 0;
            case 1:
                return (y & 1) == 0;
            case 2:
                return x % 3 == 0;
            case 3:
                return (y + x) % 3 == 0;
            case 4:
                return ((y / 2 + x / 3) & 1) == 0;
            case 5:
                t = y * x;
                return (t & 1) + t % 3 == 0;
            case 6:
                t = y * x;
                return (((t & 1) + t % 3) & 1) == 0;
            case 7:
                t = y * x;
                return ((t % 3 + ((y + x) & 1)) & 1) == 0;
            default:
                throw new IllegalArgumentException("mask " + mask);
        }
    }

    int mask() {
        return mask;
    }
}
