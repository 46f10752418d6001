package io.coldframe.segment;

/** A decoded frame's pixels: 8-bit gray, or packed 1-bit rows as a PNG of the writer's mono codec holds them. */
sealed interface FramePixels permits GrayImage, MonoImage {

    int width();

    int height();

    /** The pixels as 8-bit gray (0 = dark), what every decoder accepts. */
    GrayImage gray();
}
