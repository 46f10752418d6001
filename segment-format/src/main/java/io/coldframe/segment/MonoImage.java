package io.coldframe.segment;

/**
 * A 1-bit image as packed rows: pixel (x, y) is bit {@code 7 - x % 8} of byte {@code offset + y * stride + x / 8},
 * 0 dark, 1 light (PNG's 1-bit grayscale). The QR fast path samples modules from it without widening to 8 bits.
 */
record MonoImage(int width, int height, int stride, byte[] bits, int offset) implements FramePixels {
    /** Each packed byte widened to its eight 8-bit pixels (0 or 255), most significant bit first. */
    private static final byte[] WIDENED = new byte[256 * 8];

    static {
        for (int b = 0; b < 256; b++) {
            for (int bit = 0; bit < 8; bit++) {
                WIDENED[b * 8 + bit] = (byte) (((b >> (7 - bit)) & 1) == 0 ? 0 : 0xFF);
            }
        }
    }

    @Override
    public GrayImage gray() {
        byte[] out = new byte[width * height];
        int rowBytes = (width + 7) / 8;
        for (int y = 0; y < height; y++) {
            int from = offset + y * stride;
            int base = y * width;
            for (int i = 0; i < rowBytes; i++) {
                System.arraycopy(WIDENED, (bits[from + i] & 0xFF) * 8, out, base + i * 8, Math.min(8, width - i * 8));
            }
        }
        return new GrayImage(width, height, width, out);
    }
}
