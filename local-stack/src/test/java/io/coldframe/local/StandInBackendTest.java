package io.coldframe.local;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;

import org.bson.Document;
import org.junit.jupiter.api.Test;

import com.mongodb.client.MongoClient;
import com.mongodb.client.MongoClients;
import com.mongodb.client.MongoCollection;

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
}
