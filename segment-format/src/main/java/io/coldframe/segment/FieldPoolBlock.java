package io.coldframe.segment;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Block transform 1 (spec section "String pool blocks"): the string values of all bodies of a block move
 * into one pool behind the bodies, and a string equal to an earlier one in the block becomes a reference
 * to it. Why: chat memories repeat whole texts across records (the next turn's text as the response,
 * earlier turns as context) and zstd pays a match for every repeat; text is also easier to compress
 * without the BSON structure interleaved, and the structure compresses to almost nothing without the text.
 *
 * <p>Each body becomes a skeleton: byte {@code 0x00} and the body verbatim (when it cannot be walked), or
 * {@code 0x01} and the body with every string element's value (int32 length, bytes, NUL) replaced by an
 * unsigned LEB128 varint: {@code 2 x length} (length as in BSON, including the NUL; the bytes without the
 * NUL follow in the pool), {@code 0} (a canonical lowercase UUID string, its 16 bytes in the pool: hex text
 * costs zstd ~18.5 bytes) or {@code 2 x ordinal + 1}, a reference to the ordinal-th string moved so far in
 * the block. Everything else, length prefixes included, is copied as-is. Strings inside code-with-scope
 * values stay where they are.
 *
 * <p>Raw block: u32 body count, u32 skeleton length per body, the skeletons, then the pool: one run of
 * string bytes per element name (the key of the string element, wherever it sits), the runs in order of
 * the first string moved under each name, each run's strings in walk order. Texts of one field (all
 * inputs, all UUIDs) thus sit side by side, which zstd's literal coding rewards. The writer
 * decodes what it encoded and keeps transform 0 for a block that does not round-trip.
 *
 * <p>Transform 2 (spec section V2.4) is the same without what a reader can derive: no skeleton length
 * table (a walked skeleton ends where its document ends; a verbatim one carries a varint length) and no
 * document or array int32 length prefixes (the reader recomputes them from what it rebuilds, packed arrays
 * counted at their BSON size). Valid BSON always has derivable prefixes; a body with one that is not its
 * length is stored verbatim, so it still round-trips byte for byte. Measured on chat memories: 94.75 ->
 * 92.32 B per memory of compressed blocks at zstd 17.
 *
 * <p>Transform 3 (what the writer uses) adds two things: a new string that contains whole earlier strings
 * (a context joining the previous turns) is stored as pieces, references to them and literal bytes; and the
 * runs of long text go last, behind a list of them after the body count, so that codec 2 compresses them
 * apart with bzip2. String codes: odd = reference, 0 = UUID, 4 x L = L - 1 bytes, 4 x c + 2 = c pieces.
 */
final class FieldPoolBlock {
    /** Transform 3: the shortest earlier string that becomes a piece of a later one. */
    static final int PIECE_MIN = 16;
    /** Transform 3: earlier strings with the same first 8 bytes tried at each position, most recent first. */
    private static final int PIECE_CANDIDATES = 8;
    /** Transform 3: a string run goes to the text section from this many bytes ... */
    static final int TEXT_RUN_MIN_BYTES = 1024;
    /** ... when its moved values (strings and literal pieces) are this long on average: prose, not ids or labels. */
    static final int TEXT_MEAN_MIN_BYTES = 24;

    private FieldPoolBlock() {
    }

    /** The 8 bytes of {@code b} at {@code i}, little-endian: the key under which strings are found as pieces. */
    private static long prefix(byte[] b, int i) {
        long v = 0;
        for (int k = 7; k >= 0; k--) {
            v = v << 8 | (b[i + k] & 0xff);
        }
        return v;
    }

    /** Width of the values that move into XOR-delta columns: ObjectId, UTC datetime, timestamp; else 0. */
    private static int columnWidth(int type) {
        return switch (type) {
            case 0x07 -> 12;
            case 0x09, 0x11 -> 8;
            default -> 0;
        };
    }

    private static final byte[] HEX = "0123456789abcdef".getBytes(java.nio.charset.StandardCharsets.US_ASCII);

