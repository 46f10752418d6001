package io.coldframe.segment;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.util.Random;

import javax.imageio.ImageIO;

import org.junit.jupiter.api.Test;

/** PNGs written by other encoders (one filtering rows every way the spec defines, ImageIO's) decode to their pixels. */
class PngGrayTest {

    @Test
    void eightBitGrayWithEveryFilterDecodesToItsPixels() {
        Random rnd = new Random(7);
        for (int round = 0; round < 20; round++) {
            int w = 1 + rnd.nextInt(70);
            int h = 5 + rnd.nextInt(40);
            byte[] pixels = new byte[w * h];
            for (int i = 0; i < pixels.length; i++) {
                pixels[i] = (byte) (round % 2 == 0 ? (i % w) * 7 + (i / w) * 3 + rnd.nextInt(4) : rnd.nextInt(256));
            }
            byte[] png = FilteringEncoder.gray8(w, h, pixels, round);
            GrayImage decoded = PngGray.decode(png, 0, png.length).gray();
            assertThat(decoded.width()).isEqualTo(w);
            assertThat(decoded.height()).isEqualTo(h);
            assertThat(MatroskaPngVideoInTest.pixels(decoded)).isEqualTo(pixels);
        }
    }

    /** Writes 8-bit gray PNGs with the row filters cycling through all five, as the PNG spec defines them. */
    private static final class FilteringEncoder {
        static byte[] gray8(int w, int h, byte[] pixels, int firstFilter) {
            ByteArrayOutputStream raw = new ByteArrayOutputStream();
            for (int y = 0; y < h; y++) {
                int filter = (firstFilter + y) % 5;
                raw.write(filter);
                for (int x = 0; x < w; x++) {
                    int v = pixels[y * w + x] & 0xFF;
                    int a = x > 0 ? pixels[y * w + x - 1] & 0xFF : 0;
                    int b = y > 0 ? pixels[(y - 1) * w + x] & 0xFF : 0;
                    int c = x > 0 && y > 0 ? pixels[(y - 1) * w + x - 1] & 0xFF : 0;
                    int predicted = switch (filter) {
                        case 0 -> 0;
                        case 1 -> a;
                        case 2 -> b;
                        case 3 -> (a + b) / 2;
                        default -> paeth(a, b, c);
                    };
                    raw.write((v - predicted) & 0xFF);
                }
            }
            java.util.zip.Deflater deflater = new java.util.zip.Deflater();
            deflater.setInput(raw.toByteArray());
            deflater.finish();
            byte[] buf = new byte[raw.size() * 2 + 64];
            int n = deflater.deflate(buf);
            deflater.end();
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            out.writeBytes(new byte[] {(byte) 0x89, 'P', 'N', 'G', '\r', '\n', 0x1A, '\n'});
            java.nio.ByteBuffer ihdr = java.nio.ByteBuffer.allocate(13).putInt(w).putInt(h).put((byte) 8).put((byte) 0);
            chunk(out, "IHDR", ihdr.array());
            // split the data over two IDAT chunks, as encoders may
            chunk(out, "IDAT", java.util.Arrays.copyOfRange(buf, 0, n / 2));
            chunk(out, "IDAT", java.util.Arrays.copyOfRange(buf, n / 2, n));
            chunk(out, "IEND", new byte[0]);
            return out.toByteArray();
        }

        private static int paeth(int a, int b, int c) {
            int p = a + b - c;
            int pa = Math.abs(p - a);
            int pb = Math.abs(p - b);
            int pc = Math.abs(p - c);
            return pa <= pb && pa <= pc ? a : pb <= pc ? b : c;
        }

        private static void chunk(ByteArrayOutputStream out, String type, byte[] data) {
            byte[] typeBytes = type.getBytes(java.nio.charset.StandardCharsets.US_ASCII);
            java.util.zip.CRC32 crc = new java.util.zip.CRC32();
            crc.update(typeBytes);
            crc.update(data);
            out.writeBytes(java.nio.ByteBuffer.allocate(4).putInt(data.length).array());
            out.writeBytes(typeBytes);
            out.writeBytes(data);
            out.writeBytes(java.nio.ByteBuffer.allocate(4).putInt((int) crc.getValue()).array());
        }
    }

    @Test
    void oneBitPixelsWidenToBlackAndWhite() throws IOException {
        Random rnd = new Random(8);
        int w = 37;
        int h = 11;
        BufferedImage image = new BufferedImage(w, h, BufferedImage.TYPE_BYTE_BINARY);
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                image.getRaster().setSample(x, y, 0, rnd.nextInt(2));
            }
        }
        GrayImage decoded = decode(image);
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                int want = image.getRaster().getSample(x, y, 0) == 0 ? 0 : 255;
                assertThat(decoded.data()[y * decoded.stride() + x] & 0xFF).isEqualTo(want);
            }
        }
    }

    @Test
    void aFlippedBitFailsTheChunkCrcNamingTheChunk() throws IOException {
        BufferedImage image = new BufferedImage(20, 20, BufferedImage.TYPE_BYTE_GRAY);
        byte[] png = png(image);
        png[png.length - 20] ^= 1; // inside the last IDAT
        assertThatThrownBy(() -> PngGray.decode(png, 0, png.length))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("IDAT").hasMessageContaining("CRC");
    }

    @Test
    void colorImagesAreRefused() throws IOException {
        byte[] png = png(new BufferedImage(4, 4, BufferedImage.TYPE_INT_RGB));
        assertThatThrownBy(() -> PngGray.decode(png, 0, png.length)).hasMessageContaining("color type 2");
    }

    @Test
    void notAPngIsSaidSo() {
        assertThatThrownBy(() -> PngGray.decode(new byte[] {1, 2, 3}, 0, 3)).hasMessage("not a PNG image");
    }

    private static GrayImage decode(BufferedImage image) throws IOException {
        byte[] png = png(image);
        return PngGray.decode(png, 0, png.length).gray();
    }

    private static byte[] png(BufferedImage image) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ImageIO.write(image, "png", out);
        return out.toByteArray();
    }
}
