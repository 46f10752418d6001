package io.coldframe.cli.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import io.coldframe.bench.Results;
import io.coldframe.bench.SegmentBenchmark;
import io.coldframe.cli.ColdframeCli;
import io.coldframe.cli.JsonlDocuments;
import io.coldframe.cli.TerminalProgress;
import io.coldframe.cli.ToolCommand;
import io.coldframe.segment.BlockCompression;
import io.coldframe.segment.SegmentOptions;

import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(name = "segment", mixinStandardHelpOptions = true,
        description = {"Measures the segment format and writes the results as JSON: density against gzip -9 and zstd -19 "
                + "of the same JSON lines, encode+verify and decode docs per CPU-second, get-by-id latency over an archive of "
                + "at least 1,000 segments, and a memvid-style baseline (QR version 35-M, 5 px modules, lossy video).",
                "Without --corpus it uses the demo's generated memories with a fixed seed and anchor date, so every run "
                        + "measures the same documents. The standard run takes 2-3 minutes on 2 cores."})
public final class BenchSegmentCommand extends ToolCommand {

    @Option(names = "--corpus", paramLabel = "FILE.jsonl",
            description = "Measure these documents instead (one Extended JSON document per line, each with an _id).")
    Path corpus;

    @Option(names = "--docs", defaultValue = "5000", description = "Generated documents (default: ${DEFAULT-VALUE}).")
    int docs;

    @Option(names = "--seed", defaultValue = "42", description = "Seed of the generated documents (default: ${DEFAULT-VALUE}).")
    long seed;

    @Option(names = "--anchor", defaultValue = "2025-01-01",
            description = "Generated ages count back from this UTC date (default: ${DEFAULT-VALUE}).")
    LocalDate anchor;

    @Option(names = {"-o", "--out"}, required = true, paramLabel = "FILE.json", description = "Where to write the results.")
    Path out;

    @Option(names = "--segment-records", defaultValue = "" + SegmentBenchmark.ARCHIVER_BATCH_RECORDS,
            description = "Records per segment of the measured archive (default: ${DEFAULT-VALUE}, the archiver's default batch).")
    int segmentRecords;

    @Option(names = "--rounds", defaultValue = "5",
            description = "Times the encode+verify and decode phases are run; the median is reported (default: ${DEFAULT-VALUE}).")
    int rounds;

    @Option(names = "--get-segments", defaultValue = "1000",
            description = "Segments of the get-by-id archive (default: ${DEFAULT-VALUE}; fewer if there are fewer docs).")
    int getSegments;

    @Option(names = "--gets", defaultValue = "300", description = "Timed gets by random id (default: ${DEFAULT-VALUE}).")
    int gets;

    @Option(names = "--process-gets", defaultValue = "5",
            description = "Also time this many whole `segment get` processes, JVM start included (default: ${DEFAULT-VALUE}; 0: skip).")
    int processGets;

    @Option(names = "--memvid-docs", defaultValue = "100",
            description = "Documents in the memvid-style baseline sample (default: ${DEFAULT-VALUE}; 0: skip; ~2 frames/s per doc).")
    int memvidDocs;

    @Option(names = "--memvid-literal-frames", defaultValue = "20",
            description = "Frames also tried at memvid's own 256x256 frame size (default: ${DEFAULT-VALUE}; 0: skip).")
    int memvidLiteralFrames;

    @Option(names = "--zstd-level", paramLabel = "LEVEL", description = "zstd level of the segments (default: the library's, "
            + SegmentOptions.DEFAULT_ZSTD_LEVEL + ").")
    Integer zstdLevel;

    @Option(names = "--block-compression", paramLabel = "CODEC", description = "zstd-bzip2, zstd or lzma2 for the "
            + "blocks (default: the library's, zstd-bzip2).")
    String blockCompression;

    @Option(names = "--threads", paramLabel = "N",
            description = "Worker threads of writer and reader (default: the number of cores, at most 4).")
    Integer threads;

    @Option(names = "--work-dir", paramLabel = "DIR",
            description = "Write the archives in a new directory inside DIR (default: the system temporary directory).")
    Path workDir;

    @Option(names = "--keep", description = "Keep the archives written (default: delete them).")
    boolean keep;