    /** The 16 bytes of a canonical (lowercase, 8-4-4-4-12) UUID string, or null if it is not one. */
    static byte[] uuidBytes(byte[] s) {
        if (s.length != 36 || s[8] != '-' || s[13] != '-' || s[18] != '-' || s[23] != '-') {
            return null;
        }
        byte[] out = new byte[16];
        int n = 0;
        for (int i = 0; i < 36; i++) {
            if (i == 8 || i == 13 || i == 18 || i == 23) {
                continue;
            }
            int c = s[i];
            int v = c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
            if (v < 0) {
                return null; // uppercase or not hex: stays a string
            }
            out[n / 2] |= (byte) (n % 2 == 0 ? v << 4 : v);
            n++;
        }
        return out;
    }

    /** The canonical UUID string of 16 bytes at {@code offset}. */
    static byte[] uuidString(byte[] b, int offset) {
        byte[] out = new byte[36];
        int o = 0;
        for (int i = 0; i < 16; i++) {
            if (i == 4 || i == 6 || i == 8 || i == 10) {
                out[o++] = '-';
            }
            out[o++] = HEX[(b[offset + i] >> 4) & 0xf];
            out[o++] = HEX[b[offset + i] & 0xf];
        }
        return out;
    }

    /** BSON size of an array document of {@code count} doubles with keys "0", "1", ...: what a packed array unpacks to. */
    static long arrayBsonBytes(int count) {
        long bytes = 5; // int32 length and the terminating NUL
        long digits = 1;
        for (long from = 0, to = 10; from < count; from = to, to *= 10, digits++) {
            bytes += (Math.min(to, count) - from) * (1 + digits + 1 + 8); // type byte, key, NUL, value
        }
        return bytes;
    }

    /** The run a value goes to: its BSON type and element name. */
    private static ByteBuffer runKey(int type, byte[] b, int nameStart, int nameEnd) {
        byte[] key = new byte[1 + nameEnd - nameStart];
        key[0] = (byte) type;
        System.arraycopy(b, nameStart, key, 1, nameEnd - nameStart);
        return ByteBuffer.wrap(key);
    }

    /** A raw block and where its text section starts (the block's length when it has none). */
    record Laid(byte[] raw, int textStart) {
    }

    /** The raw block of transform 1, 2 or 3 for these bodies (transform 3 with a text section where one pays). */
    static byte[] encode(List<byte[]> bodies, int transform) {
        return layOut(bodies, transform).raw();
    }

    /**
     * The raw block of transform 1, 2 or 3 for these bodies; transform 3 moves the runs of long text to a
     * section at the end, which the block's codec may compress apart (codec 2).
     */
    static Laid layOut(List<byte[]> bodies, int transform) {
        if (transform < 1 || transform > 3) {
            throw new IllegalArgumentException("not a field pool transform: " + transform);
        }
        boolean derivedLengths = transform >= 2;
        Encoder enc = new Encoder(derivedLengths, transform == 3);
        ByteSink skeletons = new ByteSink(1 << 16);
        int[] lengths = new int[bodies.size()];
        for (int i = 0; i < bodies.size(); i++) {
            byte[] skeleton = enc.skeleton(bodies.get(i));
            lengths[i] = skeleton.length;
            skeletons.write(skeleton);
        }
        ByteSink head = new ByteSink(64);
        head.writeIntBE(bodies.size());
        if (!derivedLengths) {
            for (int length : lengths) {
                head.writeIntBE(length);
            }
        }
        Pool pool = enc.pool();
        if (transform == 3) {
            head.writeVarint(pool.textRuns().length);
            for (int run : pool.textRuns()) {
                head.writeVarint(run);
            }
        }
        int before = head.size() + skeletons.size();
        byte[] raw = new byte[before + pool.bytes().length];
        System.arraycopy(head.toByteArray(), 0, raw, 0, head.size());
        System.arraycopy(skeletons.toByteArray(), 0, raw, head.size(), skeletons.size());
        System.arraycopy(pool.bytes(), 0, raw, before, pool.bytes().length);
        return new Laid(raw, before + pool.textStart());
    }

    /** The pool: its bytes, the ordinals (in order of first use) of the runs in its text section, where that starts. */
    private record Pool(byte[] bytes, int[] textRuns, int textStart) {
    }

