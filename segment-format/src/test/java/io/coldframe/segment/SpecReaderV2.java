package io.coldframe.segment;

import static org.assertj.core.api.Assertions.assertThat;

import com.github.luben.zstd.Zstd;
import com.google.zxing.BinaryBitmap;
import com.google.zxing.DecodeHintType;
import com.google.zxing.PlanarYUVLuminanceSource;
import com.google.zxing.Result;
import com.google.zxing.ResultMetadataType;
import com.google.zxing.common.HybridBinarizer;
import com.google.zxing.common.reedsolomon.GenericGF;
import com.google.zxing.common.reedsolomon.ReedSolomonDecoder;
import com.google.zxing.common.reedsolomon.ReedSolomonEncoder;
import com.google.zxing.qrcode.QRCodeReader;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.zip.CRC32;
import org.bson.BsonDocument;
import org.bson.BsonValue;
import org.bson.RawBsonDocument;
import org.bson.json.JsonMode;
import org.bson.json.JsonWriterSettings;
import org.bytedeco.ffmpeg.global.avutil;
import org.bytedeco.javacv.FFmpegFrameGrabber;
import org.bytedeco.javacv.Frame;

/**
 * A format-v2 reader written from docs/segment-format.md only; it shares no code with the module except
 * the v1 body decoder of {@link FixtureConformanceTest.SpecReader} (v2 bodies are v1 bodies). It checks
 * every frame CRC, every parity frame (recomputed with zxing's Reed-Solomon encoder, and a lost data frame
 * corrected back with zxing's decoder), the index and block SHA-256s.
 *
 * @return per record in write order: memory id, version (SHA-256 hex of the BSON), BSON as hex
 */
final class SpecReaderV2 {
    private static final int PAYLOAD = 2953 - 13;

    private SpecReaderV2() {
    }

