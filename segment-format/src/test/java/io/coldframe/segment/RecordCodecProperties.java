package io.coldframe.segment;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import org.bson.BsonDocument;
import org.bson.RawBsonDocument;

/**
 * Any BSON document's exact bytes survive the record body transform and the string-pool block transforms (1; 2
 * without derivable lengths; 3 with strings as pieces and a text section).
 */
class RecordCodecProperties {

    @Property(tries = 400)
    void everyDocumentRoundTripsByteForByte(@ForAll("documents") BsonDocument doc) {
        byte[] bson = BsonBytes.of(doc);
        byte[] body = RecordCodec.encode(bson);
        assertThat(RecordCodec.decode(body)).isEqualTo(bson);
        // and the document read back is the same document
        assertThat(new RawBsonDocument(RecordCodec.decode(body))).isEqualTo(new RawBsonDocument(bson));
    }

    @Property(tries = 150)
    void documentsNestedInArraysOfDocumentsRoundTrip(@ForAll("deep") BsonDocument doc) {
        byte[] bson = BsonBytes.of(doc);
        assertThat(RecordCodec.decode(RecordCodec.encode(bson))).isEqualTo(bson);
    }

    @Property(tries = 200)
    void canonicalDoubleArraysAreAlwaysPacked(@ForAll("documents") BsonDocument doc,
            @ForAll("doubleArrays") org.bson.BsonArray embedding) {
        BsonDocument withArray = doc.clone();
        withArray.put("embedding\u00e9", embedding);
        byte[] bson = BsonBytes.of(withArray);
        byte[] body = RecordCodec.encode(bson);
        assertThat(body[0]).as("packed, not the verbatim fallback").isEqualTo((byte) RecordCodec.KIND_PACKED);
        assertThat(RecordCodec.decode(body)).isEqualTo(bson);
    }

    @Property(tries = 300)
    void blocksOfAnyDocumentsRoundTripThroughTheStringPool(@ForAll("blocks") java.util.List<BsonDocument> docs,
            @ForAll @net.jqwik.api.constraints.IntRange(min = 1, max = 3) int transform) {
        java.util.List<byte[]> bodies = new java.util.ArrayList<>();
        for (BsonDocument d : docs) {
            bodies.add(RecordCodec.encode(BsonBytes.of(d)));
        }
        bodies.add(bodies.get(0)); // a repeated document: its strings all become references
        java.util.List<byte[]> back = FieldPoolBlock.decode(FieldPoolBlock.encode(bodies, transform), transform);
        assertThat(back).hasSameSizeAs(bodies);
        for (int i = 0; i < bodies.size(); i++) {
            assertThat(back.get(i)).isEqualTo(bodies.get(i));
            assertThat(RecordCodec.decode(back.get(i))).isEqualTo(BsonBytes.of(i < docs.size() ? docs.get(i) : docs.get(0)));
        }
    }

    @Property(tries = 100)
    void aBlockThatCannotBeWalkedKeepsItsBodiesVerbatim(@ForAll("documents") BsonDocument doc,
            @ForAll byte[] garbage, @ForAll @net.jqwik.api.constraints.IntRange(min = 1, max = 3) int transform) {
        byte[] good = RecordCodec.encode(BsonBytes.of(doc));
        byte[] bad = new byte[garbage.length + 1];
        bad[0] = RecordCodec.KIND_VERBATIM;
        System.arraycopy(garbage, 0, bad, 1, garbage.length);
        java.util.List<byte[]> bodies = java.util.List.of(good, bad, good);
        java.util.List<byte[]> back = FieldPoolBlock.decode(FieldPoolBlock.encode(bodies, transform), transform);
        for (int i = 0; i < bodies.size(); i++) {
            assertThat(back.get(i)).isEqualTo(bodies.get(i));
        }
    }