    /** The bodies of a transform 1, 2 or 3 raw block. @throws IllegalArgumentException if it is malformed */
    static List<byte[]> decode(byte[] raw, int transform) {
        boolean derivedLengths = transform >= 2;
        try {
            int n = ByteSink.intBE(raw, 0);
            long table = derivedLengths ? 0 : 4L * n;
            if (n < 0 || 4L + table > raw.length) {
                throw new IllegalArgumentException("skeleton table of " + n + " entries does not fit the block");
            }
            // pass 1 finds the skeletons and measures each name's pool; pass 2 rebuilds the bodies reading the pools
            Decoder sizes = new Decoder(raw, null, transform);
            int p = (int) (4 + table);
            int[] textRuns = transform == 3 ? sizes.textRuns(p) : new int[0];
            if (transform == 3) {
                p = sizes.end();
            }
            int[] starts = new int[n];
            for (int i = 0; i < n; i++) {
                int length = derivedLengths ? -1 : ByteSink.intBE(raw, 4 + 4 * i);
                if (!derivedLengths && (length < 1 || (long) p + length > raw.length)) {
                    throw new IllegalArgumentException("skeleton " + i + " runs past the block");
                }
                starts[i] = p;
                sizes.body(p, length);
                p = sizes.end();
            }
            Decoder dec = new Decoder(raw, sizes.poolStarts(p, textRuns), transform);
            List<byte[]> bodies = new ArrayList<>(n);
            for (int i = 0; i < n; i++) {
                bodies.add(dec.body(starts[i], derivedLengths ? -1 : ByteSink.intBE(raw, 4 + 4 * i)));
            }
            return bodies;
        } catch (IllegalArgumentException e) {
            throw e;
        } catch (RuntimeException e) {
            throw new IllegalArgumentException("string pool block malformed (" + e + ")", e);
        }
    }

    /** Walks bodies (kind 0 BSON or kind 1 packed), moving string values out. */
    private static final class Encoder {
        /** One pool per element name, in order of first use: texts of one field compress best side by side. */
        private final Map<ByteBuffer, ByteSink> pools = new LinkedHashMap<>();
        private final Map<ByteBuffer, Integer> ordinals = new HashMap<>();
        /** Last value of each column, for the XOR delta. */
        private Map<ByteBuffer, byte[]> previous = new HashMap<>();
        /** Values moved into each string run (strings and literal pieces): with its bytes, what marks a run as text. */
        private final Map<ByteBuffer, int[]> literals = new HashMap<>();
        private final boolean derivedLengths;
        /** Transform 3: new strings may be pieces, the text of every string so far is kept by ordinal for that. */
        private final boolean pieces;
        private final List<byte[]> texts = new ArrayList<>();
        /** Ordinals of the strings of at least {@link #PIECE_MIN} bytes, by their first 8 bytes. */
        private final PrefixIndex byPrefix = new PrefixIndex();
        private byte[] b;
        private ByteSink out;
        private int copied;
        /** BSON bytes minus body bytes of the packed arrays walked so far: what a derived prefix adds back. */
        private long packedExpansion;

        Encoder(boolean derivedLengths, boolean pieces) {
            this.derivedLengths = derivedLengths;
            this.pieces = pieces;
        }

        /** The runs back to back in order of first use; with pieces (transform 3) the text runs last. */
        Pool pool() {
            ByteSink all = new ByteSink(1 << 16);
            List<Integer> textRuns = new ArrayList<>();
            int ordinal = 0;
            for (Map.Entry<ByteBuffer, ByteSink> run : pools.entrySet()) {
                if (pieces && isText(run.getKey(), run.getValue().size())) {
                    textRuns.add(ordinal);
                } else {
                    all.write(run.getValue().toByteArray());
                }
                ordinal++;
            }
            int textStart = all.size();
            List<ByteSink> runs = new ArrayList<>(pools.values());
            for (int run : textRuns) {
                all.write(runs.get(run).toByteArray());
            }
            return new Pool(all.toByteArray(), textRuns.stream().mapToInt(Integer::intValue).toArray(), textStart);
        }

        /** A string run of long values (prose, not ids or labels): what bzip2 compresses better than zstd. */
        private boolean isText(ByteBuffer run, int bytes) {
            int[] moved = literals.get(run);
            return run.get(0) == 0x02 && moved != null && bytes >= TEXT_RUN_MIN_BYTES
                    && bytes >= (long) TEXT_MEAN_MIN_BYTES * moved[0];
        }