    static List<String[]> read(Path video) throws Exception {
        // 1. frames by position; data and parity payloads
        TreeMap<Integer, byte[]> payloads = new TreeMap<>();
        Map<Integer, Integer> roles = new HashMap<>();
        int k = -1;
        int m = -1;
        int segHash = -1;
        avutil.av_log_set_level(avutil.AV_LOG_ERROR);
        QRCodeReader qr = new QRCodeReader();
        try (FFmpegFrameGrabber g = new FFmpegFrameGrabber(video.toFile())) {
            g.setImageMode(org.bytedeco.javacv.FrameGrabber.ImageMode.GRAY);
            g.start();
            Frame f;
            while ((f = g.grabImage()) != null) {
                byte[] gray = new byte[f.imageStride * f.imageHeight];
                ((ByteBuffer) f.image[0]).duplicate().position(0).get(gray);
                Result res = qr.decode(new BinaryBitmap(new HybridBinarizer(new PlanarYUVLuminanceSource(gray,
                        f.imageStride, f.imageHeight, 0, 0, f.imageWidth, f.imageHeight, false))),
                        Map.of(DecodeHintType.PURE_BARCODE, true, DecodeHintType.CHARACTER_SET, "ISO-8859-1"));
                @SuppressWarnings("unchecked")
                byte[] b = ((List<byte[]>) res.getResultMetadata().get(ResultMetadataType.BYTE_SEGMENTS)).get(0);
                assertThat(b[0] & 0xff).isEqualTo(0xC2);
                CRC32 crc = new CRC32();
                crc.update(b, 0, 9);
                crc.update(b, 13, b.length - 13);
                assertThat((int) crc.getValue()).isEqualTo(ByteBuffer.wrap(b, 9, 4).getInt());
                int position = (b[4] & 0xff) << 16 | (b[5] & 0xff) << 8 | (b[6] & 0xff);
                segHash = segHash < 0 ? (b[2] & 0xff) << 8 | (b[3] & 0xff) : segHash;
                assertThat((b[2] & 0xff) << 8 | (b[3] & 0xff)).isEqualTo(segHash);
                k = b[7] & 0xff;
                m = b[8] & 0xff;
                roles.put(position, b[1] & 0xff);
                payloads.put(position, Arrays.copyOfRange(b, 13, b.length));
            }
        }

        // 2. parity groups: each group is k data frames (fewer in the last) followed by m parity frames
        List<byte[]> data = new ArrayList<>();
        int pos = 0;
        while (pos < payloads.size()) {
            List<byte[]> groupData = new ArrayList<>();
            while (roles.get(pos) == 0 && groupData.size() < k) {
                groupData.add(payloads.get(pos++));
            }
            List<byte[]> groupParity = new ArrayList<>();
            for (int j = 0; j < m; j++) {
                assertThat(roles.get(pos)).isEqualTo(j + 1);
                groupParity.add(payloads.get(pos++));
            }
            checkParity(groupData, groupParity, k, m);
            data.addAll(groupData);
        }
        ByteArrayOutputStream streamBytes = new ByteArrayOutputStream();
        for (byte[] p : data) {
            streamBytes.write(p);
        }
        ByteBuffer s = ByteBuffer.wrap(streamBytes.toByteArray());

        // 3. index
        byte[] magic = new byte[4];
        s.get(magic);
        assertThat(new String(magic, StandardCharsets.US_ASCII)).isEqualTo("CFX2");
        int c = s.getInt();
        int rawLen = s.getInt();
        byte[] sha = new byte[32];
        s.get(sha);
        byte[] comp = new byte[c];
        s.get(comp);
        assertThat(sha256(comp)).isEqualTo(sha);
        ByteBuffer ix = ByteBuffer.wrap(Zstd.decompress(comp, rawLen));
        byte[] id = new byte[ix.getShort() & 0xffff];
        ix.get(id);
        String segmentId = new String(id, StandardCharsets.UTF_8);
        assertThat(((sha256(id)[0] & 0xff) << 8) | (sha256(id)[1] & 0xff)).isEqualTo(segHash);
        ix.get(); // zstd level
        ix.getLong(); // raw bytes of all records
        ix.getLong(); // raw bytes of the stored ones
        ix.getLong(); // body bytes
        int records = ix.getInt();
        int blockCount = ix.getInt();
        List<byte[]> bodies = new ArrayList<>();
        int[][] blocks = new int[blockCount][];
        List<byte[]> blockSha = new ArrayList<>();
        for (int b = 0; b < blockCount; b++) {
            int layout = ix.get() & 0xff; // codec x 16 + transform
            blocks[b] = new int[] {layout & 0x0f, ix.getInt(), ix.getInt(), ix.getInt(), layout >>> 4};
            byte[] h = new byte[32];
            ix.get(h);
            blockSha.add(h);
        }
        int[] fingerprints = new int[records];
        for (int r = 0; r < records; r++) {
            fingerprints[r] = ix.getShort() & 0xffff;
        }
        Map<Integer, Integer> repeats = new HashMap<>();
        for (int i = 0, n = ix.getInt(); i < n; i++) {
            repeats.put(ix.getInt(), ix.getInt());
        }
        Map<Integer, String> ids = new HashMap<>();
        for (int i = 0, n = ix.getInt(); i < n; i++) {
            int r = ix.getInt();
            byte[] v = new byte[ix.getInt()];
            ix.get(v);
            ids.put(r, new String(v, StandardCharsets.UTF_8));
        }
        assertThat(ix.hasRemaining()).isFalse();
        assertThat(segmentId + ".mkv").isEqualTo(video.getFileName().toString());

        // 4. blocks, right after the index (all field-pool blocks: transform 1 or 2 in the fixtures, 3 from today's writer)
        assertThat(Arrays.stream(blocks).allMatch(bl -> bl[0] >= 1 && bl[0] <= 3)).isTrue();
        for (int b = 0; b < blockCount; b++) {
            byte[] bc = new byte[blocks[b][1]];
            s.get(bc);
            assertThat(sha256(bc)).isEqualTo(blockSha.get(b));
            byte[] raw = switch (blocks[b][4]) {
                case 0 -> Zstd.decompress(bc, blocks[b][2]);
                case 1 -> lzma2(bc, blocks[b][2]);
                case 2 -> zstdThenBzip2(bc, blocks[b][2]);
                default -> throw new AssertionError("codec " + blocks[b][4]);
            };
            List<byte[]> these = blocks[b][0] == 0 ? bodyTable(raw) : fieldPool(raw, blocks[b][0]);
            assertThat(these).hasSize(blocks[b][3]);
            bodies.addAll(these);
        }
        assertThat(s.hasRemaining()).isFalse();

        // 5. records: bodies in order, repeats pointing back; ids derived from _id unless listed
        List<String[]> out = new ArrayList<>();
        int next = 0;
        for (int r = 0; r < records; r++) {
            int body = repeats.containsKey(r) ? repeats.get(r) : next++;
            byte[] bson = FixtureConformanceTest.SpecReader.unpack(bodies.get(body));
            String memoryId = ids.containsKey(r) ? ids.get(r) : derivedId(bson);
            byte[] f = sha256(memoryId.getBytes(StandardCharsets.UTF_8));
            assertThat(fingerprints[r]).isEqualTo((f[0] & 0xff) << 8 | (f[1] & 0xff));
            out.add(new String[] {memoryId, Hashes.hex(sha256(bson)), Hashes.hex(bson)});
        }
        assertThat(next).isEqualTo(bodies.size());
        return out;
    }

