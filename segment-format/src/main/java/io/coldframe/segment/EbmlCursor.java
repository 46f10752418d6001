package io.coldframe.segment;

import java.io.IOException;

/** EBML element ids, sizes and integers read over a byte array. */
final class EbmlCursor {
    final byte[] buf;
    int pos;

    EbmlCursor(byte[] buf, int pos) {
        this.buf = buf;
        this.pos = pos;
    }

    /** An element id, marker bits kept (as the Matroska spec writes ids). */
    long id() throws IOException {
        int first = byteAt(pos) & 0xFF;
        int length = Integer.numberOfLeadingZeros(first) - 23;
        if (length < 1 || length > 4) {
            throw new IOException("bad EBML id at " + pos);
        }
        long v = 0;
        for (int i = 0; i < length; i++) {
            v = (v << 8) | (byteAt(pos + i) & 0xFF);
        }
        pos += length;
        return v;
    }

    /** An element size; an unknown size (all ones) is returned as the rest of the buffer. */
    long size() throws IOException {
        int first = byteAt(pos) & 0xFF;
        int length = Integer.numberOfLeadingZeros(first) - 23;
        if (length < 1 || length > 8) {
            throw new IOException("bad EBML size at " + pos);
        }
        long v = first & (0xFF >> length);
        boolean allOnes = v == (0xFF >> length);
        for (int i = 1; i < length; i++) {
            int b = byteAt(pos + i) & 0xFF;
            allOnes &= b == 0xFF;
            v = (v << 8) | b;
        }
        pos += length;
        return allOnes ? buf.length - pos : v;
    }

    long uint(long size) throws IOException {
        long v = 0;
        for (int i = 0; i < size; i++) {
            v = (v << 8) | (byteAt(pos + i) & 0xFF);
        }
        pos += (int) size;
        return v;
    }

    void skip(long size) {
        pos = (int) Math.min(buf.length, pos + size);
    }

    private byte byteAt(int i) throws IOException {
        if (i >= buf.length) {
            throw new IOException("EBML element runs past the bytes read (" + buf.length + ")");
        }
        return buf[i];
    }
}
