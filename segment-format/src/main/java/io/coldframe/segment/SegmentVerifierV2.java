package io.coldframe.segment;

import java.io.IOException;
import java.nio.file.Files;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Future;

/**
 * Full verification of a v2 segment (spec section "Verification (v2)"): every frame read and placed by
 * its header, every parity group checked and rebuilt where it lost no more than its parity count, then
 * the index, every block's SHA-256 and decompression and every record's decoding. Never throws for bad
 * data; names every repair and every problem it could not repair.
 */
final class SegmentVerifierV2 {
    private final SegmentReaderV2 reader;
    private final List<String> problems = new ArrayList<>();
    private final List<String> repairs = new ArrayList<>();

    SegmentVerifierV2(SegmentReaderV2 reader) {
        this.reader = reader;
    }

    VerificationReport run() {
        SegmentManifest manifest = reader.manifest();
        FrameLayout layout = reader.layout();
        int framesRead = 0;
        int verified = 0;
        try {
            checkFile();
            Map<Integer, SegmentReaderV2.FrameResult> frames = new HashMap<>();
            try (VideoIn in = VideoIn.open(reader.videoFile(), layout.totalFrames())) {
                framesRead = readAll(in, frames);
            } catch (SegmentFormatException e) {
                problems.add("video: " + e.getMessage());
                return report(0, 0);
            }
            if (framesRead != layout.totalFrames()) {
                repairs.add("video: " + framesRead + " frames read, the index implies " + layout.totalFrames());
            }
            byte[][] data = repairGroups(layout, frames);
            verified = verifyBlocks(data);
        } catch (IOException | RuntimeException e) {
            problems.add("verification aborted: " + e);
        }
        return report(framesRead, verified);
    }

    private VerificationReport report(int framesRead, int verified) {
        boolean ok = problems.isEmpty() && verified == reader.index().recordCount();
        return new VerificationReport(reader.manifest().segmentId(), ok, framesRead, verified, problems, repairs);
    }

    /** With a sidecar, the file must be the one it describes; content damage is named frame by frame below. */
    private void checkFile() throws IOException {
        SegmentManifest sidecar = reader.sidecar();
        if (sidecar == null) {
            return;
        }
        long size = Files.size(reader.videoFile());
        if (size != sidecar.videoBytes()) {
            repairs.add("video: " + size + " bytes, the sidecar says " + sidecar.videoBytes()
                    + (size < sidecar.videoBytes() ? " (truncated?)" : "") + "; contents checked frame by frame");
        } else if (!Hashes.sha256Hex(reader.videoFile()).equals(sidecar.videoSha256())) {
            repairs.add("video: sha-256 differs from the sidecar (file damaged since it was written); "
                    + "contents checked frame by frame");
        }
    }

    /** Decodes every frame in a sliding window on the pool; keeps them by header position. */
    private int readAll(VideoIn in, Map<Integer, SegmentReaderV2.FrameResult> frames) throws IOException {
        ArrayDeque<Future<SegmentReaderV2.FrameResult>> inflight = new ArrayDeque<>();
        int window = 16;
        int read = 0;
        boolean end = false;
        int total = reader.layout().totalFrames();
        while (!end || !inflight.isEmpty()) {
            while (!end && inflight.size() < window) {
                VideoIn.Read r = in.next();
                if (r == null) {
                    end = true;
                } else {
                    read++;
                    inflight.add(reader.pool().submit(() -> reader.decodeFrame(r)));
                }
            }
            if (inflight.isEmpty()) {
                continue;
            }
            SegmentReaderV2.FrameResult fr = Workers.join(inflight.poll());
            if (fr.frame() == null) {
                frames.putIfAbsent(fr.position(), fr);
            } else if (fr.position() >= total) {
                problems.add("frame " + fr.position() + ": beyond the " + total + " frames the index implies");
            } else {
                SegmentReaderV2.FrameResult earlier = frames.get(fr.position());
                if (earlier != null && earlier.frame() != null) {
                    problems.add("frame " + fr.position() + ": appears twice");
                } else {
                    frames.put(fr.position(), fr);
                }
            }
        }
        return read;
    }

    /** Data payloads by data frame number (null where lost beyond repair). */
    private byte[][] repairGroups(FrameLayout layout, Map<Integer, SegmentReaderV2.FrameResult> frames) {
        byte[][] data = new byte[layout.dataFrames()][];
        for (int g = 0; g < layout.groups(); g++) {
            Map<Integer, SegmentReaderV2.FrameResult> group = new HashMap<>();
            for (int p = layout.firstPosition(g); p <= layout.lastPosition(g); p++) {
                if (frames.containsKey(p)) {
                    group.put(p, frames.get(p));
                }
            }
            ParityGroup pg = ParityGroup.of(layout, true, g, group);
            boolean rebuilt = pg.rebuild(reader.parity());
            if (rebuilt) {
                repairs.addAll(pg.repairs());
            } else {
                problems.add(pg.unrepairable());
            }
            List<Integer> lostData = pg.lostData();
            for (int s = 0; s < pg.dataCount(); s++) {
                int d = layout.dataOfSlot(g, s);
                byte[] p = pg.payloads()[s];
                if (p == null || (!rebuilt && lostData.contains(layout.positionOfData(d)))) {
                    continue;
                }
                byte[] payload = reader.trimmed(d, p);
                if (!lostData.contains(layout.positionOfData(d)) && payload.length != p.length) {
                    problems.add("frame " + layout.positionOfData(d) + ": payload of " + p.length + " bytes, expected "
                            + payload.length);
                    continue;
                }
                data[d] = payload;
            }
        }
        return data;
    }

