package io.coldframe.cli.segment;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import io.coldframe.cli.JsonlDocuments;
import io.coldframe.cli.ToolCommand;
import io.coldframe.segment.SegmentManifest;
import io.coldframe.segment.BlockCompression;
import io.coldframe.segment.SegmentOptions;
import io.coldframe.segment.SegmentReader;
import io.coldframe.segment.SegmentRecord;
import io.coldframe.segment.SegmentWriter;
import io.coldframe.segment.VerificationReport;
import io.coldframe.segment.VideoCodec;

import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(name = "encode", mixinStandardHelpOptions = true,
        description = {"Archives memory documents into segment files, then reads every segment back and verifies it.",
                "Input: JSONL, one MongoDB Extended JSON document per line, each with an _id (its canonical Extended JSON "
                        + "becomes the memory id). Output: ID.mkv and ID.manifest.json in the --out directory."})
public final class SegmentEncodeCommand extends ToolCommand {

    @Parameters(index = "0", paramLabel = "INPUT.jsonl", description = "The documents; - reads stdin (then --id is required).")
    Path input;

    @Option(names = {"-o", "--out"}, required = true, paramLabel = "DIR",
            description = "Directory for the segment files (created if missing).")
    Path outDir;

    @Option(names = {"--id", "--segment-id"}, paramLabel = "ID",
            description = "Segment id, names the files (letters, digits, . _ -). Default: the input file name without extension.")
    String segmentId;

    @Option(names = "--records-per-segment", paramLabel = "N",
            description = "Write segments of at most N records, named ID-00000, ID-00001, ... (default: one segment).")
    Integer recordsPerSegment;

    @Option(names = "--zstd-level", paramLabel = "LEVEL", defaultValue = "" + SegmentOptions.DEFAULT_ZSTD_LEVEL,
            description = "zstd level 1..22 for the blocks (default: ${DEFAULT-VALUE}).")
    int zstdLevel;

    @Option(names = "--block-compression", paramLabel = "CODEC", defaultValue = "zstd-bzip2",
            description = "How blocks are compressed: zstd-bzip2 (zstd, with bzip2 for each block's long text), zstd "
                    + "or lzma2 (default: ${DEFAULT-VALUE}; docs/segment-format.md). Readers read all three.")
    String blockCompression;

    @Option(names = "--block-size", paramLabel = "KIB", defaultValue = "" + SegmentOptions.DEFAULT_BLOCK_TARGET_BYTES / 1024,
            description = "Uncompressed block size target in KiB (default: ${DEFAULT-VALUE}); get by id decodes one block.")
    int blockKib;

    @Option(names = "--codec", paramLabel = "CODEC", defaultValue = "PNG_MONO",
            description = "Video codec: ${COMPLETION-CANDIDATES} (default: ${DEFAULT-VALUE}). X264_LOSSLESS needs GPL FFmpeg "
                    + "natives; MJPEG is lossy and needs --allow-lossy.")
    VideoCodec codec;

    @Option(names = "--allow-lossy",
            description = "Permit a lossy codec (MJPEG). Archives should be lossless; verification is the safety net.")
    boolean allowLossy;

    @Option(names = "--module-size", paramLabel = "PX",
            description = "Pixels per QR module (default: 1, or 4 with a lossy codec, which needs at least 3).")
    Integer moduleSizePx;

    @Option(names = "--threads", paramLabel = "N", description = "Worker threads (default: the number of cores, at most 4).")
    Integer threads;

    @Option(names = "--verify", negatable = true, defaultValue = "true", fallbackValue = "true",
            description = "Read every segment back and verify it after writing (default: on).")
    boolean verify;

    @Option(names = "--force", description = "Overwrite segments that already exist in the output directory.")
    boolean force;

