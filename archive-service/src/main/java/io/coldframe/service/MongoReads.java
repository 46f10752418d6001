package io.coldframe.service;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Date;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;

import org.bson.BsonValue;
import org.bson.Document;
import org.bson.RawBsonDocument;
import org.bson.conversions.Bson;
import org.reactivestreams.Publisher;
import org.reactivestreams.Subscriber;
import org.reactivestreams.Subscription;

import com.mongodb.client.model.Aggregates;
import com.mongodb.client.model.Accumulators;
import com.mongodb.client.model.Filters;
import com.mongodb.client.model.Sorts;
import com.mongodb.reactivestreams.client.MongoClient;
import com.mongodb.reactivestreams.client.MongoClients;
import com.mongodb.reactivestreams.client.MongoCollection;

import io.coldframe.common.MemoryFields;

/**
 * The service's MongoDB reads, through the reactive-streams driver: a read waits on the network without holding a
 * thread, so many concurrent gets do not each hold one. Each method completes a future.
 */
final class MongoReads implements AutoCloseable {

    private final MongoClient client;
    private final MongoCollection<RawBsonDocument> memories;

    MongoReads(String uri, String database, String collection) {
        this.client = MongoClients.create(uri);
        this.memories = client.getDatabase(database).getCollection(collection, RawBsonDocument.class);
    }

    CompletableFuture<Optional<RawBsonDocument>> byId(BsonValue id) {
        return first(memories.find(Filters.eq(MemoryFields.ID, id)).first());
    }

    /** One agent's memories with created_at in [from, to), newest first, at most {@code limit}. */
    CompletableFuture<List<RawBsonDocument>> timeline(String agent, Instant from, Instant to, int limit) {
        Bson filter = Filters.and(Filters.eq(MemoryFields.AGENT, agent), Filters.gte(MemoryFields.CREATED_AT, Date.from(from)),
                Filters.lt(MemoryFields.CREATED_AT, Date.from(to)));
        return all(memories.find(filter).sort(Sorts.descending(MemoryFields.CREATED_AT)).limit(limit));
    }

    /** Memories per agent in MongoDB. */
    CompletableFuture<Map<String, Long>> countsByAgent() {
        Publisher<Document> counts = memories.aggregate(List.of(Aggregates.group("$" + MemoryFields.AGENT, Accumulators.sum("n", 1))),
                Document.class);
        return all(counts).thenApply(docs -> {
            Map<String, Long> out = new LinkedHashMap<>();
            for (Document d : docs) {
                Object agent = d.get("_id");
                out.put(agent == null ? CatalogTopology.NO_AGENT : agent.toString(), ((Number) d.get("n")).longValue());
            }
            return out;
        });
    }

    /** A ping of the server (the readiness check). */
    CompletableFuture<Optional<Document>> ping() {
        return first(client.getDatabase("admin").runCommand(new Document("ping", 1)));
    }

    CompletableFuture<Long> count() {
        return first(memories.countDocuments()).thenApply(n -> n.orElse(0L));
    }

    static <T> CompletableFuture<Optional<T>> first(Publisher<T> publisher) {
        return all(publisher).thenApply(list -> list.isEmpty() ? Optional.empty() : Optional.of(list.get(0)));
    }

    static <T> CompletableFuture<List<T>> all(Publisher<T> publisher) {
        CompletableFuture<List<T>> future = new CompletableFuture<>();
        publisher.subscribe(new Subscriber<T>() {
            private final List<T> items = new ArrayList<>();

            @Override
            public void onSubscribe(Subscription s) {
                s.request(Long.MAX_VALUE);
            }

            @Override
            public void onNext(T t) {
                items.add(t);
            }

            @Override
            public void onError(Throwable t) {
                future.completeExceptionally(t);
            }

            @Override
            public void onComplete() {
                future.complete(items);
            }
        });
        return future;
    }

    @Override
    public void close() {
        client.close();
    }
}
