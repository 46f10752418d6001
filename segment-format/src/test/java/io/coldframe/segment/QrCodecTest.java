package io.coldframe.segment;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Random;
import org.junit.jupiter.api.Test;

class QrCodecTest {

    private static byte[] frame(Random rnd, int payloadLen) {
        byte[] payload = new byte[payloadLen];
        rnd.nextBytes(payload);
        return FrameV2.frame(0, 0xabcd, 3, 15, 1, payload, 0, payloadLen);
    }

    private static GrayImage gray(QrCodec qr, byte[] modules) {
        return new GrayImage(qr.side(), qr.side(), qr.side(), qr.renderGray(modules));
    }

    @Test
    void fastEncoderDrawsExactlyWhatZxingDrawsForEveryMaskAndLength() {
        Random rnd = new Random(42);
        int[] lengths = {0, 1, 2, 3, 100, 1000, 2929, 2930, FrameV2.PAYLOAD};
        for (int mask = 0; mask < 8; mask++) {
            QrCodec qr = new QrCodec(mask, 1, 2);
            for (int len : lengths) {
                byte[] f = frame(rnd, len);
                assertThat(qr.encode(f)).as("mask %d, payload %d", mask, len).isEqualTo(qr.encodeWithZxing(f));
            }
        }
        // and bare content of every length class zxing pads differently (no frame header)
        QrCodec qr = new QrCodec(0, 1, 2);
        for (int len = 1; len <= 40; len++) {
            byte[] c = new byte[len];
            rnd.nextBytes(c);
            c[0] = (byte) 0xC0; // a non-ASCII byte keeps zxing in byte mode, as the frame magic does
            assertThat(qr.encode(c)).as("len %d", len).isEqualTo(qr.encodeWithZxing(c));
        }
    }

    @Test
    void cleanFramesDecodeOnTheFastPath() {
        Random rnd = new Random(1);
        QrCodec qr = new QrCodec(0, 1, 2);
        for (int i = 0; i < 20; i++) {
            byte[] f = frame(rnd, rnd.nextInt(QrCodec.PAYLOAD_CAPACITY + 1));
            QrCodec.Decoded d = qr.decode(gray(qr, qr.encode(f)));
            assertThat(d.method()).isEqualTo(QrCodec.Method.GRID_FAST);
            assertThat(d.bytes()).isEqualTo(f);
        }
    }

    @Test
    void damagedModulesAreCorrectedByZxingsReedSolomonPath() {
        Random rnd = new Random(2);
        QrCodec qr = new QrCodec(0, 1, 2);
        byte[] f = frame(rnd, QrCodec.PAYLOAD_CAPACITY);
        GrayImage img = gray(qr, qr.encode(f));
        // flip 40 pixels inside the symbol, away from the finder patterns
        for (int i = 0; i < 40; i++) {
            int x = 20 + rnd.nextInt(140);
            int y = 20 + rnd.nextInt(140);
            img.data()[y * img.stride() + x] ^= (byte) 0xff;
        }
        QrCodec.Decoded d = qr.decode(img);
        assertThat(d).isNotNull();
        assertThat(d.method()).isEqualTo(QrCodec.Method.GRID);
        assertThat(d.bytes()).isEqualTo(f);
    }

    @Test
    void framesWithoutQuietZoneDecodeOnTheGridAndDamagedModulesAreStillCorrected() {
        Random rnd = new Random(5);
        QrCodec qr = new QrCodec(0, 1, 0);
        assertThat(qr.side()).isEqualTo(178);
        byte[] f = frame(rnd, QrCodec.PAYLOAD_CAPACITY);
        assertThat(qr.decode(gray(qr, qr.encode(f))).method()).isEqualTo(QrCodec.Method.GRID_FAST);
        GrayImage img = gray(qr, qr.encode(f));
        for (int i = 0; i < 40; i++) { // modules along the edges too: no quiet zone protects them
            int x = rnd.nextInt(177);
            int y = 10 + rnd.nextInt(157);
            img.data()[y * img.stride() + x] ^= (byte) 0xff;
        }
        QrCodec.Decoded d = qr.decode(img);
        assertThat(d).isNotNull();
        assertThat(d.method()).isEqualTo(QrCodec.Method.GRID);
        assertThat(d.bytes()).isEqualTo(f);
    }

