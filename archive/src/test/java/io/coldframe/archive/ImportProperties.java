package io.coldframe.archive;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.math.BigDecimal;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

import org.bson.BsonArray;
import org.bson.BsonBinary;
import org.bson.BsonBoolean;
import org.bson.BsonDateTime;
import org.bson.BsonDbPointer;
import org.bson.BsonDecimal128;
import org.bson.BsonDocument;
import org.bson.BsonDouble;
import org.bson.BsonInt32;
import org.bson.BsonInt64;
import org.bson.BsonJavaScript;
import org.bson.BsonJavaScriptWithScope;
import org.bson.BsonMaxKey;
import org.bson.BsonMinKey;
import org.bson.BsonNull;
import org.bson.BsonObjectId;
import org.bson.BsonRegularExpression;
import org.bson.BsonString;
import org.bson.BsonSymbol;
import org.bson.BsonTimestamp;
import org.bson.BsonUndefined;
import org.bson.BsonValue;
import org.bson.RawBsonDocument;
import org.bson.json.JsonMode;
import org.bson.json.JsonWriterSettings;
import org.bson.types.Decimal128;
import org.bson.types.ObjectId;

import com.mongodb.client.MongoClient;
import com.mongodb.client.MongoClients;
import com.mongodb.client.MongoCollection;

import de.bwaldvogel.mongo.MongoServer;
import de.bwaldvogel.mongo.backend.memory.MemoryBackend;
import io.coldframe.common.MemoryDocuments;
import io.coldframe.common.Progress;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.lifecycle.AfterContainer;
import net.jqwik.api.arbitraries.StringArbitrary;
import net.jqwik.api.lifecycle.BeforeContainer;

/**
 * Import is lossless: canonical Extended JSON of any document (every BSON type) imports to exactly its BSON with
 * {@code _id} first; relaxed Extended JSON imports to a fixed point (re-exporting and re-importing changes no byte);
 * and importing the same files twice writes nothing the second time, with source and collection in parity.
 */
class ImportProperties {

    private static final JsonWriterSettings CANONICAL = JsonWriterSettings.builder().outputMode(JsonMode.EXTENDED).build();
    private static final JsonWriterSettings RELAXED = JsonWriterSettings.builder().outputMode(JsonMode.RELAXED).build();

    private static MongoServer server;
    private static MongoClient client;

    @BeforeContainer
    static void startMongo() {
        server = new MongoServer(new MemoryBackend());
        InetSocketAddress address = server.bind();
        client = MongoClients.create("mongodb://" + address.getHostString() + ":" + address.getPort());
    }

    @AfterContainer
    static void stopMongo() {
        client.close();
        server.shutdown();
    }

    @Property(tries = 300)
    void canonicalExtendedJsonImportsByteForByte(@ForAll("anyDocument") BsonDocument document) {
        ImportSource.Entry entry = ImportSource.parse(Path.of("p.jsonl"), 1, document.toJson(CANONICAL));
        assertThat(entry.problem()).isNull();
        assertThat(bytes(MemoryImporter.idFirst(entry.document()))).isEqualTo(bytes(MemoryImporter.idFirst(document)));
    }

    @Property(tries = 300)
    void relaxedExtendedJsonImportsToAFixedPoint(@ForAll("anyDocument") BsonDocument document) {
        RawBsonDocument once = MemoryImporter.idFirst(ImportSource.parse(Path.of("p.jsonl"), 1, document.toJson(RELAXED)).document());
        RawBsonDocument twice = MemoryImporter.idFirst(ImportSource.parse(Path.of("p.jsonl"), 1, once.toJson(RELAXED)).document());
        assertThat(bytes(twice)).isEqualTo(bytes(once));
    }