    @Override
    protected int run() throws Exception {
        if (docs < 1 || segmentRecords < 1 || rounds < 1 || getSegments < 1 || gets < 1 || processGets < 0 || memvidDocs < 0
                || memvidLiteralFrames < 0) {
            return fail(USAGE, "--docs, --segment-records, --rounds, --get-segments and --gets must be at least 1, "
                    + "the others at least 0");
        }
        if (corpus != null && corpus.toString().equals("-")) {
            return fail(USAGE, "--corpus needs a file (the benchmark reads it twice)");
        }
        long started = System.nanoTime();
        SegmentOptions.Builder ob = SegmentOptions.builder();
        if (zstdLevel != null) {
            ob.zstdLevel(zstdLevel);
        }
        if (threads != null) {
            ob.threads(threads);
        }
        if (blockCompression != null) {
            try {
                ob.blockCompression(BlockCompression.named(blockCompression));
            } catch (IllegalArgumentException e) {
                return fail(USAGE, e.getMessage());
            }
        }
        SegmentOptions options = ob.build();
        Map<String, SegmentBenchmark.Corpus> corpora = new LinkedHashMap<>();
        if (corpus != null) {
            corpora.put("file", fromFile());
        } else {
            // the two standard corpora, side by side: the demo's memories (30% with embeddings) and short chat turns
            corpora.put("demo", SegmentBenchmark.Corpus.generated(seed, anchor, docs));
            corpora.put("chat", SegmentBenchmark.Corpus.chat(seed, docs));
        }
        // always a fresh directory of our own (inside --work-dir if given), so deleting it deletes only what we wrote
        Path dir = workDir != null ? Files.createTempDirectory(Files.createDirectories(workDir), "coldframe-bench-")
                : Files.createTempDirectory("coldframe-bench-");
        Map<String, Object> results = new LinkedHashMap<>();
        try {
            for (Map.Entry<String, SegmentBenchmark.Corpus> c : corpora.entrySet()) {
                err().printf("corpus %s%n", c.getKey());
                SegmentBenchmark bench = new SegmentBenchmark(new SegmentBenchmark.Settings(options, segmentRecords, rounds, getSegments,
                        gets, memvidDocs, memvidLiteralFrames, processGets, segmentGetCommand(),
                        Files.createDirectories(dir.resolve(c.getKey()))), message -> {
                            err().printf("[%6.1f s] %s%n", (System.nanoTime() - started) / 1e9, message);
                            err().flush();
                        }, TerminalProgress.factory(100));
                results.put(c.getKey(), bench.run(c.getValue()));
            }
        } finally {
            if (!keep) {
                deleteTree(dir);
            } else {
                note("archives kept in " + dir);
            }
        }
        Map<String, Object> result = new LinkedHashMap<>();
        result.put("benchmark", "segment");
        result.put("corpora", results);
        result.put("run_seconds", Results.round((System.nanoTime() - started) / 1e9, 1));
        Results.write(out, result);
        results.forEach((name, r) -> {
            out().print(name + ": ");
            @SuppressWarnings("unchecked")
            Map<String, Object> one = (Map<String, Object>) r;
            printSummary(one);
        });
        out().println("results written to " + out);
        return OK;
    }

    private SegmentBenchmark.Corpus fromFile() throws IOException {
        JsonlDocuments.Read read = JsonlDocuments.read(corpus, System.in);
        Map<String, Object> description = new LinkedHashMap<>();
        description.put("source", "file");
        description.put("file", corpus.toString());
        description.put("jsonl", "the file as given");
        return new SegmentBenchmark.Corpus(description, read.records(), Files.readAllBytes(corpus));
    }

    /** {@code coldframe segment get} in a new JVM on this command line's own classpath. */
    private static List<String> segmentGetCommand() {
        return List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-cp",
                System.getProperty("java.class.path"), ColdframeCli.class.getName(), "segment", "get");
    }

    private void printSummary(Map<String, Object> r) {
        @SuppressWarnings("unchecked")
        Map<String, Object> perDoc = (Map<String, Object>) r.get("bytes_per_doc");
        @SuppressWarnings("unchecked")
        Map<String, Object> met = (Map<String, Object>) ((Map<String, Object>) r.get("targets")).get("met");
        out().printf("docs %s; bytes/doc: raw JSONL %s, gzip -9 %s, zstd -19 %s, coldframe %s (video %s + manifest %s)%s%n",
                r.get("docs"), perDoc.get("raw_jsonl"), perDoc.get("gzip9"), perDoc.get("zstd19"), perDoc.get("archive"),
                perDoc.get("archive_video"), perDoc.get("archive_manifest"),
                perDoc.containsKey("memvid_style") ? ", memvid-style " + perDoc.get("memvid_style") : "");
        out().printf("archive_vs_gzip9 %s (%s); encode+verify %s docs/s per core (%s); decode %s docs/s per core; "
                + "get by id p50 %s ms, p95 %s ms (%s)%n", r.get("archive_vs_gzip9"), verdict(met, "archive_vs_gzip9"),
                r.get("encode_verify_docs_per_s_per_core"), verdict(met, "encode_verify_docs_per_s_per_core"),
                r.get("decode_docs_per_s_per_core"), r.get("get_by_id_p50_ms"), r.get("get_by_id_p95_ms"),
                verdict(met, "get_by_id_p95_ms"));
    }

    private static String verdict(Map<String, Object> met, String key) {
        return Boolean.TRUE.equals(met.get(key)) ? "target met" : "TARGET MISSED";
    }

    private static void deleteTree(Path dir) throws IOException {
        if (!Files.exists(dir)) {
            return;
        }
        try (Stream<Path> walk = Files.walk(dir)) {
            for (Path p : walk.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        }
    }
}
