package io.coldframe.segment;

import java.util.ArrayList;
import java.util.List;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
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
import org.bson.types.Decimal128;
import org.bson.types.ObjectId;

/** jqwik generators for BSON documents holding every BSON type, with the edge cases the format must keep. */
final class BsonArbitraries {
    private BsonArbitraries() {
    }

    static Arbitrary<BsonDocument> documents(int depth) {
        return Combinators.combine(keys().list().ofMaxSize(6), value(depth).list().ofMaxSize(6)).as((ks, vs) -> {
            BsonDocument d = new BsonDocument();
            for (int i = 0; i < Math.min(ks.size(), vs.size()); i++) {
                d.put(ks.get(i), vs.get(i));
            }
            return d;
        });
    }

    /** Keys: any unicode (no NUL, which BSON keys cannot hold), including empty, '$' and '.'. */
    static Arbitrary<String> keys() {
        return Arbitraries.oneOf(
                Arbitraries.strings().all().excludeChars('\u0000').ofMaxLength(8),
                Arbitraries.strings().withCharRange('a', 'z').ofMinLength(1).ofMaxLength(6),
                Arbitraries.of("_id", "$set", "a.b", "ключ", "キー", "😀", "0", "1"));
    }

    static Arbitrary<Double> doubles() {
        return Arbitraries.oneOf(
                Arbitraries.doubles(),
                Arbitraries.floats().map(f -> (double) f),
                Arbitraries.longs().map(Double::longBitsToDouble), // any bit pattern, NaN payloads included
                Arbitraries.of(Double.NaN, -0.0, 0.0, Double.POSITIVE_INFINITY, Double.NEGATIVE_INFINITY,
                        Double.MIN_VALUE, Double.MAX_VALUE, Double.longBitsToDouble(0x7ff0000000000001L),
                        Double.longBitsToDouble(0xfff8000000000123L), (double) Float.MIN_VALUE, 1e-45));
    }

    static Arbitrary<BsonArray> doubleArrays() {
        return Arbitraries.oneOf(
                doubles().list().ofMinSize(1).ofMaxSize(20),
                Arbitraries.floats().map(f -> (double) f).list().ofMinSize(1).ofMaxSize(40),
                Arbitraries.of(-0.0, 0.0, Double.NaN, 1.5).list().ofMinSize(1).ofMaxSize(12))
                .map(ds -> {
                    List<BsonValue> vs = new ArrayList<>(ds.size());
                    ds.forEach(d -> vs.add(new BsonDouble(d)));
                    return new BsonArray(vs);
                });
    }

    static Arbitrary<BsonValue> leaf() {
        Arbitrary<String> text = Arbitraries.strings().all().ofMaxLength(20); // NUL allowed in BSON strings
        Arbitrary<String> cstring = Arbitraries.strings().all().excludeChars('\u0000').ofMaxLength(10);
        Arbitrary<byte[]> bytes = Arbitraries.bytes().array(byte[].class).ofMaxSize(40);
        Arbitrary<ObjectId> oids = Arbitraries.bytes().array(byte[].class).ofSize(12).map(ObjectId::new);
        return Arbitraries.oneOf(
                doubles().map(BsonDouble::new),
                text.map(BsonString::new),
                Combinators.combine(Arbitraries.bytes(), bytes).as(BsonBinary::new), // every subtype 0x00..0xff
                Arbitraries.of((byte) 3, (byte) 4).flatMap(t -> Arbitraries.bytes().array(byte[].class).ofSize(16)
                        .map(b -> new BsonBinary(t, b))),
                Arbitraries.bytes().array(byte[].class).ofMaxSize(10).map(b -> new BsonBinary((byte) 9, b)),
                oids.map(BsonObjectId::new),
                Arbitraries.of(BsonBoolean.TRUE, BsonBoolean.FALSE),
                Arbitraries.longs().map(BsonDateTime::new), // far before 1970 too
                Arbitraries.longs().between(-5_000_000_000_000L, 0).map(BsonDateTime::new),
                Arbitraries.just(BsonNull.VALUE),
                Arbitraries.just(new BsonUndefined()),
                Combinators.combine(cstring, Arbitraries.of("", "i", "imsx", "lu")).as(BsonRegularExpression::new),
                Combinators.combine(text, oids).as(BsonDbPointer::new),
                text.map(BsonJavaScript::new),
                text.map(BsonSymbol::new),
                Arbitraries.integers().map(BsonInt32::new),
                Arbitraries.longs().map(BsonTimestamp::new),
                Arbitraries.longs().map(BsonInt64::new),
                Combinators.combine(Arbitraries.longs(), Arbitraries.longs())
                        .as((h, l) -> new BsonDecimal128(Decimal128.fromIEEE754BIDEncoding(h, l))),
                Arbitraries.of(Decimal128.NaN, Decimal128.NEGATIVE_NaN, Decimal128.NEGATIVE_ZERO,
                        Decimal128.POSITIVE_INFINITY, Decimal128.parse("-1.000E-6143")).map(BsonDecimal128::new),
                Arbitraries.just(new BsonMinKey()),
                Arbitraries.just(new BsonMaxKey()));
    }

    static Arbitrary<BsonValue> value(int depth) {
        if (depth <= 0) {
            return leaf();
        }
        Arbitrary<BsonValue> nested = Arbitraries.lazy(() -> value(depth - 1));
        return Arbitraries.frequencyOf(
                net.jqwik.api.Tuple.of(6, leaf()),
                net.jqwik.api.Tuple.of(2, doubleArrays().map(a -> (BsonValue) a)),
                net.jqwik.api.Tuple.of(1, Arbitraries.lazy(() -> documents(depth - 1)).map(d -> (BsonValue) d)),
                net.jqwik.api.Tuple.of(1, nested.list().ofMaxSize(5).map(l -> (BsonValue) new BsonArray(l))),
                net.jqwik.api.Tuple.of(1, Combinators.combine(Arbitraries.strings().ofMaxLength(10),
                        Arbitraries.lazy(() -> documents(depth - 1))).as((c, s) -> (BsonValue) new BsonJavaScriptWithScope(c, s))));
    }
}