    @Property(tries = 200)
    void uuidLikeStringsRoundTripThroughTheStringPool(@ForAll("uuidish") java.util.List<String> texts,
            @ForAll @net.jqwik.api.constraints.IntRange(min = 1, max = 3) int transform) {
        java.util.List<byte[]> bodies = new java.util.ArrayList<>();
        for (String t : texts) {
            bodies.add(RecordCodec.encode(BsonBytes.of(new BsonDocument("memory_id", new org.bson.BsonString(t)))));
        }
        java.util.List<byte[]> back = FieldPoolBlock.decode(FieldPoolBlock.encode(bodies, transform), transform);
        for (int i = 0; i < bodies.size(); i++) {
            assertThat(back.get(i)).isEqualTo(bodies.get(i));
        }
    }

    @Property(tries = 200)
    void everyValidDocumentIsWalkedWithoutItsLengths(@ForAll("deep") BsonDocument doc,
            @ForAll("doubleArrays") org.bson.BsonArray embedding) {
        BsonDocument withArray = doc.clone();
        withArray.put("nested", new BsonDocument("embedding", embedding).append("after", new org.bson.BsonInt32(1)));
        for (BsonDocument d : java.util.List.of(doc, withArray)) {
            byte[] body = RecordCodec.encode(BsonBytes.of(d));
            byte[] raw = FieldPoolBlock.encode(java.util.List.of(body), 2);
            assertThat(raw[4]).as("a walked skeleton, not the verbatim escape").isEqualTo((byte) 1);
            assertThat(FieldPoolBlock.decode(raw, 2)).containsExactly(body);
            byte[] raw3 = FieldPoolBlock.encode(java.util.List.of(body), 3);
            int textRuns = raw3[4];
            assertThat(raw3[5 + textRuns]).as("transform 3: a walked skeleton after the text section's run list")
                    .isEqualTo((byte) 1);
            assertThat(FieldPoolBlock.decode(raw3, 3)).containsExactly(body);
        }
    }

    @Property(tries = 100)
    void aLengthPrefixThatIsNotTheLengthRoundTripsExactly(@ForAll("documents") BsonDocument doc,
            @ForAll @net.jqwik.api.constraints.IntRange(min = 1, max = 1000) int lie) {
        byte[] bson = BsonBytes.of(new BsonDocument("inner", doc));
        int inner = 4 + 1 + "inner".length() + 1; // the lie goes into the inner document's prefix
        int len = ByteSink.intLE(bson, inner);
        bson[inner] = (byte) (len + lie);
        bson[inner + 1] = (byte) ((len + lie) >>> 8);
        bson[inner + 2] = (byte) ((len + lie) >>> 16);
        bson[inner + 3] = (byte) ((len + lie) >>> 24);
        byte[] body = new byte[bson.length + 1];
        System.arraycopy(bson, 0, body, 1, bson.length); // kind 0: the BSON as it came
        byte[] good = RecordCodec.encode(BsonBytes.of(doc));
        java.util.List<byte[]> bodies = java.util.List.of(good, body, good);
        for (int transform : new int[] {2, 3}) {
            byte[] raw = FieldPoolBlock.encode(bodies, transform);
            assertThat(FieldPoolBlock.decode(raw, transform)).containsExactlyElementsOf(bodies);
        }
    }

    @Property(tries = 200)
    void stringsMadeOfEarlierStringsRoundTripAsPieces(@ForAll("turns") java.util.List<String> turns,
            @ForAll("separators") String separator, @ForAll("documents") BsonDocument other) {
        java.util.List<byte[]> bodies = new java.util.ArrayList<>();
        for (int t = 0; t + 1 < turns.size(); t++) {
            BsonDocument d = new BsonDocument("memory_id", new org.bson.BsonString(java.util.UUID.nameUUIDFromBytes(
                    new byte[] {(byte) t}).toString()))
                    .append("input", new org.bson.BsonString(turns.get(t)))
                    .append("response", new org.bson.BsonString(turns.get(t + 1)))
                    .append("context", new org.bson.BsonString(
                            String.join(separator, turns.subList(Math.max(0, t - 2), t + 1))))
                    .append("nested", new BsonDocument("echo", new org.bson.BsonString(
                            separator + turns.get(t) + turns.get(t) + separator)))
                    .append("other", other);
            bodies.add(RecordCodec.encode(BsonBytes.of(d)));
        }
        FieldPoolBlock.Laid laid = FieldPoolBlock.layOut(bodies, 3);
        assertThat(FieldPoolBlock.decode(laid.raw(), 3)).containsExactlyElementsOf(bodies);
        assertThat(laid.textStart()).isBetween(4, laid.raw().length);
        for (BlockCompression codec : BlockCompression.values()) {
            BlockCodecV2.Packed packed = BlockCodecV2.pack(bodies, codec, 3);
            byte[] raw = BlockCompression.ofId(packed.codec().id()).decompress(packed.compressed(), packed.rawBytes());
            assertThat(BlockCodecV2.bodies(raw, packed.transform())).containsExactlyElementsOf(bodies);
        }
    }