        byte[] skeleton(byte[] body) {
            Map<ByteBuffer, Integer> marks = new HashMap<>();
            pools.forEach((k, v) -> marks.put(k, v.size()));
            Map<ByteBuffer, byte[]> previousBefore = new HashMap<>(previous);
            Map<ByteBuffer, Integer> added = new HashMap<>();
            Map<ByteBuffer, int[]> literalsBefore = new HashMap<>();
            literals.forEach((k, v) -> literalsBefore.put(k, v.clone()));
            int textsBefore = texts.size();
            try {
                b = body;
                out = new ByteSink(body.length);
                out.write(1);
                copied = 0;
                int kind = body[0];
                if (kind != RecordCodec.KIND_VERBATIM && kind != RecordCodec.KIND_PACKED) {
                    throw new IllegalArgumentException("unknown body kind");
                }
                int end = document(1, kind == RecordCodec.KIND_PACKED, added);
                if (end != body.length) {
                    throw new IllegalArgumentException("trailing bytes");
                }
                out.write(b, copied, b.length - copied);
                return out.toByteArray();
            } catch (RuntimeException notWalkable) {
                pools.entrySet().removeIf(e -> !marks.containsKey(e.getKey()));
                pools.forEach((k, v) -> v.truncate(marks.get(k)));
                added.keySet().forEach(ordinals::remove);
                previous = previousBefore;
                literals.clear();
                literals.putAll(literalsBefore);
                while (texts.size() > textsBefore) {
                    byte[] text = texts.remove(texts.size() - 1);
                    if (text.length >= PIECE_MIN) {
                        byPrefix.removeNewest(prefix(text, 0), texts.size());
                    }
                }
                out = new ByteSink(body.length + 6);
                out.write(0);
                if (derivedLengths) {
                    out.writeVarint(body.length);
                }
                out.write(body);
                return out.toByteArray();
            }
        }

        private int document(int p, boolean packed, Map<ByteBuffer, Integer> added) {
            if (derivedLengths) {
                out.write(b, copied, p - copied);
                copied = p + 4;
            }
            long expansionBefore = packedExpansion;
            int q = p + 4;
            while (true) {
                int type = b[q] & 0xff;
                if (type == 0) {
                    if (derivedLengths && ByteSink.intLE(b, p) != q + 1 - p + packedExpansion - expansionBefore) {
                        throw new IllegalArgumentException("length prefix is not the document's length"); // -> verbatim
                    }
                    return q + 1;
                }
                int keyEnd = RecordCodec.cstringEnd(b, q + 1);
                if (type == 0x02) {
                    int len = ByteSink.intLE(b, keyEnd);
                    int valueEnd = keyEnd + 4 + len;
                    if (len < 1 || valueEnd > b.length || b[valueEnd - 1] != 0) {
                        throw new IllegalArgumentException("bad string");
                    }
                    out.write(b, copied, keyEnd - copied);
                    ByteBuffer content = ByteBuffer.wrap(b, keyEnd + 4, len - 1).slice();
                    Integer earlier = ordinals.get(content);
                    if (earlier != null) {
                        out.writeVarint(2L * earlier + 1);
                    } else {
                        byte[] copy = new byte[len - 1];
                        System.arraycopy(b, keyEnd + 4, copy, 0, len - 1);
                        ByteBuffer key = ByteBuffer.wrap(copy);
                        ordinals.put(key, ordinals.size());
                        added.put(key, 0);
                        newString(runKey(type, b, q + 1, keyEnd - 1), copy);
                    }
                    copied = valueEnd;
                    q = valueEnd;
                } else if (columnWidth(type) > 0) {
                    int width = columnWidth(type);
                    if (keyEnd + width > b.length) {
                        throw new IllegalArgumentException("value runs past the body");
                    }
                    out.write(b, copied, keyEnd - copied);
                    ByteBuffer column = runKey(type, b, q + 1, keyEnd - 1);
                    byte[] value = Arrays.copyOfRange(b, keyEnd, keyEnd + width);
                    byte[] prev = previous.getOrDefault(column, new byte[width]);
                    byte[] delta = new byte[width];
                    for (int i = 0; i < width; i++) {
                        delta[i] = (byte) (value[i] ^ prev[i]);
                    }
                    previous.put(column, value);
                    pools.computeIfAbsent(column, n -> new ByteSink(1 << 12)).write(delta);
                    copied = keyEnd + width;
                    q = copied;
                } else if (type == 0x03 || type == 0x04) {
                    q = document(keyEnd, packed, added);
                } else if (packed && (type == RecordCodec.TYPE_PACKED_F32 || type == RecordCodec.TYPE_PACKED_F64)) {
                    int count = ByteSink.intLE(b, keyEnd);
                    int width = type == RecordCodec.TYPE_PACKED_F32 ? 4 : 8;
                    packedExpansion += arrayBsonBytes(count) - (4L + (long) count * width);
                    q = keyEnd + 4 + count * width;
                } else {
                    q = keyEnd + RecordCodec.valueSize(b, type, keyEnd);
                }
                if (q > b.length) {
                    throw new IllegalArgumentException("element runs past the body");
                }
            }
        }

