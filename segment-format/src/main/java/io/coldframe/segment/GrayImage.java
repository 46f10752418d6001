package io.coldframe.segment;

/** A copied 8-bit gray frame (0 = dark); owns its array, so it can be decoded on another thread. */
record GrayImage(int width, int height, int stride, byte[] data) implements FramePixels {
    @Override
    public GrayImage gray() {
        return this;
    }
}