    /** Parity = RS EC codewords (QR's GF(256)) of each byte column; a lost data frame is corrected back. */
    private static void checkParity(List<byte[]> groupData, List<byte[]> parity, int k, int m) throws Exception {
        GenericGF gf = GenericGF.QR_CODE_FIELD_256;
        for (int col = 0; col < PAYLOAD; col++) {
            int[] word = new int[k + m];
            for (int d = 0; d < groupData.size(); d++) {
                word[d] = col < groupData.get(d).length ? groupData.get(d)[col] & 0xff : 0;
            }
            int[] encoded = word.clone();
            new ReedSolomonEncoder(gf).encode(encoded, m);
            for (int j = 0; j < m; j++) {
                assertThat(encoded[k + j]).isEqualTo(parity.get(j)[col] & 0xff);
            }
            if (m >= 2) { // one garbled data byte per column is found and corrected by the decoder
                int[] damaged = encoded.clone();
                damaged[0] ^= 0x5a;
                new ReedSolomonDecoder(gf).decode(damaged, m);
                assertThat(damaged).isEqualTo(encoded);
            }
        }
    }

    /** Codec 1: a raw LZMA2 stream whose dictionary is the raw block's size (at least 4 KiB). */
    private static byte[] lzma2(byte[] compressed, int rawBytes) throws Exception {
        try (java.io.InputStream in = new org.tukaani.xz.LZMA2InputStream(new java.io.ByteArrayInputStream(compressed),
                Math.max(4096, rawBytes))) {
            byte[] raw = in.readAllBytes();
            assertThat(raw).hasSize(rawBytes);
            return raw;
        }
    }

    /** Codec 2: varint A, a zstd frame of A bytes (the head), then a bzip2 stream of the rest of the raw block. */
    private static byte[] zstdThenBzip2(byte[] compressed, int rawBytes) throws Exception {
        ByteBuffer in = ByteBuffer.wrap(compressed);
        long a = 0;
        int shift = 0;
        int c;
        do {
            c = in.get() & 0xff;
            a |= (long) (c & 0x7f) << shift;
            shift += 7;
        } while (c >= 0x80);
        byte[] frame = Arrays.copyOfRange(compressed, in.position(), in.position() + (int) a);
        byte[] head = Zstd.decompress(frame, (int) Zstd.getFrameContentSize(frame));
        byte[] text;
        try (java.io.InputStream bz = new org.apache.commons.compress.compressors.bzip2.BZip2CompressorInputStream(
                new java.io.ByteArrayInputStream(compressed, in.position() + (int) a,
                        compressed.length - in.position() - (int) a))) {
            text = bz.readAllBytes();
        }
        assertThat(head.length).isPositive();
        assertThat(text.length).isPositive();
        assertThat(head.length + text.length).isEqualTo(rawBytes);
        ByteArrayOutputStream raw = new ByteArrayOutputStream(rawBytes);
        raw.writeBytes(head);
        raw.writeBytes(text);
        return raw.toByteArray();
    }

    private static List<byte[]> bodyTable(byte[] raw) {
        ByteBuffer b = ByteBuffer.wrap(raw);
        int n = b.getInt();
        int[] lens = new int[n];
        for (int i = 0; i < n; i++) {
            lens[i] = b.getInt();
        }
        List<byte[]> out = new ArrayList<>();
        for (int len : lens) {
            byte[] body = new byte[len];
            b.get(body);
            out.add(body);
        }
        return out;
    }

