package io.coldframe.segment;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.zip.GZIPOutputStream;
import org.bson.json.JsonMode;
import org.bson.json.JsonWriterSettings;

/**
 * Throwaway measurements (not a test): QR frames/s, docs/s for write+verify, bytes per doc vs gzip -9.
 * Run: java -cp target/test-classes:target/classes:$(deps) io.coldframe.segment.SegmentBench [docs] [threads]
 */
public final class SegmentBench {
    public static void main(String[] args) throws Exception {
        int docs = args.length > 0 ? Integer.parseInt(args[0]) : 3000;
        int threads = args.length > 1 ? Integer.parseInt(args[1]) : 1;
        String mode = args.length > 2 ? args[2] : "all";
        if (mode.equals("all") || mode.equals("qr")) {
            qr();
        }
        List<SegmentRecord> recs = TestDocs.memories(42, docs);
        if (mode.equals("all") || mode.equals("size")) {
            sizes(recs);
        }
        if (mode.equals("all") || mode.equals("seg")) {
            segment(recs, threads, SegmentOptions.DEFAULT_ZSTD_LEVEL, SegmentOptions.DEFAULT_BLOCK_TARGET_BYTES);
        }
        if (mode.equals("levels")) {
            for (int level : Integer.getInteger("levels.only") != null ? new int[] {Integer.getInteger("levels.only")} : new int[] {3, 9, 12, 15, 19}) {
                segment(recs, threads, level, SegmentOptions.DEFAULT_BLOCK_TARGET_BYTES);
            }
            for (int block : Integer.getInteger("levels.only") != null ? new int[0] : new int[] {32 << 10, 64 << 10, 256 << 10, 1 << 20}) {
                segment(recs, threads, SegmentOptions.DEFAULT_ZSTD_LEVEL, block);
            }
        }
    }

    static void qr() {
        QrCodec qr = new QrCodec(0, 1, 2);
        Random rnd = new Random(1);
        int n = 2000;
        byte[][] frames = new byte[n][];
        for (int i = 0; i < n; i++) {
            byte[] payload = new byte[FrameV2.PAYLOAD];
            rnd.nextBytes(payload);
            frames[i] = FrameV2.frame(0, 7, i, 15, 1, payload, 0, payload.length);
        }
        byte[][] gray = new byte[n][];
        for (int round = 0; round < 3; round++) {
            long t0 = System.nanoTime();
            byte[][] modules = new byte[n][];
            for (int i = 0; i < n; i++) {
                modules[i] = qr.encode(frames[i]);
            }
            long t1 = System.nanoTime();
            for (int i = 0; i < n; i++) {
                qr.renderMonoBlack(modules[i]);
            }
            long t2 = System.nanoTime();
            for (int i = 0; i < n; i++) {
                gray[i] = qr.renderGray(modules[i]);
            }
            long t3 = System.nanoTime();
            int ok = 0;
            for (int i = 0; i < n; i++) {
                QrCodec.Decoded d = qr.decode(new GrayImage(qr.side(), qr.side(), qr.side(), gray[i]));
                if (d != null && d.method() == QrCodec.Method.GRID_FAST && java.util.Arrays.equals(d.bytes(), frames[i])) {
                    ok++;
                }
            }
            long t4 = System.nanoTime();
            int z = 300;
            for (int i = 0; i < z; i++) {
                qr.encodeWithZxing(frames[i]);
            }
            long t5 = System.nanoTime();
            System.out.printf("QR, 1 thread, round %d: encode %.0f frames/s (zxing Encoder, fixed mask: %.0f), "
                    + "render 1-bit %.0f/s, grid-sample + decode %.0f frames/s (%d/%d on the fast path)%n", round,
                    n / ((t1 - t0) / 1e9), z / ((t5 - t4) / 1e9), n / ((t2 - t1) / 1e9), n / ((t4 - t3) / 1e9), ok, n);
        }
        // zxing's own decode paths, for reference
        QrCodec other = new QrCodec(0, 1, 3); // wrong geometry: forces the PURE_BARCODE path
        long t0 = System.nanoTime();
        int ok = 0;
        for (int i = 0; i < 300; i++) {
            QrCodec.Decoded d = other.decode(new GrayImage(qr.side(), qr.side(), qr.side(), gray[i]));
            ok += d != null && d.method() == QrCodec.Method.PURE_BARCODE ? 1 : 0;
        }
        System.out.printf("QR, 1 thread: zxing QRCodeReader PURE_BARCODE fallback %.0f frames/s (%d/300)%n",
                300 / ((System.nanoTime() - t0) / 1e9), ok);
    }

