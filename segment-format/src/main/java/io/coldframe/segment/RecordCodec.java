package io.coldframe.segment;

import java.util.Arrays;

/**
 * Turns a document's exact BSON bytes into the stored record body and back (format v1, spec section
 * "Record body").
 *
 * <p>Why a transform at all: embeddings (arrays of ~384 doubles) cost ~13 bytes per element in BSON
 * (type byte, decimal key, 8-byte value) and compress badly. The body therefore replaces every
 * non-empty array made only of doubles with a packed element: a type byte BSON never uses (0x81 =
 * float32 values, 0x82 = float64 values), the original key, a count and the values as byte planes
 * (all least significant bytes first, ..., all most significant bytes last: sign/exponent bytes of
 * similar values then sit together and compress better; measured ~1% of the whole segment). Float32 is
 * chosen only when no value is NaN and every value widens back to the identical 64-bit pattern.
 *
 * <p>Why it is exactly reversible: the walk copies every other byte verbatim, including the int32
 * length prefixes of enclosing documents (they still hold the lengths of the original BSON), binary
 * values of any subtype and code-with-scope values (copied whole, never rewritten). A packed array is
 * rebuilt with canonical keys "0", "1", ... and its computed length, so the encoder only packs arrays
 * that already are canonical. As a last guard the encoder decodes its own output and falls back to a
 * verbatim body (kind 0x00) if anything differs or the input is not walkable BSON.
 */
final class RecordCodec {
    static final int KIND_VERBATIM = 0x00;
    static final int KIND_PACKED = 0x01;
    static final int TYPE_PACKED_F32 = 0x81;
    static final int TYPE_PACKED_F64 = 0x82;

    private RecordCodec() {
    }

    /** Body for the given BSON bytes; never fails (falls back to a verbatim body). */
    static byte[] encode(byte[] bson) {
        byte[] body;
        try {
            Packer packer = new Packer(bson);
            body = packer.run();
        } catch (RuntimeException notWalkable) {
            body = null;
        }
        if (body != null) {
            try {
                if (Arrays.equals(decode(body), bson)) {
                    return body;
                }
            } catch (RuntimeException ignored) {
                // fall through to verbatim
            }
        }
        byte[] verbatim = new byte[bson.length + 1];
        verbatim[0] = KIND_VERBATIM;
        System.arraycopy(bson, 0, verbatim, 1, bson.length);
        return verbatim;
    }

    /** The original BSON bytes of a body. @throws IllegalArgumentException if the body is malformed */
    static byte[] decode(byte[] body) {
        if (body.length < 1) {
            throw new IllegalArgumentException("empty record body");
        }
        switch (body[0]) {
            case KIND_VERBATIM:
                return Arrays.copyOfRange(body, 1, body.length);
            case KIND_PACKED:
                return new Unpacker(body).run();
            default:
                throw new IllegalArgumentException("unknown record body kind 0x" + Integer.toHexString(body[0] & 0xff));
        }
    }

    /** Size of a BSON value (after its key) of the given type at p, for types that are copied as-is. */
    static int valueSize(byte[] b, int type, int p) {
        switch (type) {
            case 0x01: case 0x09: case 0x11: case 0x12:
                return 8;
            case 0x02: case 0x0D: case 0x0E:
                return 4 + checkedLen(b, p, 1);
            case 0x05:
                return 5 + checkedLen(b, p, 0);
            case 0x06: case 0x0A: case 0x7F: case 0xFF:
                return 0;
            case 0x07:
                return 12;
            case 0x08:
                return 1;
            case 0x0B: {
                int q = cstringEnd(b, p);
                return cstringEnd(b, q) - p;
            }
            case 0x0C:
                return 4 + checkedLen(b, p, 1) + 12;
            case 0x0F:
                return checkedLen(b, p, 14);
            case 0x10:
                return 4;
            case 0x13:
                return 16;
            default:
                throw new IllegalArgumentException("unknown BSON type 0x" + Integer.toHexString(type) + " at " + (p - 1));
        }
    }

    private static int checkedLen(byte[] b, int p, int min) {
        int n = ByteSink.intLE(b, p);
        if (n < min || n > b.length) {
            throw new IllegalArgumentException("bad length " + n + " at " + p);
        }
        return n;
    }

    /** Index just past the NUL that ends the C string starting at p. */
    static int cstringEnd(byte[] b, int p) {
        int q = p;
        while (b[q] != 0) {
            q++;
        }
        return q + 1;
    }

    /** Walks original BSON, copying ranges and emitting packed elements for all-double arrays. */
    private static final class Packer {
        private final byte[] b;
        private final ByteSink out;
        private int copiedUpTo;
        private boolean packedAny;

        Packer(byte[] bson) {
            this.b = bson;
            this.out = new ByteSink(bson.length / 2 + 16);
        }

        byte[] run() {
            out.write(KIND_PACKED);
            int end = document(0);
            if (end != b.length) {
                throw new IllegalArgumentException("trailing bytes after document");
            }
            if (!packedAny) {
                return null;
            }
            out.write(b, copiedUpTo, b.length - copiedUpTo);
            return out.toByteArray();
        }

        /** Walks the document at p; returns the index after it. */
        private int document(int p) {
            int len = checkedLen(b, p, 5);
            int end = p + len;
            int q = p + 4;
            while (true) {
                int type = b[q] & 0xff;
                if (type == 0) {
                    q++;
                    break;
                }
                int elementStart = q;
                int keyEnd = cstringEnd(b, q + 1);
                q = keyEnd;
                if (type == 0x03) {
                    q = document(q);
                } else if (type == 0x04) {
                    int packedEnd = tryPack(elementStart, keyEnd);
                    q = packedEnd >= 0 ? packedEnd : document(q);
                } else {
                    q += valueSize(b, type, q);
                }
            }
            if (q != end) {
                throw new IllegalArgumentException("document length mismatch at " + p);
            }
            return end;
        }

