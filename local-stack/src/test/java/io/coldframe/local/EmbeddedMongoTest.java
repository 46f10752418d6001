package io.coldframe.local;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.bson.Document;
import org.junit.jupiter.api.Test;

import com.mongodb.MongoException;
import com.mongodb.client.MongoClient;
import com.mongodb.client.MongoClients;
import com.mongodb.client.MongoCollection;

class EmbeddedMongoTest {

    @Test
    void stopTakesItOffTheNetworkAndRestartBringsItBackWithItsData() {
        try (EmbeddedMongo mongo = EmbeddedMongo.start();
             MongoClient client = MongoClients.create(mongo.connectionString() + "/?serverSelectionTimeoutMS=500&connectTimeoutMS=500")) {
            MongoCollection<Document> memories = client.getDatabase("coldframe").getCollection("memories");
            memories.insertOne(new Document("_id", "m1").append("text", "kept across the outage"));
            String uri = mongo.connectionString();

            mongo.stop();
            assertThat(mongo.isRunning()).isFalse();
            assertThatThrownBy(() -> memories.countDocuments()).isInstanceOf(MongoException.class);

            mongo.restart();
            assertThat(mongo.connectionString()).isEqualTo(uri);
            Document kept = memories.find().first();
            assertThat(kept).isNotNull();
            assertThat(kept.getString("text")).isEqualTo("kept across the outage");
            memories.insertOne(new Document("_id", "m2"));
            assertThat(memories.countDocuments()).isEqualTo(2);
        }
    }
}