        /**
         * A string not seen before in the block: a UUID (code 0, 16 bytes), pieces (transform 3), or its
         * bytes (code 2 x L, transform 3: 4 x L, L its BSON length).
         */
        private void newString(ByteBuffer run, byte[] text) {
            byte[] uuid = uuidBytes(text);
            if (uuid != null) {
                out.writeVarint(0); // 0 is no BSON string length: a UUID
                pools.computeIfAbsent(run, n -> new ByteSink(1 << 12)).write(uuid);
            } else if (!pieces || !writePieces(run, text)) {
                out.writeVarint((pieces ? 4L : 2L) * (text.length + 1));
                moved(run, text, 0, text.length);
            }
            if (pieces) {
                texts.add(text);
                if (text.length >= PIECE_MIN) {
                    byPrefix.add(prefix(text, 0), texts.size() - 1);
                }
            }
        }

        /** Moves bytes of a string into its run, which starts with the first (a pieces string of references moves none). */
        private void moved(ByteBuffer run, byte[] text, int from, int length) {
            pools.computeIfAbsent(run, n -> new ByteSink(1 << 12)).write(text, from, length);
            int[] counts = literals.computeIfAbsent(run, k -> new int[1]);
            counts[0]++;
        }

        /**
         * Writes {@code text} as pieces if whole earlier strings of at least {@link #PIECE_MIN} bytes occur in
         * it (the longest at each position, left to right; the most recent {@link #PIECE_CANDIDATES} strings
         * sharing its first 8 bytes are tried). @return false, writing nothing, if none does
         */
        private boolean writePieces(ByteBuffer run, byte[] text) {
            if (text.length <= PIECE_MIN) {
                return false;
            }
            List<long[]> found = new ArrayList<>(); // {position, ordinal, length}
            for (int i = 0; i + PIECE_MIN <= text.length; ) {
                int best = -1;
                int bestLength = 0;
                int tried = 0;
                for (int c = byPrefix.newest(prefix(text, i)); c >= 0 && tried < PIECE_CANDIDATES; c = byPrefix.older(c), tried++) {
                    byte[] earlier = texts.get(c);
                    if (earlier.length > bestLength && earlier.length <= text.length - i
                            && Arrays.equals(text, i, i + earlier.length, earlier, 0, earlier.length)) {
                        best = c;
                        bestLength = earlier.length;
                    }
                }
                if (best < 0) {
                    i++;
                } else {
                    found.add(new long[] {i, best, bestLength});
                    i += bestLength;
                }
            }
            if (found.isEmpty()) {
                return false;
            }
            ByteSink codes = new ByteSink(8 + 4 * found.size());
            int count = 0;
            int literalFrom = 0;
            for (long[] piece : found) {
                int at = (int) piece[0];
                if (at > literalFrom) {
                    codes.writeVarint(2L * (at - literalFrom));
                    moved(run, text, literalFrom, at - literalFrom);
                    count++;
                }
                codes.writeVarint(2 * piece[1] + 1);
                count++;
                literalFrom = at + (int) piece[2];
            }
            if (literalFrom < text.length) {
                codes.writeVarint(2L * (text.length - literalFrom));
                moved(run, text, literalFrom, text.length - literalFrom);
                count++;
            }
            out.writeVarint(4L * count + 2);
            out.write(codes.toByteArray());
            return true;
        }
    }