    @net.jqwik.api.Example
    void aBodyThatFailsAfterItsStringsLeavesNoPiecesBehind() {
        String turn = "a turn long enough to become a piece of a later string";
        byte[] bson = BsonBytes.of(new BsonDocument("input", new org.bson.BsonString(turn)));
        byte[] unwalkable = new byte[bson.length + 2]; // kind 0, the BSON, then a trailing byte: walked, then refused
        System.arraycopy(bson, 0, unwalkable, 1, bson.length);
        unwalkable[unwalkable.length - 1] = 7;
        byte[] later = RecordCodec.encode(BsonBytes.of(new BsonDocument("input", new org.bson.BsonString(turn))
                .append("context", new org.bson.BsonString(turn + "\n" + turn))));
        java.util.List<byte[]> bodies = java.util.List.of(unwalkable, later, later);
        byte[] raw = FieldPoolBlock.encode(bodies, 3);
        assertThat(FieldPoolBlock.decode(raw, 3)).containsExactlyElementsOf(bodies);
        // without pieces the turn's bytes would be there three times more (input, and twice in the context)
        assertThat(raw.length).as("after the verbatim body the turn is stored once, the context as pieces of it")
                .isLessThan(unwalkable.length + 3 * turn.length());
    }

    @net.jqwik.api.Example
    void aTextSectionThatIsASmallShareOfItsBlockIsLeftToZstd() {
        // embeddings (incompressible bytes) beside a little prose, as in the demo's memories: bzip2 would save too
        // little of the block to pay for its decode
        java.util.Random random = new java.util.Random(3);
        java.util.List<byte[]> bodies = new java.util.ArrayList<>();
        for (int i = 0; i < 40; i++) {
            byte[] embedding = new byte[3_000];
            random.nextBytes(embedding);
            bodies.add(RecordCodec.encode(BsonBytes.of(new BsonDocument("text",
                    new org.bson.BsonString("Turn " + i + ": the user asked about the flight to Lisbon and the hotel again."))
                    .append("embedding", new org.bson.BsonBinary(embedding)))));
        }
        FieldPoolBlock.Laid laid = FieldPoolBlock.layOut(bodies, 3);
        assertThat(laid.textStart()).as("a text section").isLessThan(laid.raw().length);
        assertThat(BlockCodecV2.bzip2Pays(laid.raw(), laid.textStart())).isFalse();
        BlockCodecV2.Packed packed = BlockCodecV2.pack(bodies, BlockCompression.ZSTD_BZIP2, 3);
        assertThat(packed.codec()).isEqualTo(BlockCompression.ZSTD);
        byte[] raw = packed.codec().decompress(packed.compressed(), packed.rawBytes());
        assertThat(BlockCodecV2.bodies(raw, packed.transform())).containsExactlyElementsOf(bodies);
    }