    static void sizes(List<SegmentRecord> recs) throws Exception {
        JsonWriterSettings relaxed = JsonWriterSettings.builder().outputMode(JsonMode.RELAXED).build();
        ByteArrayOutputStream json = new ByteArrayOutputStream();
        long bson = 0;
        for (SegmentRecord r : recs) {
            json.write(r.document().toJson(relaxed).getBytes(StandardCharsets.UTF_8));
            json.write('\n');
            bson += BsonBytes.of(r.document()).length;
        }
        ByteArrayOutputStream gz = new ByteArrayOutputStream();
        try (GZIPOutputStream g = new GZIPOutputStream(gz) {
            {
                def.setLevel(9);
            }
        }) {
            json.writeTo(g);
        }
        int n = recs.size();
        System.out.printf("docs %d: JSON %.0f B/doc, BSON %.0f B/doc, gzip -9 of JSON lines %.0f B/doc%n", n,
                json.size() / (double) n, bson / (double) n, gz.size() / (double) n);
    }

    static void segment(List<SegmentRecord> recs, int threads, int level, int block) throws Exception {
        Path dir = Files.createTempDirectory("bench");
        SegmentOptions opts = SegmentOptions.builder().threads(threads).zstdLevel(level).blockTargetBytes(block).build();
        SegmentWriter w = new SegmentWriter(opts);
        w.write("warm", recs.subList(0, Math.min(300, recs.size())), dir); // JIT warm-up
        try (SegmentReader r = SegmentReader.open(dir.resolve("warm.mkv"), opts)) {
            r.verify();
        }
        com.sun.management.OperatingSystemMXBean os =
                (com.sun.management.OperatingSystemMXBean) java.lang.management.ManagementFactory.getOperatingSystemMXBean();
        long c0 = os.getProcessCpuTime();
        long t0 = System.nanoTime();
        SegmentManifest m = w.write("bench", recs, dir);
        long t1 = System.nanoTime();
        long c1 = os.getProcessCpuTime();
        VerificationReport rep;
        try (SegmentReader r = SegmentReader.open(dir.resolve("bench.mkv"), opts)) {
            rep = r.verify();
        }
        long t2 = System.nanoTime();
        long c2 = os.getProcessCpuTime();
        List<Long> gets = new ArrayList<>();
        try (SegmentReader r = SegmentReader.open(dir.resolve("bench.mkv"), opts)) {
            Random rnd = new Random(3);
            for (int i = 0; i < 50; i++) {
                long g0 = System.nanoTime();
                r.get(recs.get(rnd.nextInt(recs.size())).memoryId()).orElseThrow();
                gets.add(System.nanoTime() - g0);
            }
        }
        gets.sort(null);
        int n = recs.size();
        double ws = (t1 - t0) / 1e9;
        double vs = (t2 - t1) / 1e9;
        System.out.printf("level %d block %dK threads %d: %d frames, video %.0f B/doc (zstd %.0f B/doc, frames %.2fx stream); "
                + "write %.2fs (%.0f docs/s, %.0f frames/s), verify %.2fs (%.0f docs/s, %.0f frames/s), "
                + "write+verify %.0f docs/s; get median %.1f ms; ok=%s%n",
                level, block >> 10, threads, m.frameCount(), m.videoBytes() / (double) n, m.compressedBytes() / (double) n,
                m.videoBytes() / (double) m.streamBytes(), ws, n / ws, m.frameCount() / ws, vs, n / vs,
                m.frameCount() / vs, n / (ws + vs), gets.get(gets.size() / 2) / 1e6, rep.ok());
        System.out.printf("  CPU time: write %.2fs, verify %.2fs -> %.0f docs per CPU-second for write+verify "
                + "(write %.0f frames per CPU-second, verify %.0f)%n", (c1 - c0) / 1e9, (c2 - c1) / 1e9,
                n / ((c2 - c0) / 1e9), m.frameCount() / ((c1 - c0) / 1e9), m.frameCount() / ((c2 - c1) / 1e9));
        for (Path p : Files.list(dir).toList()) {
            Files.delete(p);
        }
        Files.delete(dir);
    }
}