    private static final Pattern SEGMENT_ID = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]*");

    /** Where {@code -} reads from; tests replace it. */
    InputStream stdin = System.in;

    @Override
    protected int run() throws Exception {
        String baseId = segmentId != null ? segmentId : defaultId(input);
        if (recordsPerSegment != null && recordsPerSegment < 1) {
            return fail(USAGE, "--records-per-segment must be at least 1");
        }
        int maxLength = recordsPerSegment == null ? 200 : 194; // room for "-nnnnn"
        if (!SEGMENT_ID.matcher(baseId).matches() || baseId.length() > maxLength) {
            return fail(USAGE, "segment id must be 1-" + maxLength + " letters, digits, '.', "
                    + "'_' or '-', starting with a letter or digit (it names the files): " + baseId);
        }
        SegmentOptions options = options();
        checkTargets(baseId);
        SegmentWriter writer = new SegmentWriter(options);
        int per = recordsPerSegment != null ? recordsPerSegment : Integer.MAX_VALUE;
        long records = 0;
        long stored = 0;
        long videoTotal = 0;
        int segments = 0;
        int failed = 0;
        try (JsonlDocuments in = JsonlDocuments.open(input, stdin)) {
            while (true) {
                List<SegmentRecord> batch = in.next(per); // one segment's worth: the input is never held whole
                if (batch.isEmpty() && segments > 0) {
                    break;
                }
                String id = recordsPerSegment == null ? baseId : String.format("%s-%05d", baseId, segments);
                SegmentManifest manifest = writer.write(id, batch, outDir);
                Path video = outDir.resolve(id + ".mkv");
                SegmentSummary summary = SegmentSummary.of(video, manifest);
                segments++;
                records += batch.size();
                stored += summary.storedBytes();
                videoTotal += manifest.videoBytes();
                String verdict = "not verified (--no-verify)";
                VerificationReport report = null;
                if (verify) {
                    try (SegmentReader reader = SegmentReader.open(video, options)) {
                        report = reader.verify();
                    }
                    verdict = report.ok() ? "verified OK" : "VERIFICATION FAILED";
                }
                out().printf("wrote %s: %,d records (%,d unique), %,d frames, video %,d B, manifest %,d B; %s%n",
                        video, manifest.recordCount(), manifest.uniqueRecordCount(), manifest.frameCount(),
                        manifest.videoBytes(), summary.manifestBytes(), verdict);
                out().flush();
                if (report != null && !report.ok()) {
                    failed++;
                    for (String problem : report.problems()) {
                        out().println("  " + problem);
                    }
                }
                if (recordsPerSegment == null) {
                    break;
                }
            }
            out().printf("encoded %,d records (%,d B of JSONL) into %,d segment(s) in %s: %,d B stored (video %,d B + "
                    + "manifests %,d B), %.3f of the input%n", records, in.size(), segments, outDir, stored, videoTotal,
                    stored - videoTotal, SegmentSummary.ratio(stored, in.size()));
        }
        if (failed > 0) {
            return fail(FAILED, failed + " of " + segments + " segment(s) failed verification after writing");
        }
        return OK;
    }

    private SegmentOptions options() {
        boolean lossy = !codec.lossless();
        SegmentOptions.Builder b = SegmentOptions.builder().zstdLevel(zstdLevel).blockTargetBytes(blockKib * 1024)
                .blockCompression(BlockCompression.named(blockCompression))
                .codec(codec).allowLossy(allowLossy).moduleSizePx(moduleSizePx != null ? moduleSizePx : lossy ? 4 : 1);
        if (threads != null) {
            b.threads(threads);
        }
        return b.build(); // IllegalArgumentException (exit code 2) names the bad setting
    }

    /** Refuses to overwrite: the segment, or with --records-per-segment any ID-nnnnn segment, must not exist yet. */
    private void checkTargets(String baseId) throws IOException {
        Files.createDirectories(outDir);
        if (force) {
            return;
        }
        Pattern ours = recordsPerSegment == null ? Pattern.compile(Pattern.quote(baseId))
                : Pattern.compile(Pattern.quote(baseId) + "-\\d{5,}");
        try (Stream<Path> files = Files.list(outDir)) {
            for (Path p : files.toList()) {
                String name = p.getFileName().toString();
                String suffix = name.endsWith(".mkv") ? ".mkv" : name.endsWith(SegmentPaths.MANIFEST_SUFFIX)
                        ? SegmentPaths.MANIFEST_SUFFIX : null;
                String stem = suffix == null ? null : name.substring(0, name.length() - suffix.length());
                if (stem != null && ours.matcher(stem).matches()) {
                    throw new Failure(USAGE, "segment " + stem + " already exists (" + p + "); use --force to overwrite it");
                }
            }
        }
    }

    /** The input file's name without extension(s), reduced to the characters a segment id may hold. */
    static String defaultId(Path input) {
        if (input.toString().equals("-")) {
            throw new Failure(USAGE, "reading stdin: give the segment id with --id");
        }
        String name = input.getFileName().toString();
        for (String ext : List.of(".jsonl", ".ndjson", ".json", ".txt")) {
            if (name.toLowerCase().endsWith(ext) && name.length() > ext.length()) {
                name = name.substring(0, name.length() - ext.length());
                break;
            }
        }
        String id = name.replaceAll("[^A-Za-z0-9._-]", "-");
        if (id.isEmpty() || !Character.isLetterOrDigit(id.charAt(0)) || id.charAt(0) > 127) {
            id = "s" + id;
        }
        return id.length() > 190 ? id.substring(0, 190) : id;
    }
}
