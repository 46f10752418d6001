package io.coldframe.archive;

import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Pattern;

import org.bson.BsonDocument;
import org.bson.BsonObjectId;
import org.bson.BsonString;
import org.bson.BsonValue;
import org.bson.types.ObjectId;

import io.coldframe.common.MemoryDocuments;
import io.coldframe.common.MemoryFields;

/**
 * A memory id as a person types it (command line, URL). Memory ids are the canonical Extended JSON of the document's
 * {@code _id}; accepted spellings:
 * <ul>
 * <li>any Extended JSON value, canonical or relaxed: {@code {"$oid": "65f0..."}}, {@code "mem-1"},
 * {@code {"$numberLong": "42"}}, {@code 42} (an int32); whitespace does not matter;</li>
 * <li>24 hex digits alone: an ObjectId ({@code 65f0...} = {@code {"$oid": "65f0..."}});</li>
 * <li>anything else that is not JSON: a string ({@code mem-1} = {@code "mem-1"}).</li>
 * </ul>
 * So a string id that looks like JSON or like an ObjectId (e.g. the string {@code "42"}) must be typed with its
 * JSON quotes: {@code '"42"'}.
 */
public final class MemoryIdInput {

    private static final Pattern OBJECT_ID_HEX = Pattern.compile("[0-9a-fA-F]{24}");

    private MemoryIdInput() {
    }

    /** The canonical memory id the argument stands for. */
    public static String canonical(String argument) {
        String s = argument.strip();
        if (OBJECT_ID_HEX.matcher(s).matches()) {
            return MemoryDocuments.idOf(new BsonObjectId(new ObjectId(s.toLowerCase())));
        }
        BsonValue value = jsonValue(s);
        return MemoryDocuments.idOf(value != null ? value : new BsonString(argument));
    }

    /**
     * Ids to look up, in order: the canonical id, then the argument exactly as typed (segments written by other
     * tools may spell ids differently; the format treats them as opaque strings).
     */
    public static List<String> candidates(String argument) {
        Set<String> ids = new LinkedHashSet<>();
        ids.add(canonical(argument));
        ids.add(argument);
        return List.copyOf(ids);
    }

    private static BsonValue jsonValue(String s) {
        if (s.isEmpty()) {
            return null;
        }
        try {
            BsonDocument wrapper = BsonDocument.parse("{\"" + MemoryFields.ID + "\": " + s + "\n}");
            return wrapper.size() == 1 ? wrapper.get(MemoryFields.ID) : null;
        } catch (RuntimeException e) {
            return null; // not JSON: a plain string
        }
    }
}
