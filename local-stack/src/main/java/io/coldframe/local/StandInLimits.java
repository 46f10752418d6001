package io.coldframe.local;

import java.util.Map;
import java.util.Optional;
import java.util.Set;

import org.bson.BsonArray;
import org.bson.BsonDocument;
import org.bson.BsonValue;

/**
 * What the in-JVM MongoDB stand-in (mongo-java-server) cannot hold although MongoDB stores it: local mode checks each
 * document before loading it, names the ones it must leave out and loads the rest, instead of a dropped connection, a
 * connector task that dies on its copy, or a purge that can never delete the document. Measured on mongo-java-server
 * 1.47.0 (StandInLimitsTest proves each case against the stand-in itself); production code never consults this, and a
 * real MongoDB ({@code --mongo-uri}) takes every document.
 */
public final class StandInLimits {

    private StandInLimits() {
    }

    /** Binary subtypes the stand-in stores (generic, both UUIDs, user defined); it drops the connection on the others. */
    private static final Set<Byte> BINARY_SUBTYPES = Set.of((byte) 0x00, (byte) 0x03, (byte) 0x04, (byte) 0x80);

    /** Why the stand-in cannot hold {@code document} (the first problem, with its field path), or empty if it can. */
    public static Optional<String> problem(BsonDocument document) {
        return problemIn(document, "", true);
    }

    /**
     * {@code asExpression}: the stand-in's aggregation reads this document as an expression, as it does for the
     * documents reached from the root through documents only (not through arrays).
     */
    private static Optional<String> problemIn(BsonDocument document, String path, boolean asExpression) {
        if (asExpression && !path.isEmpty() && document.containsKey("$ref")) {
            return Optional.of(path + ": a DBRef; the connector's copy of existing documents fails on it in the stand-in");
        }
        for (Map.Entry<String, BsonValue> field : document.entrySet()) {
            String at = path.isEmpty() ? field.getKey() : path + "." + field.getKey();
            if (asExpression && field.getKey().startsWith("$")) {
                return Optional.of(at + ": a key beginning with '$'; the connector's copy of existing documents fails on it in the stand-in");
            }
            Optional<String> problem = problemOf(field.getValue(), at, asExpression);
            if (problem.isPresent()) {
                return problem;
            }
        }
        return Optional.empty();
    }

    private static Optional<String> problemOf(BsonValue value, String at, boolean asExpression) {
        switch (value.getBsonType()) {
            case BINARY:
                byte subtype = value.asBinary().getType();
                return BINARY_SUBTYPES.contains(subtype) ? Optional.empty()
                        : Optional.of(at + ": binary subtype " + (subtype & 0xff) + "; the stand-in drops the connection on insert");
            case JAVASCRIPT_WITH_SCOPE:
                return Optional.of(at + ": code with scope; the stand-in drops the connection on insert");
            case REGULAR_EXPRESSION:
                return Optional.of(at + ": a regular expression; the stand-in cannot compare it, so the purger's guarded delete fails on it");
            case JAVASCRIPT:
                return Optional.of(at + ": code; the stand-in cannot compare it, so the purger's guarded delete fails on it");
            case SYMBOL:
                return Optional.of(at + ": a symbol; the stand-in drops the connection on insert");
            case DB_POINTER:
                return Optional.of(at + ": a DBPointer; the stand-in drops the connection on insert");
            case DOCUMENT:
                return problemIn(value.asDocument(), at, asExpression);
            case ARRAY:
                BsonArray array = value.asArray();
                for (int i = 0; i < array.size(); i++) {
                    Optional<String> problem = problemOf(array.get(i), at + "." + i, false);
                    if (problem.isPresent()) {
                        return problem;
                    }
                }
                return Optional.empty();
            default:
                return Optional.empty();
        }
    }
}
