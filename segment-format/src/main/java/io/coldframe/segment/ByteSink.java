package io.coldframe.segment;

import java.util.Arrays;

/** Growable byte array with the little- and big-endian writes the format needs (no stream overhead). */
final class ByteSink {
    private byte[] buf;
    private int size;

    ByteSink(int initialCapacity) {
        buf = new byte[Math.max(16, initialCapacity)];
    }

    int size() {
        return size;
    }

    private void ensure(int extra) {
        int need = size + extra;
        if (need < 0) {
            throw new IllegalStateException("record or block larger than 2 GiB");
        }
        if (need > buf.length) {
            buf = Arrays.copyOf(buf, Math.max(need, buf.length + (buf.length >> 1)));
        }
    }

    void write(int b) {
        ensure(1);
        buf[size++] = (byte) b;
    }

    void write(byte[] src) {
        write(src, 0, src.length);
    }

    void write(byte[] src, int off, int len) {
        ensure(len);
        System.arraycopy(src, off, buf, size, len);
        size += len;
    }

    void writeIntLE(int v) {
        ensure(4);
        buf[size++] = (byte) v;
        buf[size++] = (byte) (v >>> 8);
        buf[size++] = (byte) (v >>> 16);
        buf[size++] = (byte) (v >>> 24);
    }

    /** Overwrites the 4 bytes at {@code pos} (already written) with v, little-endian. */
    void setIntLE(int pos, int v) {
        buf[pos] = (byte) v;
        buf[pos + 1] = (byte) (v >>> 8);
        buf[pos + 2] = (byte) (v >>> 16);
        buf[pos + 3] = (byte) (v >>> 24);
    }

    void writeLongLE(long v) {
        writeIntLE((int) v);
        writeIntLE((int) (v >>> 32));
    }

    /** Unsigned LEB128: 7 bits per byte, low bits first, the high bit set on every byte but the last. */
    void writeVarint(long v) {
        while ((v & ~0x7fL) != 0) {
            write((int) (v & 0x7f) | 0x80);
            v >>>= 7;
        }
        write((int) v);
    }

    void writeIntBE(int v) {
        ensure(4);
        buf[size++] = (byte) (v >>> 24);
        buf[size++] = (byte) (v >>> 16);
        buf[size++] = (byte) (v >>> 8);
        buf[size++] = (byte) v;
    }

    /** Writes the decimal digits of a non-negative int as ASCII (BSON array keys). */
    void writeDecimal(int v) {
        int digits = decimalDigits(v);
        ensure(digits);
        for (int i = size + digits - 1; i >= size; i--, v /= 10) {
            buf[i] = (byte) ('0' + v % 10);
        }
        size += digits;
    }

    /** How many decimal digits a non-negative int has. */
    static int decimalDigits(int v) {
        int d = 1;
        while (v >= 10) {
            v /= 10;
            d++;
        }
        return d;
    }

    /** Drops everything written after the first {@code size} bytes. */
    void truncate(int size) {
        this.size = Math.min(this.size, size);
    }

    byte[] toByteArray() {
        return size == buf.length ? buf : Arrays.copyOf(buf, size);
    }

    static int intLE(byte[] b, int p) {
        return (b[p] & 0xff) | (b[p + 1] & 0xff) << 8 | (b[p + 2] & 0xff) << 16 | (b[p + 3] & 0xff) << 24;
    }

    static long longLE(byte[] b, int p) {
        return (intLE(b, p) & 0xffffffffL) | ((long) intLE(b, p + 4)) << 32;
    }

    static int intBE(byte[] b, int p) {
        return (b[p] & 0xff) << 24 | (b[p + 1] & 0xff) << 16 | (b[p + 2] & 0xff) << 8 | (b[p + 3] & 0xff);
    }

    static void putIntBE(byte[] b, int p, int v) {
        b[p] = (byte) (v >>> 24);
        b[p + 1] = (byte) (v >>> 16);
        b[p + 2] = (byte) (v >>> 8);
        b[p + 3] = (byte) v;
    }
}
