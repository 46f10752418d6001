package io.coldframe.local;

import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;

import de.bwaldvogel.mongo.backend.ValueComparator;
import de.bwaldvogel.mongo.bson.Document;
import de.bwaldvogel.mongo.bson.ObjectId;

/**
 * Evaluates a query made of exact-document guards ({@code $expr: {$eq: ["$$ROOT", {$literal: doc}]}}), as the purger's
 * delete on a deployment without transactions sends them, the way MongoDB does.
 *
 * <p>mongo-java-server compares an array nested in a document by its smallest element (its sort order, one sorted copy
 * per array and comparison), so such a guard let a change to any other element of an embedding pass, and cost most of
 * the stand-in's time. Here documents are compared field by field in order and arrays element by element; scalars as
 * mongo-java-server compares them (numbers by value, as MongoDB does). Under {@code $or}, a clause whose {@code _id}
 * equality names another document is skipped without evaluating its guard, as MongoDB's planner answers each clause
 * from the {@code _id} index. Every other predicate goes to mongo-java-server's matcher unchanged.
 */
final class ExactDocumentGuards {

    private static final String ID = "_id";
    private static final ValueComparator SCALARS = ValueComparator.asc();

    private ExactDocumentGuards() {
    }

    /** Whether the document matches the query; {@code matcher} evaluates the predicates this class does not handle. */
    static boolean matches(Document document, Document query, Predicate<Document> matcher) {
        if (!query.containsKey("$and") && !query.containsKey("$or") && !query.containsKey("$expr")) {
            return matcher.test(query); // nothing of ours: the query as it came, without a copy
        }
        Document others = new Document();
        for (Map.Entry<String, Object> predicate : query.entrySet()) {
            Boolean result = evaluated(document, predicate.getKey(), predicate.getValue(), matcher);
            if (result == null) {
                others.put(predicate.getKey(), predicate.getValue());
            } else if (!result) {
                return false;
            }
        }
        return others.isEmpty() || matcher.test(others);
    }

    /** The predicate's result where this class evaluates it, else null (for mongo-java-server's matcher). */
    private static Boolean evaluated(Document document, String key, Object value, Predicate<Document> matcher) {
        switch (key) {
            case "$and" -> {
                if (value instanceof List<?> clauses && !clauses.isEmpty() && clauses.stream().allMatch(Document.class::isInstance)) {
                    return clauses.stream().allMatch(clause -> matches(document, (Document) clause, matcher));
                }
            }
            case "$or" -> {
                if (value instanceof List<?> clauses && !clauses.isEmpty() && clauses.stream().allMatch(Document.class::isInstance)) {
                    Object id = document.get(ID);
                    return clauses.stream().map(Document.class::cast)
                            .anyMatch(clause -> !namesAnotherId(clause, id) && matches(document, clause, matcher));
                }
            }
            case "$expr" -> {
                Document literal = rootEqualsLiteral(value);
                if (literal != null) {
                    return equal(document, literal);
                }
            }
            default -> { }
        }
        return null;
    }

    /** True only when both ids are of a type whose equality is plain (string, ObjectId) and they differ. */
    private static boolean namesAnotherId(Document clause, Object id) {
        Object wanted = clause.get(ID);
        boolean plain = (wanted instanceof String && id instanceof String) || (wanted instanceof ObjectId && id instanceof ObjectId);
        return plain && !wanted.equals(id);
    }

    /** The literal document of {@code {$eq: ["$$ROOT", {$literal: doc}]}} (either operand order), else null. */
    private static Document rootEqualsLiteral(Object expression) {
        if (!(expression instanceof Document eq) || eq.size() != 1 || !(eq.get("$eq") instanceof List<?> operands) || operands.size() != 2) {
            return null;
        }
        Document literal = literalDocument(operands.get(1));
        if ("$$ROOT".equals(operands.get(0)) && literal != null) {
            return literal;
        }
        literal = literalDocument(operands.get(0));
        return "$$ROOT".equals(operands.get(1)) ? literal : null;
    }

    private static Document literalDocument(Object operand) {
        return operand instanceof Document wrapper && wrapper.size() == 1 && wrapper.get("$literal") instanceof Document literal ? literal : null;
    }

    /** MongoDB's equality of two values: documents field by field in order, arrays element by element. */
    static boolean equal(Object a, Object b) {
        if (a instanceof Document left && b instanceof Document right) {
            if (left.size() != right.size()) {
                return false;
            }
            Iterator<Map.Entry<String, Object>> l = left.entrySet().iterator();
            Iterator<Map.Entry<String, Object>> r = right.entrySet().iterator();
            while (l.hasNext()) {
                Map.Entry<String, Object> x = l.next();
                Map.Entry<String, Object> y = r.next();
                if (!x.getKey().equals(y.getKey()) || !equal(x.getValue(), y.getValue())) {
                    return false;
                }
            }
            return true;
        }
        if (a instanceof List<?> left && b instanceof List<?> right) {
            if (left.size() != right.size()) {
                return false;
            }
            for (int i = 0; i < left.size(); i++) {
                if (!equal(left.get(i), right.get(i))) {
                    return false;
                }
            }
            return true;
        }
        if (a instanceof Document || b instanceof Document || a instanceof List || b instanceof List) {
            return false;
        }
        return SCALARS.compare(a, b) == 0;
    }
}
