package io.coldframe.local;

import java.util.ArrayList;
import java.util.List;

import de.bwaldvogel.mongo.MongoDatabase;
import de.bwaldvogel.mongo.backend.CollectionOptions;
import de.bwaldvogel.mongo.backend.CursorRegistry;
import de.bwaldvogel.mongo.backend.DatabaseResolver;
import de.bwaldvogel.mongo.backend.Index;
import de.bwaldvogel.mongo.backend.QueryResult;
import de.bwaldvogel.mongo.backend.memory.MemoryBackend;
import de.bwaldvogel.mongo.backend.memory.MemoryCollection;
import de.bwaldvogel.mongo.backend.memory.MemoryDatabase;
import de.bwaldvogel.mongo.bson.Document;
import de.bwaldvogel.mongo.oplog.Oplog;
import io.netty.channel.Channel;

/**
 * mongo-java-server's memory backend where local mode needs it to behave like MongoDB, not in what it returns but in
 * what it costs: its oplog is kept like a capped one and read from the cursor's position ({@link StandInOplog}), and a
 * query that selects by {@code _id} next to other predicates ({@code {$and: [{_id: {$in: …}}, …]}}, as the purger's
 * guarded delete) is narrowed by the {@code _id} index before any other predicate is evaluated, as MongoDB's planner
 * does, instead of evaluating the whole query on every document of the collection. Every document the index yields is
 * still matched against the whole query, so the result is the same; only which documents are looked at changes. A
 * guard that compares a whole document with a literal one is evaluated as MongoDB does ({@link ExactDocumentGuards}). An
 * aggregation answers in batches of at most 16 MiB ({@link ByteBoundedBatches}), as MongoDB's do.
 */
final class StandInBackend extends MemoryBackend {

    private final int oplogRetained;

    StandInBackend(int oplogRetained) {
        this.oplogRetained = oplogRetained;
    }

    @Override
    protected Oplog createOplog() {
        return new StandInOplog(this, getCursorRegistry(), oplogRetained);
    }

    @Override
    public MemoryDatabase openOrCreateDatabase(String databaseName) {
        return new StandInDatabase(databaseName, getCursorRegistry());
    }

    private static final class StandInDatabase extends MemoryDatabase {
        StandInDatabase(String databaseName, CursorRegistry cursorRegistry) {
            super(databaseName, cursorRegistry);
        }

        /** Aggregations answer in 16 MiB batches ({@link ByteBoundedBatches}); every other command as mongo-java-server does. */
        @Override
        public Document handleCommand(Channel channel, String command, Document query, DatabaseResolver databaseResolver,
                                      Oplog oplog) {
            Document reply = super.handleCommand(channel, command, query, databaseResolver, oplog);
            return "aggregate".equalsIgnoreCase(command) ? ByteBoundedBatches.bound(reply, cursorRegistry) : reply;
        }

        @Override
        protected MemoryCollection openOrCreateCollection(String collectionName, CollectionOptions options) {
            return new IdFirstCollection(this, collectionName, options, cursorRegistry);
        }
    }

    static final class IdFirstCollection extends MemoryCollection {
        IdFirstCollection(MongoDatabase database, String collectionName, CollectionOptions options, CursorRegistry cursorRegistry) {
            super(database, collectionName, options, cursorRegistry);
        }

        @Override
        protected QueryResult queryDocuments(Document query, Document orderBy, int numberToSkip, int limit, int batchSize,
                                             Document fieldSelector) {
            Document byId = idPredicate(query);
            if (byId != null && orderBy == null) {
                for (Index<Integer> index : getIndexes()) {
                    if (index.canHandle(byId)) {
                        List<Integer> positions = new ArrayList<>();
                        index.getPositions(byId).forEach(positions::add);
                        positions.sort(null); // natural order, as a collection scan returns them
                        return matchDocuments(query, positions, null, numberToSkip, limit, batchSize, fieldSelector);
                    }
                }
            }
            return super.queryDocuments(query, orderBy, numberToSkip, limit, batchSize, fieldSelector);
        }

        /** Exact-document guards are evaluated as MongoDB does ({@link ExactDocumentGuards}), the rest as before. */
        @Override
        protected boolean documentMatchesQuery(Document document, Document query) {
            return ExactDocumentGuards.matches(document, query, predicate -> super.documentMatchesQuery(document, predicate));
        }

        /** The {@code _id} predicate a query ANDs with its others, when it is not the whole query; else null. */
        static Document idPredicate(Document query) {
            if (query.size() > 1 && query.containsKey("_id")) {
                return new Document("_id", query.get("_id"));
            }
            if (query.get("$and") instanceof List<?> clauses) {
                for (Object clause : clauses) {
                    if (clause instanceof Document document && document.size() == 1 && document.containsKey("_id")) {
                        return document;
                    }
                }
            }
            return null;
        }
    }
}