    @Property(tries = 40)
    void asecondImportChangesNothingAndSourceAndCollectionAgree(@ForAll("storableDocuments") List<BsonDocument> documents) throws IOException {
        MongoCollection<RawBsonDocument> memories = client.getDatabase("coldframe").getCollection("memories", RawBsonDocument.class);
        memories.drop();
        Path dir = Files.createTempDirectory("import-property");
        List<String> lines = new ArrayList<>();
        for (int i = 0; i < documents.size(); i++) {
            lines.add(documents.get(i).toJson(i % 2 == 0 ? CANONICAL : RELAXED));
        }
        Path file = Files.write(dir.resolve("memories.jsonl"), lines);
        MemoryImporter importer = new MemoryImporter(memories, 7, Progress.SILENT);

        ImportReport first = importer.run(ImportSource.of(file), false);
        assertThat(first.rejected()).as("%s", first.rejections()).isZero();
        assertThat(first.inserted() + first.updated() + first.unchanged()).isEqualTo(documents.size());
        assertThat(first.parity().match()).as("%s", first.parity()).isTrue();

        ImportReport second = importer.run(ImportSource.of(file), false);
        assertThat(second.changedNothing()).isTrue();
        assertThat(second.unchanged()).isEqualTo(documents.size());
        assertThat(second.parity().sourceChecksum()).isEqualTo(first.parity().sourceChecksum());
        assertThat(second.parity().match()).isTrue();
        Files.delete(file);
        Files.delete(dir);
    }

    @Provide
    Arbitrary<BsonDocument> anyDocument() {
        return withId(fields(anyValue(2)));
    }

    /** Documents every MongoDB stores (the stand-in refuses a few binary subtypes and code with scope, so they are left out here). */
    @Provide
    Arbitrary<List<BsonDocument>> storableDocuments() {
        return withId(fields(storableValue(2))).list().ofMaxSize(25).map(ImportProperties::distinctIds);
    }

    private static List<BsonDocument> distinctIds(List<BsonDocument> documents) {
        Set<BsonValue> seen = new HashSet<>();
        return documents.stream().filter(d -> seen.add(d.get("_id"))).toList();
    }

    private static Arbitrary<BsonDocument> withId(Arbitrary<BsonDocument> fields) {
        Arbitrary<BsonValue> ids = Arbitraries.oneOf(
                Arbitraries.bytes().array(byte[].class).ofSize(12).map(b -> new BsonObjectId(new ObjectId(b))),
                Arbitraries.strings().alpha().numeric().ofMinLength(1).ofMaxLength(12).map(BsonString::new),
                Arbitraries.longs().map(BsonInt64::new));
        // _id anywhere among the fields: import puts it first
        return Combinators.combine(ids, fields, Arbitraries.integers().between(0, 6)).as((id, rest, at) -> {
            BsonDocument document = new BsonDocument();
            List<String> keys = new ArrayList<>(rest.keySet());
            keys.remove("_id");
            for (int i = 0; i <= keys.size(); i++) {
                if (i == Math.min(at, keys.size())) {
                    document.put("_id", id);
                }
                if (i < keys.size()) {
                    document.put(keys.get(i), rest.get(keys.get(i)));
                }
            }
            return document;
        });
    }

    private static Arbitrary<BsonDocument> fields(Arbitrary<BsonValue> values) {
        return Combinators.combine(keys().list().ofMaxSize(6), values.list().ofMaxSize(6)).as((ks, vs) -> {
            BsonDocument d = new BsonDocument();
            for (int i = 0; i < Math.min(ks.size(), vs.size()); i++) {
                d.put(ks.get(i), vs.get(i));
            }
            return d;
        });
    }

    /**
     * Any text but a leading '$' (in Extended JSON a document whose keys are such wrappers, {"$date": ...}, is that
     * type: the format cannot tell them apart) and NUL (BSON keys cannot hold it).
     */
    private static Arbitrary<String> keys() {
        return Arbitraries.oneOf(
                text().excludeChars('\u0000', '$').ofMaxLength(8),
                Arbitraries.of("a.b", "ключ", "😀", "0", "x$y", ""));
    }

    /** Any Unicode text (NUL included, which BSON strings hold); no lone surrogates, which are not text and UTF-8 cannot encode. */
    private static StringArbitrary text() {
        return Arbitraries.strings().withCharRange('\u0000', '\uD7FF').withCharRange('\uE000', '\uFFFD');
    }