    /**
     * Ordinals by an 8-byte key, newest first, without boxing (the encoder looks one up at every byte of a new
     * string): an open-addressing table of chain heads; each chain runs through the ordinals, newest to oldest.
     */
    private static final class PrefixIndex {
        private long[] keys = new long[256];
        private boolean[] occupied = new boolean[256];
        /** Newest ordinal of the slot's key + 1, 0 when it has none (left after a removal). */
        private int[] heads = new int[256];
        /** By ordinal: the next older ordinal with the same key + 1, 0 at the end of its chain. */
        private int[] older = new int[256];
        private int used;

        void add(long key, int ordinal) {
            if (2 * (used + 1) > keys.length) {
                grow();
            }
            if (ordinal >= older.length) {
                older = Arrays.copyOf(older, Math.max(ordinal + 1, 2 * older.length));
            }
            int slot = slot(key);
            if (!occupied[slot]) {
                occupied[slot] = true;
                keys[slot] = key;
                used++;
            }
            older[ordinal] = heads[slot];
            heads[slot] = ordinal + 1;
        }

        /** The newest ordinal with this key, or -1. */
        int newest(long key) {
            int slot = slot(key);
            return occupied[slot] ? heads[slot] - 1 : -1;
        }

        /** The next older ordinal with the key of {@code ordinal}, or -1. */
        int older(int ordinal) {
            return older[ordinal] - 1;
        }

        /** Takes back the newest {@code ordinal} added under {@code key} (the encoder's roll back). */
        void removeNewest(long key, int ordinal) {
            int slot = slot(key);
            if (!occupied[slot] || heads[slot] != ordinal + 1) {
                throw new IllegalStateException("ordinal " + ordinal + " is not the newest of its key");
            }
            heads[slot] = older[ordinal];
        }

        private int slot(long key) {
            long h = key * 0x9E3779B97F4A7C15L;
            int mask = keys.length - 1;
            int slot = (int) (h >>> 40) & mask;
            while (occupied[slot] && keys[slot] != key) {
                slot = (slot + 1) & mask;
            }
            return slot;
        }

        private void grow() {
            long[] oldKeys = keys;
            boolean[] oldOccupied = occupied;
            int[] oldHeads = heads;
            keys = new long[2 * oldKeys.length];
            occupied = new boolean[keys.length];
            heads = new int[keys.length];
            for (int i = 0; i < oldKeys.length; i++) {
                if (oldOccupied[i]) {
                    int slot = slot(oldKeys[i]);
                    occupied[slot] = true;
                    keys[slot] = oldKeys[i];
                    heads[slot] = oldHeads[i];
                }
            }
        }
    }

    /**
     * Rebuilds bodies from skeletons and the pools, in order (references point backwards). Without pool
     * positions it only measures: how many bytes each name's pool holds.
     */
    private static final class Decoder {
        private final byte[] raw;
        /** Next unread byte of each name's pool (pass 2), or bytes per name so far (pass 1). */
        private final Map<ByteBuffer, int[]> cursors;
        private final boolean measuring;
        /** {offset in raw, length without NUL, or -1: UUID}, or {-1 - index in assembled, length}: pieces. */
        private final List<int[]> strings = new ArrayList<>();
        private final List<byte[]> assembled = new ArrayList<>();
        private final Map<ByteBuffer, byte[]> previous = new HashMap<>();
        private final boolean derivedLengths;
        private final boolean pieces;
        private ByteSink out;
        private int p;
        private long packedExpansion;

        Decoder(byte[] raw, Map<ByteBuffer, int[]> poolStarts, int transform) {
            this.raw = raw;
            this.measuring = poolStarts == null;
            this.cursors = measuring ? new LinkedHashMap<>() : poolStarts;
            this.derivedLengths = transform >= 2;
            this.pieces = transform == 3;
        }

