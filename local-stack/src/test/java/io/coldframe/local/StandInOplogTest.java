package io.coldframe.local;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.concurrent.TimeUnit;

import org.bson.Document;
import org.junit.jupiter.api.Test;

import com.mongodb.client.MongoChangeStreamCursor;
import com.mongodb.client.MongoClient;
import com.mongodb.client.MongoClients;
import com.mongodb.client.MongoCollection;
import com.mongodb.client.model.changestream.ChangeStreamDocument;

class StandInOplogTest {

    /**
     * An empty poll of a change stream waits for new entries, as MongoDB's awaitData getMore does: without it the
     * connector polled an idle stand-in in a busy loop. A change made after the wait is still delivered.
     */
    @Test
    void anEmptyChangeStreamPollWaitsThenTheNextChangeArrives() {
        try (EmbeddedMongo mongo = EmbeddedMongo.start();
             MongoClient client = MongoClients.create(mongo.connectionString())) {
            MongoCollection<Document> memories = client.getDatabase("coldframe").getCollection("memories");
            try (MongoChangeStreamCursor<ChangeStreamDocument<Document>> stream =
                         memories.watch().maxAwaitTime(1, TimeUnit.SECONDS).cursor()) {
                assertThat(stream.tryNext()).isNull(); // the connection and the first getMore set up
                int polls = 4;
                long started = System.nanoTime();
                for (int poll = 0; poll < polls; poll++) {
                    assertThat(stream.tryNext()).isNull();
                }
                assertThat((System.nanoTime() - started) / 1_000_000).as("ms %d empty polls took", polls)
                        .isGreaterThanOrEqualTo(polls * (StandInOplog.EMPTY_POLL_WAIT_MS - 1));

                memories.insertOne(new Document("_id", "m-1"));
                ChangeStreamDocument<Document> event = null;
                for (int poll = 0; poll < 200 && event == null; poll++) {
                    event = stream.tryNext();
                }
                assertThat(event).isNotNull();
                assertThat(event.getDocumentKey().getString("_id").getValue()).isEqualTo("m-1");
            }
        }
    }
}