    private static Arbitrary<BsonValue> anyValue(int depth) {
        Arbitrary<String> text = text().ofMaxLength(20);
        Arbitrary<String> cstring = text().excludeChars('\u0000').ofMaxLength(10);
        Arbitrary<ObjectId> oids = Arbitraries.bytes().array(byte[].class).ofSize(12).map(ObjectId::new);
        List<Arbitrary<? extends BsonValue>> leaves = new ArrayList<>(storableLeaves());
        leaves.add(Combinators.combine(Arbitraries.bytes(), Arbitraries.bytes().array(byte[].class).ofMaxSize(20)).as(BsonBinary::new));
        leaves.add(Combinators.combine(cstring, Arbitraries.of("", "i", "imsx", "u")).as(BsonRegularExpression::new));
        leaves.add(Combinators.combine(text, oids).as(BsonDbPointer::new));
        leaves.add(text.map(BsonJavaScript::new));
        leaves.add(text.map(BsonSymbol::new));
        leaves.add(Arbitraries.just(new BsonUndefined()));
        leaves.add(Combinators.combine(text, fields(Arbitraries.integers().map(BsonInt32::new))).as(BsonJavaScriptWithScope::new));
        return nested(Arbitraries.oneOf(leaves), depth, ImportProperties::anyValue);
    }

    private static Arbitrary<BsonValue> storableValue(int depth) {
        return nested(Arbitraries.oneOf(storableLeaves()), depth, ImportProperties::storableValue);
    }

    private static List<Arbitrary<? extends BsonValue>> storableLeaves() {
        Arbitrary<Double> doubles = Arbitraries.oneOf(Arbitraries.doubles(), Arbitraries.floats().map(f -> (double) f),
                Arbitraries.of(Double.NaN, -0.0, 0.0, Double.POSITIVE_INFINITY, Double.NEGATIVE_INFINITY, Double.MIN_VALUE,
                        Double.MAX_VALUE, 1.0, 1e20));
        return List.of(
                doubles.map(BsonDouble::new),
                text().ofMaxLength(20).map(BsonString::new),
                Arbitraries.integers().map(BsonInt32::new),
                Arbitraries.longs().map(BsonInt64::new),
                Arbitraries.longs().between(-62_135_596_800_000L, 253_402_300_799_999L).map(BsonDateTime::new),
                Arbitraries.longs().map(BsonDateTime::new),
                Arbitraries.bytes().array(byte[].class).ofSize(12).map(b -> new BsonObjectId(new ObjectId(b))),
                Arbitraries.of(BsonBoolean.TRUE, BsonBoolean.FALSE),
                Arbitraries.just(BsonNull.VALUE),
                Arbitraries.bigDecimals().between(new BigDecimal("-1e20"), new BigDecimal("1e20")).ofScale(4).map(d -> new BsonDecimal128(new Decimal128(d))),
                Arbitraries.of("1.10", "-0", "NaN", "-Infinity", "1E+6144", "-1.000E-6143").map(s -> new BsonDecimal128(Decimal128.parse(s))),
                Arbitraries.longs().map(BsonTimestamp::new),
                Arbitraries.bytes().array(byte[].class).ofMaxSize(20).map(BsonBinary::new),
                Arbitraries.bytes().array(byte[].class).ofSize(16).map(b -> new BsonBinary((byte) 4, b)),
                Arbitraries.just(new BsonMinKey()),
                Arbitraries.just(new BsonMaxKey()));
    }

    private static Arbitrary<BsonValue> nested(Arbitrary<BsonValue> leaf, int depth, java.util.function.IntFunction<Arbitrary<BsonValue>> deeper) {
        if (depth <= 0) {
            return leaf;
        }
        Arbitrary<BsonValue> inner = Arbitraries.lazy(() -> deeper.apply(depth - 1));
        return Arbitraries.frequencyOf(
                net.jqwik.api.Tuple.of(6, leaf),
                net.jqwik.api.Tuple.of(1, fields(inner).map(d -> (BsonValue) d)),
                net.jqwik.api.Tuple.of(1, inner.list().ofMaxSize(5).map(l -> (BsonValue) new BsonArray(l))));
    }

    private static byte[] bytes(BsonDocument document) {
        return MemoryDocuments.toBson(document);
    }
}