        /** Transform 3's list of the runs in the text section, read at {@code start}: strictly ascending ordinals. */
        int[] textRuns(int start) {
            p = start;
            long k = readVarint();
            if (k > raw.length) {
                throw new IllegalArgumentException("text section of " + k + " runs does not fit the block");
            }
            int[] runs = new int[(int) k];
            for (int i = 0; i < runs.length; i++) {
                long run = readVarint();
                if (run > Integer.MAX_VALUE || (i > 0 && run <= runs[i - 1])) {
                    throw new IllegalArgumentException("text section runs not in ascending order");
                }
                runs[i] = (int) run;
            }
            return runs;
        }

        /** Where the skeleton read last ends. */
        int end() {
            return p;
        }

        /**
         * Where each name's pool starts, the pools laid out in order of first use after {@code poolStart}, those
         * whose ordinals are in {@code textRuns} last.
         */
        Map<ByteBuffer, int[]> poolStarts(int poolStart, int[] textRuns) {
            if (textRuns.length > 0 && textRuns[textRuns.length - 1] >= cursors.size()) {
                throw new IllegalArgumentException("text section names run " + textRuns[textRuns.length - 1] + " of "
                        + cursors.size());
            }
            Map<ByteBuffer, int[]> starts = new LinkedHashMap<>();
            int at = poolStart;
            for (boolean text : new boolean[] {false, true}) {
                int ordinal = 0;
                for (Map.Entry<ByteBuffer, int[]> e : cursors.entrySet()) {
                    if ((Arrays.binarySearch(textRuns, ordinal++) >= 0) == text) {
                        starts.put(e.getKey(), new int[] {at});
                        at += e.getValue()[0];
                    }
                }
            }
            if (at != raw.length) {
                throw new IllegalArgumentException("string pools hold " + (at - poolStart) + " bytes, the block "
                        + (raw.length - poolStart));
            }
            return starts;
        }

        /** The body of the skeleton at {@code start}; {@code length} is -1 when the skeleton delimits itself. */
        byte[] body(int start, int length) {
            p = start + 1;
            if (raw[start] == 0) {
                int bodyLength = length >= 0 ? length - 1 : (int) readVarint();
                if (bodyLength < 1 || (long) p + bodyLength > raw.length) {
                    throw new IllegalArgumentException("verbatim skeleton runs past the block");
                }
                p += bodyLength;
                return Arrays.copyOfRange(raw, p - bodyLength, p);
            }
            if (raw[start] != 1) {
                throw new IllegalArgumentException("unknown skeleton kind " + raw[start]);
            }
            out = new ByteSink(length >= 0 ? length * 2 : 1 << 10);
            int kind = raw[p];
            copy(1);
            document(kind == RecordCodec.KIND_PACKED);
            if (length >= 0 && p != start + length) {
                throw new IllegalArgumentException("skeleton length mismatch");
            }
            return out.toByteArray();
        }

        private void document(boolean packed) {
            int at = out.size();
            long expansionBefore = packedExpansion;
            if (derivedLengths) {
                out.writeIntLE(0); // the document's length, set once it is rebuilt
            } else {
                copy(4);
            }
            while (true) {
                int type = raw[p] & 0xff;
                if (type == 0) {
                    copy(1);
                    if (derivedLengths) {
                        long length = out.size() - at + packedExpansion - expansionBefore;
                        if (length > Integer.MAX_VALUE) {
                            throw new IllegalArgumentException("document too large");
                        }
                        out.setIntLE(at, (int) length);
                    }
                    return;
                }
                int keyStart = p + 1;
                int keyEnd = RecordCodec.cstringEnd(raw, keyStart);
                copy(keyEnd - p);
                if (type == 0x02) {
                    string(runKey(type, raw, keyStart, keyEnd - 1));
                } else if (columnWidth(type) > 0) {
                    column(runKey(type, raw, keyStart, keyEnd - 1), columnWidth(type));
                } else if (type == 0x03 || type == 0x04) {
                    document(packed);
                } else if (packed && (type == RecordCodec.TYPE_PACKED_F32 || type == RecordCodec.TYPE_PACKED_F64)) {
                    int count = ByteSink.intLE(raw, p);
                    int width = type == RecordCodec.TYPE_PACKED_F32 ? 4 : 8;
                    if (count < 0) {
                        throw new IllegalArgumentException("negative packed array count");
                    }
                    packedExpansion += arrayBsonBytes(count) - (4L + (long) count * width);
                    copy(4 + count * width);
                } else {
                    copy(RecordCodec.valueSize(raw, type, p));
                }
            }
        }

