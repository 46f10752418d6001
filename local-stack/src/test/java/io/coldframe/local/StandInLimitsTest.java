package io.coldframe.local;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

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
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import com.mongodb.client.MongoClient;
import com.mongodb.client.MongoClients;
import com.mongodb.client.MongoCollection;

/**
 * {@link StandInLimits} against the stand-in itself: a value is named a problem exactly when the stand-in fails to
 * insert a document holding it, or fails the connector's way of reading existing documents back ({@code $replaceRoot}
 * with {@code $$ROOT}), or fails the purger's guard that compares the whole document in the server. So the check neither drops documents the stand-in takes nor lets through ones that break it.
 */
class StandInLimitsTest {

    private static EmbeddedMongo mongo;
    private static MongoClient client;

    @BeforeAll
    static void start() {
        mongo = EmbeddedMongo.start();
        client = MongoClients.create(mongo.connectionString());
    }

    @AfterAll
    static void stop() {
        client.close();
        mongo.close();
    }

    @Test
    void namesExactlyTheValuesTheStandInCannotHold() {
        Map<String, BsonValue> values = new LinkedHashMap<>();
        for (int subtype : new int[] {0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 0x80, 0xff}) {
            values.put("binary subtype " + subtype, new BsonBinary((byte) subtype, subtype == 3 || subtype == 4 ? new byte[16]
                    : subtype == 9 ? new byte[] {0x03, 0, 1} : new byte[] {1, 2, 3}));
        }
        values.put("code with scope", new BsonJavaScriptWithScope("f()", new BsonDocument("a", new BsonInt32(1))));
        values.put("code", new BsonJavaScript("f()"));
        values.put("symbol", new BsonSymbol("s"));
        values.put("undefined", new BsonUndefined());
        values.put("DBPointer", new BsonDbPointer("db.c", new ObjectId()));
        values.put("DBRef", new BsonDocument("$ref", new BsonString("c")).append("$id", new BsonInt32(1)));
        values.put("DBRef in an array", new BsonArray(List.of(new BsonDocument("$ref", new BsonString("c")).append("$id", new BsonInt32(1)))));
        values.put("DBRef two levels deep", new BsonDocument("x", new BsonDocument("$ref", new BsonString("c")).append("$id", new BsonInt32(1))));
        values.put("key beginning with $", new BsonDocument("$a", new BsonInt32(1)));
        values.put("key beginning with $ in an array", new BsonArray(List.of(new BsonDocument("$a", new BsonInt32(1)))));
        values.put("key beginning with $ under an array", new BsonArray(List.of(new BsonDocument("x", new BsonDocument("$a", new BsonInt32(1))))));
        values.put("dotted key", new BsonDocument("a.b", new BsonInt32(1)));
        values.put("regex", new BsonRegularExpression("^a", "i"));
        values.put("timestamp", new BsonTimestamp(1, 2));
        values.put("decimal128", new BsonDecimal128(Decimal128.parse("1.10")));
        values.put("min key", new BsonMinKey());
        values.put("max key", new BsonMaxKey());
        values.put("NaN", new BsonDouble(Double.NaN));
        values.put("int64", new BsonInt64(Long.MIN_VALUE));
        values.put("date before 1970", new BsonDateTime(-1));
        values.put("null", BsonNull.VALUE);
        values.put("boolean", BsonBoolean.TRUE);
        values.put("object id", new BsonObjectId(new ObjectId()));
        values.put("nested symbol", new BsonDocument("deep", new BsonArray(List.of(new BsonSymbol("s")))));

        List<String> mismatches = new ArrayList<>();
        int n = 0;
        for (Map.Entry<String, BsonValue> value : values.entrySet()) {
            BsonDocument document = new BsonDocument("_id", new BsonInt32(1)).append("v", value.getValue());
            String failure = failureOnTheStandIn("c" + n++, document);
            boolean named = StandInLimits.problem(document).isPresent();
            if (named != (failure != null)) {
                mismatches.add(value.getKey() + ": named " + named + ", stand-in " + (failure == null ? "takes it" : "fails: " + failure));
            }
        }
        assertThat(mismatches).isEmpty();
    }

    @Test
    void theProblemNamesTheFieldPath() {
        BsonDocument document = BsonDocument.parse("{_id: 1, a: {b: [1, {c: {$symbol: 's'}}]}}");
        assertThat(StandInLimits.problem(document)).hasValueSatisfying(problem -> assertThat(problem).startsWith("a.b.1.c: "));
        assertThat(StandInLimits.problem(BsonDocument.parse("{_id: 1, text: 'plain'}"))).isEmpty();
    }

    private static String failureOnTheStandIn(String collection, BsonDocument document) {
        MongoCollection<BsonDocument> c = client.getDatabase("limits").getCollection(collection, BsonDocument.class);
        try {
            c.insertOne(document);
            c.aggregate(List.of(BsonDocument.parse("{$replaceRoot: {newRoot: {documentKey: {_id: '$_id'}, fullDocument: '$$ROOT'}}}")))
                    .into(new ArrayList<>());
            // the purger's guard: the whole document compared in the server
            BsonDocument guard = new BsonDocument("$expr", new BsonDocument("$eq", new BsonArray(List.of(new BsonString("$$ROOT"),
                    new BsonDocument("$literal", document)))));
            if (c.find(guard).into(new ArrayList<>()).size() != 1) {
                return "the guarded find does not match the document";
            }
            return null;
        } catch (RuntimeException e) {
            return e.getClass().getSimpleName() + ": " + e.getMessage().lines().findFirst().orElse("");
        }
    }
}
