package io.coldframe.archive;

import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

import org.bson.BsonDocument;
import org.bson.BsonValue;

import com.mongodb.client.MongoCollection;
import com.mongodb.client.model.Filters;
import com.mongodb.client.model.Projections;

import io.coldframe.common.MemoryDocuments;
import io.coldframe.common.MemoryFields;

/** Which memory ids a MongoDB collection holds now: looked up by _id, in chunks, fetching only the ids. */
public final class MongoPresence {

    private static final int CHUNK = 5000;

    private MongoPresence() {
    }

    public static Set<String> presentIds(MongoCollection<?> memories, Collection<String> memoryIds) {
        MongoCollection<BsonDocument> collection = memories.withDocumentClass(BsonDocument.class);
        Set<String> present = new HashSet<>();
        List<BsonValue> chunk = new ArrayList<>();
        for (String id : memoryIds) {
            chunk.add(MemoryDocuments.idValue(id));
            if (chunk.size() == CHUNK) {
                collect(collection, chunk, present);
                chunk.clear();
            }
        }
        collect(collection, chunk, present);
        return present;
    }

    private static void collect(MongoCollection<BsonDocument> collection, List<BsonValue> ids, Set<String> present) {
        if (ids.isEmpty()) {
            return;
        }
        for (BsonDocument document : collection.find(Filters.in(MemoryFields.ID, ids)).projection(Projections.include(MemoryFields.ID))) {
            present.add(MemoryDocuments.idOf(document.get(MemoryFields.ID)));
        }
    }
}