        /** A fixed-width value: the next bytes of its column, XORed with the column's previous value. */
        private void column(ByteBuffer key, int width) {
            int[] cursor = cursor(key);
            int at = cursor[0];
            cursor[0] += width;
            if (measuring) {
                return;
            }
            if (at + width > raw.length) {
                throw new IllegalArgumentException("value runs past its column");
            }
            byte[] prev = previous.getOrDefault(key, new byte[width]);
            byte[] value = new byte[width];
            for (int i = 0; i < width; i++) {
                value[i] = (byte) (raw[at + i] ^ prev[i]);
            }
            previous.put(key, value);
            out.write(value);
        }

        private int[] cursor(ByteBuffer key) {
            return cursors.computeIfAbsent(key, n -> {
                if (!measuring) {
                    throw new IllegalArgumentException("value of a run that holds no bytes");
                }
                return new int[1];
            });
        }

        /** A string value: a reference to an earlier one, pieces (transform 3), or the next bytes of its name's pool. */
        private void string(ByteBuffer name) {
            long v = readVarint();
            int[] str;
            if ((v & 1) == 1) {
                str = strings.get((int) (v >>> 1));
            } else if (pieces && (v & 3) == 2) {
                str = assemble(name, v >>> 2);
                strings.add(str);
            } else {
                boolean uuid = v == 0;
                long bsonLength = pieces ? v >>> 2 : v >>> 1;
                if ((!uuid && bsonLength < 1) || bsonLength > Integer.MAX_VALUE) {
                    throw new IllegalArgumentException("bad string length");
                }
                int len = uuid ? -1 : (int) bsonLength - 1;
                str = new int[] {take(name, uuid ? 16 : len), len};
                strings.add(str);
            }
            if (measuring) {
                return;
            }
            int length = str[1] < 0 ? 36 : str[1];
            out.writeIntLE(length + 1);
            append(out, str);
            out.write(0);
        }

        /** The next {@code n} bytes of a run: where they start. */
        private int take(ByteBuffer name, int n) {
            int[] cursor = cursor(name);
            int at = cursor[0];
            cursor[0] += n;
            if (!measuring && (long) at + n > raw.length) {
                throw new IllegalArgumentException("string runs past its pool");
            }
            return at;
        }

        /** A string of {@code count} pieces: references to earlier strings and literal bytes of its run. */
        private int[] assemble(ByteBuffer name, long count) {
            if (count < 1 || count > raw.length) {
                throw new IllegalArgumentException("bad piece count " + count);
            }
            ByteSink text = measuring ? null : new ByteSink(256);
            for (long i = 0; i < count; i++) {
                long w = readVarint();
                if ((w & 1) == 1) {
                    int[] earlier = strings.get((int) (w >>> 1));
                    if (!measuring) {
                        append(text, earlier);
                    }
                } else {
                    if (w >>> 1 < 1 || w >>> 1 > raw.length) {
                        throw new IllegalArgumentException("bad literal piece length");
                    }
                    int at = take(name, (int) (w >>> 1));
                    if (!measuring) {
                        text.write(raw, at, (int) (w >>> 1));
                    }
                }
            }
            if (measuring) {
                return new int[] {-1, 0};
            }
            assembled.add(text.toByteArray());
            return new int[] {-assembled.size(), text.size()};
        }

        /** The text of a string (without length or NUL). */
        private void append(ByteSink to, int[] str) {
            if (str[0] < 0) {
                to.write(assembled.get(-1 - str[0]));
            } else if (str[1] < 0) {
                to.write(uuidString(raw, str[0]));
            } else {
                to.write(raw, str[0], str[1]);
            }
        }

        private void copy(int n) {
            if (n < 0 || p + n > raw.length) {
                throw new IllegalArgumentException("skeleton runs past the block");
            }
            out.write(raw, p, n);
            p += n;
        }

        private long readVarint() {
            long v = 0;
            for (int shift = 0; shift < 63; shift += 7) {
                int c = raw[p++] & 0xff;
                v |= (long) (c & 0x7f) << shift;
                if (c < 0x80) {
                    return v;
                }
            }
            throw new IllegalArgumentException("varint too long");
        }
    }
}
