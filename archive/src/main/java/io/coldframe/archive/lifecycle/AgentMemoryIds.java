package io.coldframe.archive.lifecycle;

import java.io.IOException;
import java.time.Duration;
import java.util.Collection;
import java.util.Set;
import java.util.SortedSet;
import java.util.TreeSet;

import org.bson.BsonArray;
import org.bson.BsonDocument;
import org.bson.BsonInt32;
import org.bson.BsonString;

import com.mongodb.client.MongoCollection;

import io.coldframe.archive.ArchiveCatalog;
import io.coldframe.common.KafkaConnection;
import io.coldframe.common.MemoryDocuments;
import io.coldframe.common.MemoryFields;
import io.coldframe.common.Topics;
import io.coldframe.schemas.CatalogEntry;

/**
 * The memories of agents, wherever they live: their documents in MongoDB (field {@code agent_id}) and the memories the
 * archive catalog holds for them. Older versions of those memories in other segments are found by id afterwards
 * ({@link MemoryErasure}), so the catalog's latest entry per memory is enough here.
 */
public final class AgentMemoryIds {

    /** The memory ids the archive holds for agents. */
    public interface Archive {
        Set<String> memoryIdsOf(Set<String> agents) throws IOException;
    }

    private final MongoCollection<BsonDocument> memories;
    private final Archive archive;

    public AgentMemoryIds(MongoCollection<BsonDocument> memories, Archive archive) {
        this.memories = memories;
        this.archive = archive;
    }

    /**
     * The archive as the catalog topic says it. A catalog that cannot be read fails the lookup (erasing only what
     * MongoDB holds would leave the archived memories behind without saying so).
     */
    public static Archive catalog(KafkaConnection kafka, Topics topics, Duration timeout) {
        return agents -> {
            ArchiveCatalog catalog = ArchiveCatalog.load(kafka, topics, timeout, entry -> agents.contains(entry.getAgent()));
            Set<String> ids = new TreeSet<>();
            catalog.entries().stream().map(CatalogEntry::getMemoryId).forEach(ids::add);
            return ids;
        };
    }

    /** Memory ids (canonical Extended JSON of {@code _id}) of every memory of {@code agents}, sorted. */
    public SortedSet<String> of(Collection<String> agents) throws IOException {
        Set<String> wanted = Set.copyOf(agents);
        SortedSet<String> ids = new TreeSet<>(archive.memoryIdsOf(wanted));
        BsonDocument filter = new BsonDocument(MemoryFields.AGENT,
                new BsonDocument("$in", new BsonArray(wanted.stream().map(BsonString::new).toList())));
        for (BsonDocument document : memories.find(filter).projection(new BsonDocument(MemoryFields.ID, new BsonInt32(1)))) {
            ids.add(MemoryDocuments.idOf(document.get(MemoryFields.ID)));
        }
        return ids;
    }
}