    /**
     * Block transforms 1, 2 and 3: skeletons, then one run per (type, name) of moved values. Transform 2 has no
     * skeleton length table and no document length prefixes in the skeletons; transform 3 lists after the body
     * count the runs of its text section (which come after all others) and codes strings with pieces.
     */
    private static List<byte[]> fieldPool(byte[] raw, int transform) {
        boolean derived = transform >= 2;
        ByteBuffer b = ByteBuffer.wrap(raw);
        int n = b.getInt();
        List<Integer> textRuns = new ArrayList<>();
        Pool sizes = new Pool(raw, null, transform);
        if (transform == 3) {
            sizes.in = b;
            for (long k = sizes.varint(); k > 0; k--) {
                textRuns.add((int) sizes.varint());
            }
        }
        // pass 1: where the skeletons are, bytes per run in order of first use
        List<byte[]> skeletons = new ArrayList<>();
        if (derived) {
            for (int i = 0; i < n; i++) {
                int from = b.position();
                sizes.body(b);
                skeletons.add(Arrays.copyOfRange(raw, from, b.position()));
            }
        } else {
            int[] lens = new int[n];
            for (int i = 0; i < n; i++) {
                lens[i] = b.getInt();
            }
            for (int len : lens) {
                byte[] sk = new byte[len];
                b.get(sk);
                skeletons.add(sk);
            }
            for (byte[] sk : skeletons) {
                ByteBuffer one = ByteBuffer.wrap(sk);
                sizes.body(one);
                assertThat(one.hasRemaining()).isFalse();
            }
        }
        int poolStart = b.position();
        Map<String, int[]> starts = new LinkedHashMap<>();
        int at = poolStart;
        List<String> runs = new ArrayList<>(sizes.cursors.keySet());
        for (int r = 0; r < runs.size(); r++) { // the other runs first, then the text section's, each in first-use order
            if (!textRuns.contains(r)) {
                starts.put(runs.get(r), new int[] {at});
                at += sizes.cursors.get(runs.get(r))[0];
            }
        }
        for (int r : textRuns) {
            starts.put(runs.get(r), new int[] {at});
            at += sizes.cursors.get(runs.get(r))[0];
        }
        assertThat(at).isEqualTo(raw.length);
        Pool pool = new Pool(raw, starts, transform);
        List<byte[]> out = new ArrayList<>();
        for (byte[] sk : skeletons) {
            ByteBuffer one = ByteBuffer.wrap(sk);
            out.add(pool.body(one));
            assertThat(one.hasRemaining()).isFalse();
        }
        return out;
    }

    /** Walks skeletons; with run starts given, rebuilds bodies, else only counts bytes per run. */
    private static final class Pool {
        final byte[] raw;
        final Map<String, int[]> cursors;
        final boolean counting;
        final List<byte[]> strings = new ArrayList<>();
        final Map<String, byte[]> previous = new HashMap<>();
        final boolean derived;
        final boolean pieces;
        ByteBuffer in;
        ByteArrayOutputStream out;

        Pool(byte[] raw, Map<String, int[]> starts, int transform) {
            this.raw = raw;
            this.counting = starts == null;
            this.cursors = counting ? new LinkedHashMap<>() : starts;
            this.derived = transform >= 2;
            this.pieces = transform == 3;
        }

        /** The body of the skeleton at {@code skeleton}'s position, which is left just past it. */
        byte[] body(ByteBuffer skeleton) {
            in = skeleton.order(ByteOrder.LITTLE_ENDIAN);
            byte skeletonKind = in.get();
            if (skeletonKind == 0) { // verbatim; transform 2 gives its length as a varint
                byte[] body = new byte[derived ? (int) varint() : in.remaining()];
                in.get(body);
                return body;
            }
            assertThat(skeletonKind).isEqualTo((byte) 1);
            out = new ByteArrayOutputStream();
            int kind = in.get();
            out.write(kind);
            document();
            return out.toByteArray();
        }

        private long varint() {
            long v = 0;
            int shift = 0;
            int c;
            do {
                c = in.get() & 0xff;
                v |= (long) (c & 0x7f) << shift;
                shift += 7;
            } while (c >= 0x80);
            return v;
        }