        /** Whether {@code b[from, to)} are the decimal digits of {@code n} (no String per array element). */
        private boolean isDecimal(int from, int to, int n) {
            for (int i = to - 1; i >= from; i--, n /= 10) {
                if (b[i] != '0' + n % 10) {
                    return false;
                }
            }
            return true;
        }

        /** Emits a packed element if the array at valueStart is canonical and all doubles; returns its end or -1. */
        private int tryPack(int elementStart, int valueStart) {
            int len = ByteSink.intLE(b, valueStart);
            int end = valueStart + len;
            if (len < 5 || end > b.length) {
                return -1;
            }
            int q = valueStart + 4;
            int n = 0;
            boolean fitsFloat = true;
            while (q < end - 1) {
                if (b[q] != 0x01) {
                    return -1;
                }
                // key must be exactly the decimal index n
                int k = q + 1 + ByteSink.decimalDigits(n);
                if (k >= end || b[k] != 0 || !isDecimal(q + 1, k, n)) {
                    return -1;
                }
                int v = k + 1;
                if (v + 8 > end - 1) {
                    return -1;
                }
                if (fitsFloat) {
                    long bits = ByteSink.longLE(b, v);
                    double d = Double.longBitsToDouble(bits);
                    fitsFloat = !Double.isNaN(d) && Double.doubleToRawLongBits((double) (float) d) == bits;
                }
                q = v + 8;
                n++;
            }
            if (n == 0 || q != end - 1 || b[q] != 0) {
                return -1;
            }
            // flush what precedes this element, then the packed form
            out.write(b, copiedUpTo, elementStart - copiedUpTo);
            out.write(fitsFloat ? TYPE_PACKED_F32 : TYPE_PACKED_F64);
            out.write(b, elementStart + 1, valueStart - elementStart - 1); // key incl. NUL
            out.writeIntLE(n);
            q = valueStart + 4;
            int width = fitsFloat ? 4 : 8;
            byte[] vals = new byte[n * width];
            for (int i = 0; i < n; i++) {
                q = cstringEnd(b, q + 1);
                long bits = ByteSink.longLE(b, q);
                if (fitsFloat) {
                    bits = Float.floatToRawIntBits((float) Double.longBitsToDouble(bits));
                }
                for (int k = 0; k < width; k++) {
                    vals[k * n + i] = (byte) (bits >>> (8 * k)); // byte plane k, element i
                }
                q += 8;
            }
            out.write(vals);
            copiedUpTo = end;
            packedAny = true;
            return end;
        }
    }

    /** Walks a packed body, copying BSON verbatim and expanding packed elements back into arrays. */
    private static final class Unpacker {
        private final byte[] b;
        private final ByteSink out;

        Unpacker(byte[] body) {
            this.b = body;
            if (body.length < 6) {
                throw new IllegalArgumentException("record body too short");
            }
            int declared = ByteSink.intLE(body, 1);
            // the top-level length prefix is the original BSON size; cap the hint against garbage
            int hint = declared > 0 && declared <= 64 * body.length + 1024 ? declared : body.length * 2;
            this.out = new ByteSink(hint);
        }

        byte[] run() {
            try {
                int end = document(1);
                if (end != b.length) {
                    throw new IllegalArgumentException("trailing bytes after record body");
                }
            } catch (IllegalArgumentException e) {
                throw e;
            } catch (RuntimeException e) { // index out of bounds and the like: truncated or garbled body
                throw new IllegalArgumentException("record body malformed (" + e + ")", e);
            }
            return out.toByteArray();
        }

        private int document(int p) {
            out.write(b, p, 4); // original length prefix, copied verbatim
            int q = p + 4;
            while (true) {
                int type = b[q] & 0xff;
                if (type == 0) {
                    out.write(0);
                    return q + 1;
                }
                int keyStart = q + 1;
                int keyEnd = cstringEnd(b, keyStart);
                if (type == TYPE_PACKED_F32 || type == TYPE_PACKED_F64) {
                    q = unpack(type == TYPE_PACKED_F32, keyStart, keyEnd);
                    continue;
                }
                out.write(b, q, keyEnd - q); // type + key
                q = keyEnd;
                if (type == 0x03 || type == 0x04) {
                    q = document(q);
                } else {
                    int n = valueSize(b, type, q);
                    out.write(b, q, n);
                    q += n;
                }
            }
        }

        private int unpack(boolean f32, int keyStart, int keyEnd) {
            int n = ByteSink.intLE(b, keyEnd);
            int width = f32 ? 4 : 8;
            int p = keyEnd + 4;
            if (n <= 0 || (long) n * width > b.length - p) {
                throw new IllegalArgumentException("bad packed array count " + n + " at " + keyEnd);
            }
            long arrayLen = 5;
            for (int i = 0; i < n; i++) {
                arrayLen += 1 + ByteSink.decimalDigits(i) + 1 + 8;
            }
            out.write(0x04);
            out.write(b, keyStart, keyEnd - keyStart);
            out.writeIntLE((int) arrayLen);
            for (int i = 0; i < n; i++) {
                long raw = 0;
                for (int k = 0; k < width; k++) {
                    raw |= (long) (b[p + k * n + i] & 0xff) << (8 * k);
                }
                long bits = f32 ? Double.doubleToRawLongBits(Float.intBitsToFloat((int) raw)) : raw;
                out.write(0x01);
                out.writeDecimal(i);
                out.write(0);
                out.writeLongLE(bits);
            }
            out.write(0);
            return p + n * width;
        }
    }
}
