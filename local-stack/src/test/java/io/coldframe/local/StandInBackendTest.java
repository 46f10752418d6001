package io.coldframe.local;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;

import org.bson.Document;
import org.bson.conversions.Bson;
import org.junit.jupiter.api.Test;

import com.mongodb.client.MongoClient;
import com.mongodb.client.MongoClients;
import com.mongodb.client.MongoCollection;
import com.mongodb.client.model.Filters;

class StandInBackendTest {

    private static final int DOCUMENT_CHARS = 1_000_000;

    /**
     * MongoDB answers an aggregation in batches of at most 16 MiB; a driver refuses a reply above 48 MB. The connector's
     * copy of existing documents is one aggregation over the whole collection, so without batches local mode broke
     * once the collection passed 48 MB (about 30,000 demo memories).
     */
    @Test
    void anAggregationLargerThanOneReplyIsAnsweredInBatches() {
        try (EmbeddedMongo mongo = EmbeddedMongo.start();
             MongoClient client = MongoClients.create(mongo.connectionString())) {
            MongoCollection<Document> memories = client.getDatabase("coldframe").getCollection("memories");
            String text = "x".repeat(DOCUMENT_CHARS);
            List<Document> documents = new ArrayList<>();
            for (int i = 0; i < 60; i++) {
                documents.add(new Document("_id", i).append("text", text));
            }
            for (Document document : documents) {
                memories.insertOne(document);
            }

            List<Object> ids = new ArrayList<>();
            memories.aggregate(List.of(new Document("$match", new Document()),
                            new Document("$replaceRoot", new Document("newRoot",
                                    new Document("fullDocument", "$$ROOT").append("documentKey", new Document("_id", "$_id"))))))
                    .forEach(event -> ids.add(event.get("documentKey", Document.class).get("_id")));

            assertThat(ids).hasSize(60).doesNotHaveDuplicates();
        }
    }

    /**
     * The purger's delete where transactions do not exist repeats each document as its guard. mongo-java-server compared
     * an array inside a document by its smallest element, so a changed embedding value other than the smallest passed
     * the guard and the changed document was deleted.
     */
    @Test
    void aWholeDocumentGuardSeesAChangeToAnyArrayElement() {
        try (EmbeddedMongo mongo = EmbeddedMongo.start();
             MongoClient client = MongoClients.create(mongo.connectionString())) {
            MongoCollection<Document> memories = client.getDatabase("coldframe").getCollection("memories");
            Document stored = new Document("_id", "m1").append("embedding", List.of(3.0, 1.0, 2.0)).append("text", "a");
            memories.insertOne(stored);

            Document archived = new Document("_id", "m1").append("embedding", List.of(3.0, 1.0, 5.0)).append("text", "a");
            assertThat(memories.deleteMany(guardedDelete(List.of(archived))).getDeletedCount()).isZero();
            assertThat(memories.deleteMany(guardedDelete(List.of(stored))).getDeletedCount()).isOne();
        }
    }

    /** Many guards in one delete: exactly the documents still equal to their guard go, numbers compared by value. */
    @Test
    void aGuardedDeleteOfManyDeletesExactlyTheUnchangedDocuments() {
        try (EmbeddedMongo mongo = EmbeddedMongo.start();
             MongoClient client = MongoClients.create(mongo.connectionString())) {
            MongoCollection<Document> memories = client.getDatabase("coldframe").getCollection("memories");
            List<Document> guards = new ArrayList<>();
            for (int i = 0; i < 40; i++) {
                Document document = new Document("_id", "m" + i).append("n", i).append("tags", List.of("a", "b"))
                        .append("meta", new Document("embedding", List.of(0.5, 0.25, (double) i)));
                memories.insertOne(document);
                guards.add(document);
            }
            guards.set(3, new Document(guards.get(3)).append("meta", new Document("embedding", List.of(0.5, 0.25, 99.0))));
            guards.set(5, new Document(guards.get(5)).append("extra", true));
            guards.set(7, new Document(guards.get(7)).append("tags", List.of("b", "a")));
            guards.set(9, new Document(guards.get(9)).append("n", 9.0)); // 9 == 9.0 for MongoDB's $eq

            assertThat(memories.deleteMany(guardedDelete(guards)).getDeletedCount()).isEqualTo(37);
            List<Object> left = new ArrayList<>();
            memories.find().forEach(document -> left.add(document.get("_id")));
            assertThat(left).containsExactlyInAnyOrder("m3", "m5", "m7");
        }
    }

    /** The filter the purger sends: the ids by index, then for each document its exact-document guard. */
    private static Bson guardedDelete(List<Document> documents) {
        List<Bson> guards = new ArrayList<>();
        for (Document document : documents) {
            guards.add(new Document("_id", document.get("_id"))
                    .append("$expr", new Document("$eq", List.of("$$ROOT", new Document("$literal", document)))));
        }
        return Filters.and(Filters.in("_id", documents.stream().map(d -> d.get("_id")).toList()), Filters.or(guards));
    }
}