    @Property(tries = 50)
    void longTextGoesToTheTextSectionAndComesBackThroughBzip2(@ForAll("turns") java.util.List<String> turns) {
        java.util.List<byte[]> bodies = new java.util.ArrayList<>();
        StringBuilder text = new StringBuilder();
        for (int i = 0; text.length() < 3 * FieldPoolBlock.TEXT_RUN_MIN_BYTES; i++) {
            text.append(turns.get(i % turns.size())).append(" and ").append(i).append(" more words of prose. ");
            bodies.add(RecordCodec.encode(BsonBytes.of(new BsonDocument("text", new org.bson.BsonString(text.toString())))));
        }
        FieldPoolBlock.Laid laid = FieldPoolBlock.layOut(bodies, 3);
        assertThat(laid.textStart()).as("a text section").isLessThan(laid.raw().length);
        BlockCodecV2.Packed packed = BlockCodecV2.pack(bodies, BlockCompression.ZSTD_BZIP2, 3);
        assertThat(packed.codec()).isEqualTo(BlockCompression.ZSTD_BZIP2);
        byte[] raw = packed.codec().decompress(packed.compressed(), packed.rawBytes());
        assertThat(BlockCodecV2.bodies(raw, packed.transform())).containsExactlyElementsOf(bodies);
    }

    @net.jqwik.api.Example
    void aMalformedCodec2BlockIsRefusedNamingWhy() {
        byte[] raw = new byte[5000];
        for (int i = 0; i < raw.length; i++) {
            raw[i] = (byte) ("some prose to compress, ".charAt(i % 24) + (i < 1000 ? 1 : 0));
        }
        byte[] good = BlockCompression.ZSTD_BZIP2.compress(raw, 3, 1000);
        assertThat(BlockCompression.ZSTD_BZIP2.decompress(good, raw.length)).isEqualTo(raw);
        assertThatThrownBy(() -> BlockCompression.ZSTD_BZIP2.decompress(good, raw.length + 1))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("bzip2");
        assertThatThrownBy(() -> BlockCompression.ZSTD_BZIP2.decompress(java.util.Arrays.copyOf(good, good.length - 9), raw.length))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("bzip2");
        byte[] farHead = good.clone();
        farHead[0] = (byte) 0xff;
        farHead[1] = (byte) 0x7f; // a zstd frame length past the block: the varint now spans two bytes
        assertThatThrownBy(() -> BlockCompression.ZSTD_BZIP2.decompress(farHead, raw.length))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("does not leave a bzip2 stream");
        assertThatThrownBy(() -> BlockCompression.ZSTD_BZIP2.compress(raw, 3, raw.length))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("text section");
    }

    /** Turns of a conversation: empty, short, long, unicode, repeated. */
    @Provide
    Arbitrary<java.util.List<String>> turns() {
        return net.jqwik.api.Arbitraries.oneOf(net.jqwik.api.Arbitraries.strings().ofMaxLength(300),
                net.jqwik.api.Arbitraries.strings().alpha().withChars(' ', '.', '\u00e9', '\ud83e', '\udde0').ofMinLength(10)
                        .ofMaxLength(400),
                net.jqwik.api.Arbitraries.of("", "ok", "Thanks, that works.", "0123456789abcdef0123"))
                .list().ofMinSize(2).ofMaxSize(12);
    }

    @Provide
    Arbitrary<String> separators() {
        return net.jqwik.api.Arbitraries.of("", "\n", " | ", "\nUser: ");
    }

    /** Canonical UUIDs (stored as 16 bytes), uppercase ones and near misses (kept as text). */
    @Provide
    Arbitrary<java.util.List<String>> uuidish() {
        Arbitrary<String> uuid = net.jqwik.api.Arbitraries.longs().tuple2()
                .map(t -> new java.util.UUID(t.get1(), t.get2()).toString());
        return net.jqwik.api.Arbitraries.oneOf(uuid, uuid.map(String::toUpperCase),
                uuid.map(u -> u.replace('-', 'x')), uuid.map(u -> u.substring(1) + "g"),
                uuid.map(u -> u.substring(0, 35))).list().ofMinSize(1).ofMaxSize(10);
    }

    @Provide
    Arbitrary<java.util.List<BsonDocument>> blocks() {
        return BsonArbitraries.documents(3).list().ofMinSize(1).ofMaxSize(8);
    }

    @Provide
    Arbitrary<org.bson.BsonArray> doubleArrays() {
        return BsonArbitraries.doubleArrays();
    }

    @Provide
    Arbitrary<BsonDocument> documents() {
        return BsonArbitraries.documents(2);
    }

    @Provide
    Arbitrary<BsonDocument> deep() {
        return BsonArbitraries.documents(4);
    }
}
