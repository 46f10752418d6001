package io.coldframe.segment;

import com.google.zxing.common.reedsolomon.GenericGF;
import com.google.zxing.common.reedsolomon.ReedSolomonEncoder;
import java.util.Arrays;

/**
 * Erasure coding across the frames of one parity group (format v2, spec section "Parity groups"):
 * {@code k} data payloads and {@code m} parity payloads, byte column by byte column a Reed-Solomon
 * codeword over GF(256) exactly as QR codes use it (primitive polynomial 0x11D, generator roots
 * alpha^0..alpha^(m-1)), the data bytes as the message (first frame = highest degree), the parity bytes
 * as the remainder. Short data payloads count as zero-padded. Any m lost payloads of a group can be
 * rebuilt from the others.
 *
 * <p>Why matrices instead of calling zxing per column: the code is linear, so the parity of a column is a
 * fixed GF(256) combination of its data bytes. The combination is taken from zxing's encoder once per
 * (k, m), and rebuilding inverts the k x k matrix of the surviving rows once per group; the per-byte work
 * is then a few table lookups.
 */
final class FrameParity {
    private static final GenericGF GF = GenericGF.QR_CODE_FIELD_256;
    // GF(256) tables of the same field (zxing keeps its arithmetic package-private)
    private static final int[] EXP = new int[512];
    private static final int[] LOG = new int[256];

    static {
        int x = 1;
        for (int i = 0; i < 255; i++) {
            EXP[i] = x;
            EXP[i + 255] = x;
            LOG[x] = i;
            x <<= 1;
            if (x >= 256) {
                x ^= 0x11D;
            }
        }
    }

    private static int mul(int a, int b) {
        return a == 0 || b == 0 ? 0 : EXP[LOG[a] + LOG[b]];
    }

    private static int inverse(int a) {
        return EXP[255 - LOG[a]];
    }

    private final int k;
    private final int m;
    /** Row i of the systematic generator: data rows are unit vectors, parity rows come from zxing. */
    private final int[][] rows;

    FrameParity(int k, int m) {
        if (k < 1 || m < 0 || k + m > 255) {
            throw new IllegalArgumentException("parity group of " + k + " data + " + m + " parity frames (at most 255)");
        }
        this.k = k;
        this.m = m;
        rows = new int[k + m][k];
        for (int i = 0; i < k; i++) {
            rows[i][i] = 1;
        }
        if (m > 0) {
            ReedSolomonEncoder rs = new ReedSolomonEncoder(GF);
            for (int j = 0; j < k; j++) { // parity of the unit vector e_j is column j of the parity rows
                int[] codeword = new int[k + m];
                codeword[j] = 1;
                rs.encode(codeword, m);
                for (int p = 0; p < m; p++) {
                    rows[k + p][j] = codeword[k + p];
                }
            }
        }
    }

    /** The m parity payloads (each {@code length} bytes) of the given data payloads (at most k, zero-padded). */
    byte[][] parity(byte[][] data, int length) {
        byte[][] out = new byte[m][length];
        for (int p = 0; p < m; p++) {
            int[] row = rows[k + p];
            for (int j = 0; j < data.length; j++) {
                mulAdd(out[p], data[j], row[j]);
            }
        }
        return out;
    }

    /**
     * Rebuilds missing data payloads in place. {@code frames} holds the group's k data payloads followed
     * by its m parity payloads, null where lost; data payloads of a short last group beyond its real
     * count are passed as empty arrays (known zeros). Rebuilt payloads are {@code length} bytes (zero
     * padded; the caller trims).
     *
     * @return false if more than m payloads are lost (nothing is changed then)
     */
    boolean rebuild(byte[][] frames, int length) {
        int[] survivors = new int[k];
        int found = 0;
        for (int i = 0; i < k + m && found < k; i++) {
            if (frames[i] != null) {
                survivors[found++] = i;
            }
        }
        if (found < k) {
            return false;
        }
        int[][] inverse = invert(survivors);
        for (int d = 0; d < k; d++) {
            if (frames[d] != null) {
                continue;
            }
            byte[] rebuilt = new byte[length];
            for (int s = 0; s < k; s++) {
                mulAdd(rebuilt, frames[survivors[s]], inverse[d][s]);
            }
            frames[d] = rebuilt;
        }
        return true;
    }

    /** out ^= factor * in, byte by byte (in may be shorter: the rest counts as zeros). */
    private static void mulAdd(byte[] out, byte[] in, int factor) {
        if (factor == 0) {
            return;
        }
        int n = Math.min(out.length, in.length);
        if (factor == 1) {
            for (int i = 0; i < n; i++) {
                out[i] ^= in[i];
            }
            return;
        }
        int logF = LOG[factor];
        for (int i = 0; i < n; i++) {
            int v = in[i] & 0xff;
            if (v != 0) {
                out[i] ^= (byte) EXP[LOG[v] + logF];
            }
        }
    }

    /** Inverse of the k x k matrix made of the given generator rows (Gauss-Jordan over GF(256)). */
    private int[][] invert(int[] rowIndexes) {
        int[][] a = new int[k][];
        int[][] inv = new int[k][k];
        for (int i = 0; i < k; i++) {
            a[i] = Arrays.copyOf(rows[rowIndexes[i]], k);
            inv[i][i] = 1;
        }
        for (int col = 0; col < k; col++) {
            int pivot = col;
            while (a[pivot][col] == 0) {
                pivot++; // an MDS code never runs out of pivots
            }
            int[] t = a[col];
            a[col] = a[pivot];
            a[pivot] = t;
            t = inv[col];
            inv[col] = inv[pivot];
            inv[pivot] = t;
            int scale = inverse(a[col][col]);
            for (int j = 0; j < k; j++) {
                a[col][j] = mul(a[col][j], scale);
                inv[col][j] = mul(inv[col][j], scale);
            }
            for (int r = 0; r < k; r++) {
                int f = a[r][col];
                if (r != col && f != 0) {
                    for (int j = 0; j < k; j++) {
                        a[r][j] ^= mul(f, a[col][j]);
                        inv[r][j] ^= mul(f, inv[col][j]);
                    }
                }
            }
        }
        return inv;
    }
}