    /** Checks the index again from the frames read, then every block and record; returns records verified. */
    private int verifyBlocks(byte[][] data) throws IOException {
        SegmentIndex index = reader.index();
        byte[] head = data[0];
        if (head == null) {
            problems.add("index: unreadable (data frame 0 lost)");
            return 0;
        }
        byte[] section = slice(data, 0, SegmentIndex.sectionLength(head));
        if (section == null || !Arrays.equals(section, 12, 44, Hashes.unhex(reader.manifest().indexSha256()), 0, 32)) {
            problems.add("index: unreadable or changed (frames lost or sha-256 mismatch)");
            return 0;
        }
        List<Future<Integer>> futures = new ArrayList<>();
        List<List<String>> blockProblems = new ArrayList<>();
        for (int b = 0; b < index.blocks().size(); b++) {
            int block = b;
            List<String> mine = new ArrayList<>();
            blockProblems.add(mine);
            futures.add(reader.pool().submit(() -> verifyBlock(block, data, mine)));
        }
        int total = 0;
        for (int b = 0; b < futures.size(); b++) {
            total += Workers.join(futures.get(b));
            problems.addAll(blockProblems.get(b));
        }
        return total;
    }

    private int verifyBlock(int b, byte[][] data, List<String> out) {
        SegmentIndex index = reader.index();
        SegmentIndex.BlockInfo info = index.blocks().get(b);
        List<Integer> records = recordsOfBlock(b);
        long start = reader.blockOffsets()[b];
        byte[] comp = slice(data, start, info.compressedBytes());
        if (comp == null) {
            List<Integer> lost = new ArrayList<>();
            for (long d = start / FrameV2.PAYLOAD; d <= (start + info.compressedBytes() - 1) / FrameV2.PAYLOAD; d++) {
                if (data[(int) d] == null) {
                    lost.add(reader.layout().positionOfData((int) d));
                }
            }
            out.add("block " + b + ": unreadable, frame(s) " + lost + " lost; " + affected(records));
            return 0;
        }
        List<byte[]> bodies;
        try {
            bodies = BlockCodecV2.bodies(BlockCodecV2.open(comp, info), info.transform());
            if (bodies.size() != info.bodyCount()) {
                throw new IllegalArgumentException("holds " + bodies.size() + " bodies, the index says " + info.bodyCount());
            }
        } catch (IllegalArgumentException e) {
            out.add("block " + b + ": " + e.getMessage() + "; " + affected(records));
            return 0;
        }
        int verified = 0;
        int firstBody = reader.firstBodyOfBlock()[b];
        for (int r : records) {
            try {
                reader.decodeRecord(r, bodies, index.bodyOfRecord()[r] - firstBody, b);
                verified++;
            } catch (IllegalArgumentException e) {
                out.add("record #" + r + " (block " + b + "): " + e.getMessage());
            }
        }
        return verified;
    }

    private List<Integer> recordsOfBlock(int b) {
        int from = reader.firstBodyOfBlock()[b];
        int to = reader.firstBodyOfBlock()[b + 1];
        List<Integer> out = new ArrayList<>();
        int[] bodyOf = reader.index().bodyOfRecord();
        for (int r = 0; r < bodyOf.length; r++) {
            if (bodyOf[r] >= from && bodyOf[r] < to) {
                out.add(r);
            }
        }
        return out;
    }

    /** Record ordinals (write order) and the ids the index names explicitly; other ids live in the lost bytes. */
    private String affected(List<Integer> records) {
        StringBuilder sb = new StringBuilder().append(records.size()).append(" record(s) affected");
        if (!records.isEmpty()) {
            sb.append(" (write order #").append(records.get(0)).append("..#").append(records.get(records.size() - 1))
                    .append(")");
        }
        return sb.toString();
    }

    /** Stream bytes [offset, offset + length) from the data payloads, or null if a frame of it is lost. */
    private static byte[] slice(byte[][] data, long offset, int length) {
        byte[] out = new byte[length];
        int filled = 0;
        int d = (int) (offset / FrameV2.PAYLOAD);
        int from = (int) (offset - (long) d * FrameV2.PAYLOAD);
        while (filled < length) {
            if (d >= data.length || data[d] == null || data[d].length <= from) {
                return null;
            }
            int n = Math.min(data[d].length - from, length - filled);
            System.arraycopy(data[d], from, out, filled, n);
            filled += n;
            from = 0;
            d++;
        }
        return out;
    }
}
