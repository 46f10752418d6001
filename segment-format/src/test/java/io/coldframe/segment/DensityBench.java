package io.coldframe.segment;

import com.github.luben.zstd.Zstd;
import java.io.ByteArrayOutputStream;
import java.lang.management.ManagementFactory;
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
 * Measures bytes stored per memory (video + sidecar) against gzip -9 and zstd -19 of the same JSON lines,
 * encode + full verify documents per CPU-second and get-by-id latency on fresh readers, for the chat corpus
 * and the demo's generated memories, in segments of 2,000 records (the archiver's batch).
 * Run (under the build lock): java -cp target/test-classes:target/classes:$(deps) io.coldframe.segment.DensityBench [chat|demo|both] [docs]
 */
public final class DensityBench {
    private static final int SEGMENT = 2000;

    public static void main(String[] args) throws Exception {
        String which = args.length > 0 ? args[0] : "both";
        int docs = args.length > 1 ? Integer.parseInt(args[1]) : 6000;
        SegmentOptions opts = SegmentOptions.builder().threads(2)
                .quietZoneModules(Integer.getInteger("quiet", SegmentOptions.defaults().quietZoneModules()))
                .zstdLevel(Integer.getInteger("level", SegmentOptions.DEFAULT_ZSTD_LEVEL))
                .blockTargetBytes(Integer.getInteger("block", SegmentOptions.DEFAULT_BLOCK_TARGET_BYTES)).build();
        System.out.println(opts);
        if (!which.equals("demo")) {
            run("chat", ChatCorpus.memories(1, docs), opts);
        }
        if (!which.equals("chat")) {
            run("demo", DemoMemories.memories(42, docs), opts);
        }
    }

    static void run(String name, List<SegmentRecord> recs, SegmentOptions opts) throws Exception {
        JsonWriterSettings relaxed = JsonWriterSettings.builder().outputMode(JsonMode.RELAXED).build();
        ByteArrayOutputStream json = new ByteArrayOutputStream();
        for (SegmentRecord r : recs) {
            json.write(r.document().toJson(relaxed).getBytes(StandardCharsets.UTF_8));
            json.write('\n');
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
        double gzip = gz.size() / (double) n;
        double zstd = Zstd.compress(json.toByteArray(), 19).length / (double) n;
        System.out.printf("%s: %d docs, JSON %.0f B/doc, gzip -9 %.1f, zstd -19 %.1f%n", name, n, json.size() / (double) n,
                gzip, zstd);
        if (Boolean.getBoolean("sizesOnly")) {
            return;
        }

        Path dir = Files.createTempDirectory("density");
        SegmentWriter w = new SegmentWriter(opts);
        w.write("warm", recs.subList(0, Math.min(500, n)), dir);
        try (SegmentReader r = SegmentReader.open(dir.resolve("warm.mkv"), opts)) {
            r.verify();
        }
        com.sun.management.OperatingSystemMXBean os =
                (com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
        long c0 = os.getProcessCpuTime();
        long stored = 0;
        long video = 0;
        long stream = 0;
        long index = 0;
        long frames = 0;
        List<String> ids = new ArrayList<>();
        for (int s = 0; s * SEGMENT < n; s++) {
            List<SegmentRecord> part = recs.subList(s * SEGMENT, Math.min(n, (s + 1) * SEGMENT));
            SegmentManifest m = w.write("seg-" + s, part, dir);
            try (SegmentReader r = SegmentReader.open(dir.resolve("seg-" + s + ".mkv"), opts)) {
                VerificationReport rep = r.verify();
                if (!rep.clean()) {
                    throw new AssertionError(rep);
                }
            }
            video += m.videoBytes();
            stored += m.videoBytes() + Files.size(dir.resolve(SegmentManifest.fileNameFor("seg-" + s)));
            stream += m.streamBytes();
            index += m.blocks().isEmpty() ? 0 : m.blocks().get(0).streamOffset();
            frames += m.frameCount();
            ids.add(part.get(part.size() / 3).memoryId());
        }
        long c1 = os.getProcessCpuTime();
        List<Long> gets = new ArrayList<>();
        Random rnd = new Random(3);
        int segments = (n + SEGMENT - 1) / SEGMENT;
        for (int i = 0; i < 60; i++) {
            int s = rnd.nextInt(segments);
            String id = recs.get(Math.min(n - 1, s * SEGMENT + rnd.nextInt(SEGMENT))).memoryId();
            long g0 = System.nanoTime();
            try (SegmentReader r = SegmentReader.open(dir.resolve("seg-" + s + ".mkv"), opts)) {
                r.get(id).orElseThrow();
            }
            gets.add(System.nanoTime() - g0);
        }
        gets.sort(null);
        System.out.printf("  stored %.1f B/doc = %.2fx gzip -9, %.2fx zstd -19 (video %.1f, sidecar %.1f; stream %.1f of which "
                + "index %.1f; video/stream %.3f, %.0f B/frame)%n", stored / (double) n, stored / (double) n / gzip,
                stored / (double) n / zstd, video / (double) n, (stored - video) / (double) n, stream / (double) n,
                index / (double) n, video / (double) stream, video / (double) frames);
        System.out.printf("  encode+verify %.0f docs per CPU-second; get on a fresh reader p50 %.1f ms, p95 %.1f ms%n",
                n / ((c1 - c0) / 1e9), gets.get(gets.size() / 2) / 1e6, gets.get(gets.size() * 95 / 100) / 1e6);
        for (Path p : Files.list(dir).toList()) {
            Files.delete(p);
        }
        Files.delete(dir);
    }
}