    @Test
    void zxingsPureBarcodeReaderReadsFramesWithoutQuietZone() {
        // what an independent reader written from the spec may use (SpecReaderV2 does)
        Random rnd = new Random(6);
        QrCodec drawn = new QrCodec(3, 1, 0);
        byte[] f = frame(rnd, QrCodec.PAYLOAD_CAPACITY);
        QrCodec.Decoded d = new QrCodec(3, 1, 2).decode(gray(drawn, drawn.encode(f)));
        assertThat(d).isNotNull();
        assertThat(d.method()).isEqualTo(QrCodec.Method.PURE_BARCODE);
        assertThat(d.bytes()).isEqualTo(f);
    }

    @Test
    void unexpectedGeometryFallsBackToZxingsReaders() {
        Random rnd = new Random(3);
        byte[] f = frame(rnd, 500);
        QrCodec drawn = new QrCodec(5, 3, 4); // 3 px modules, 4-module quiet zone
        QrCodec expectingOnePixel = new QrCodec(5, 1, 2);
        QrCodec.Decoded d = expectingOnePixel.decode(gray(drawn, drawn.encode(f)));
        assertThat(d).isNotNull();
        assertThat(d.method()).isEqualTo(QrCodec.Method.PURE_BARCODE);
        assertThat(d.bytes()).isEqualTo(f);

        // a stray dark pixel in the quiet zone defeats PURE_BARCODE; the full detector still finds it
        GrayImage img = gray(drawn, drawn.encode(f));
        img.data()[2 * img.stride() + 2] = 0;
        d = expectingOnePixel.decode(img);
        assertThat(d).isNotNull();
        assertThat(d.method()).isEqualTo(QrCodec.Method.DETECTED);
        assertThat(d.bytes()).isEqualTo(f);
    }

    @Test
    void noiseIsNotDecodable() {
        Random rnd = new Random(4);
        QrCodec qr = new QrCodec(0, 1, 2);
        byte[] noise = new byte[qr.side() * qr.side()];
        rnd.nextBytes(noise);
        assertThat(qr.decode(new GrayImage(qr.side(), qr.side(), qr.side(), noise))).isNull();
    }

    @Test
    void packedFramesOfEveryMaskAndGeometryDecodeOnTheFastPath() {
        Random rnd = new Random(6);
        for (int mask = 0; mask < 8; mask++) {
            for (int[] geometry : new int[][] {{1, 0}, {1, 2}, {2, 0}, {3, 1}}) {
                QrCodec qr = new QrCodec(mask, geometry[0], geometry[1]);
                for (int i = 0; i < 4; i++) {
                    byte[] f = frame(rnd, i == 0 ? QrCodec.PAYLOAD_CAPACITY : rnd.nextInt(QrCodec.PAYLOAD_CAPACITY + 1));
                    int stride = (qr.side() + 7) / 8;
                    QrCodec.Decoded d = qr.decode(new MonoImage(qr.side(), qr.side(), stride, qr.renderMonoBlack(qr.encode(f)), 0));
                    assertThat(d.method()).as("mask %d, module %d px, quiet zone %d", mask, geometry[0], geometry[1])
                            .isEqualTo(QrCodec.Method.GRID_FAST);
                    assertThat(d.bytes()).isEqualTo(f);
                }
            }
        }
    }

    @Test
    void monoRenderingMatchesGrayRendering() {
        QrCodec qr = new QrCodec(0, 1, 2);
        byte[] m = qr.encode(frame(new Random(5), 100));
        byte[] gray = qr.renderGray(m);
        byte[] mono = qr.renderMonoBlack(m);
        int stride = (qr.side() + 7) / 8;
        for (int y = 0; y < qr.side(); y++) {
            for (int x = 0; x < qr.side(); x++) {
                boolean white = (mono[y * stride + (x >>> 3)] & (0x80 >>> (x & 7))) != 0;
                assertThat(white).isEqualTo(gray[y * qr.side() + x] != 0);
            }
        }
    }

    @Test
    void frameHeaderCatchesCorruption() {
        byte[] f = frame(new Random(6), 50);
        FrameV2.Parsed p = FrameV2.parse(f);
        assertThat(p.position()).isEqualTo(3);
        assertThat(p.k()).isEqualTo(15);
        assertThat(p.m()).isEqualTo(1);
        assertThat(p.parity()).isFalse();
        assertThat(p.segmentHash()).isEqualTo(0xabcd);
        assertThat(p.payload()).hasSize(50);
        f[30] ^= 1;
        assertThat(FrameV2.intact(f)).isFalse();
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> FrameV2.parse(f)).hasMessageContaining("CRC-32");
    }
}