        /** Rebuilds one document; returns how many more bytes its packed arrays take as BSON than packed. */
        private long document() {
            ByteArrayOutputStream enclosing = out;
            if (derived) {
                out = new ByteArrayOutputStream(); // its length prefix goes in front once it is rebuilt
            } else {
                copy(4);
            }
            long expansion = 0;
            while (true) {
                int type = in.get() & 0xff;
                out.write(type);
                if (type == 0) {
                    if (derived) {
                        byte[] doc = out.toByteArray();
                        out = enclosing;
                        out.writeBytes(ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN)
                                .putInt((int) (4 + doc.length + expansion)).array());
                        out.writeBytes(doc);
                    }
                    return expansion;
                }
                ByteArrayOutputStream key = new ByteArrayOutputStream();
                byte ch;
                while ((ch = in.get()) != 0) {
                    key.write(ch);
                }
                out.writeBytes(key.toByteArray());
                out.write(0);
                String run = type + "/" + new String(key.toByteArray(), StandardCharsets.ISO_8859_1);
                switch (type) {
                    case 0x02 -> {
                        long v = varint();
                        byte[] str;
                        if ((v & 1) == 1) {
                            str = strings.get((int) (v >>> 1));
                        } else if (pieces && v % 4 == 2) { // v / 4 pieces: references (odd) and literals (even)
                            ByteArrayOutputStream joined = new ByteArrayOutputStream();
                            for (long c = v / 4; c > 0; c--) {
                                long w = varint();
                                joined.writeBytes((w & 1) == 1 ? strings.get((int) (w / 2)) : take(run, (int) (w / 2)));
                            }
                            str = joined.toByteArray();
                            strings.add(str);
                        } else if (v == 0) { // a canonical UUID string as 16 bytes
                            byte[] u = take(run, 16);
                            ByteBuffer bb = ByteBuffer.wrap(u);
                            str = new java.util.UUID(bb.getLong(), bb.getLong()).toString().getBytes(StandardCharsets.US_ASCII);
                            strings.add(str);
                        } else { // transform 3 codes the BSON length L as 4 L, transforms 1 and 2 as 2 L
                            str = take(run, (int) (pieces ? v / 4 : v / 2) - 1);
                            strings.add(str);
                        }
                        out.writeBytes(ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN).putInt(str.length + 1).array());
                        out.writeBytes(str);
                        out.write(0);
                    }
                    case 0x07, 0x09, 0x11 -> {
                        int width = type == 0x07 ? 12 : 8;
                        byte[] delta = take(run, width);
                        byte[] prev = previous.getOrDefault(run, new byte[width]);
                        byte[] value = new byte[width];
                        for (int i = 0; i < width; i++) {
                            value[i] = (byte) (delta[i] ^ prev[i]);
                        }
                        previous.put(run, value);
                        out.writeBytes(value);
                    }
                    case 0x03, 0x04 -> expansion += document();
                    case 0x81, 0x82 -> {
                        int count = in.getInt(in.position());
                        long asBson = 5; // an array of doubles keyed "0", "1", ...
                        for (int i = 0; i < count; i++) {
                            asBson += 1 + Integer.toString(i).length() + 1 + 8;
                        }
                        expansion += asBson - (4 + count * (type == 0x81 ? 4L : 8L));
                        copy(4 + count * (type == 0x81 ? 4 : 8));
                    }
                    case 0x01, 0x12 -> copy(8);
                    case 0x0D, 0x0E -> copy(4 + in.getInt(in.position()));
                    case 0x05 -> copy(5 + in.getInt(in.position()));
                    case 0x08 -> copy(1);
                    case 0x0B -> {
                        copyCString();
                        copyCString();
                    }
                    case 0x0C -> copy(4 + in.getInt(in.position()) + 12);
                    case 0x0F -> copy(in.getInt(in.position()));
                    case 0x10 -> copy(4);
                    case 0x13 -> copy(16);
                    case 0x06, 0x0A, 0x7F, 0xFF -> {
                    }
                    default -> throw new AssertionError("unknown type " + type);
                }
            }
        }

        /** The next n bytes of a run (while counting: zeros, and the run grows). */
        private byte[] take(String run, int n) {
            int[] cursor = cursors.computeIfAbsent(run, r -> {
                assertThat(counting).as("run " + r + " has bytes").isTrue();
                return new int[1];
            });
            int from = cursor[0];
            cursor[0] += n;
            return counting ? new byte[n] : Arrays.copyOfRange(raw, from, from + n);
        }

        private void copy(int n) {
            byte[] b = new byte[n];
            in.get(b);
            out.writeBytes(b);
        }

        private void copyCString() {
            byte c;
            do {
                c = in.get();
                out.write(c);
            } while (c != 0);
        }
    }

    private static String derivedId(byte[] bson) {
        for (Map.Entry<String, BsonValue> e : new RawBsonDocument(bson).entrySet()) {
            if (e.getKey().equals("_id")) {
                String wrapped = new BsonDocument("_id", e.getValue())
                        .toJson(JsonWriterSettings.builder().outputMode(JsonMode.EXTENDED).build());
                return wrapped.substring("{\"_id\": ".length(), wrapped.length() - 1);
            }
        }
        throw new AssertionError("no _id and no explicit memory id");
    }

    private static byte[] sha256(byte[] b) throws Exception {
        return MessageDigest.getInstance("SHA-256").digest(b);
    }
}
