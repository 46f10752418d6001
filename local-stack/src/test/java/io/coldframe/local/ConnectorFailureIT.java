package io.coldframe.local;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;

import org.bson.BsonDocument;
import org.junit.jupiter.api.Test;

import com.mongodb.client.MongoClient;
import com.mongodb.client.MongoClients;

/**
 * A connector task that dies is told at once: {@link LocalStack#connectorFailure()} carries the worker's trace, so the
 * demo stops instead of waiting for changes that never come. A DBRef kills the stand-in's copy of existing documents
 * (see {@link StandInLimits}), which makes a real task failure on demand.
 */
class ConnectorFailureIT {

    @Test
    void aFailedConnectorTaskIsReportedWithItsTrace() {
        try (LocalStack stack = LocalStack.start(); MongoClient mongo = MongoClients.create(stack.mongoUri())) {
            mongo.getDatabase(stack.database()).getCollection(stack.collection(), BsonDocument.class)
                    .insertOne(BsonDocument.parse("{_id: 'with-a-dbref', link: {$ref: 'other', $id: 1}}"));
            assertThat(stack.connectorFailure()).isEmpty();

            try {
                stack.startConnector();
            } catch (IllegalStateException failedBeforeRunning) {
                assertThat(failedBeforeRunning).hasMessageContaining("FAILED");
            }

            await().atMost(Duration.ofSeconds(60)).until(() -> stack.connectorFailure().isPresent());
            assertThat(stack.connectorFailure().orElseThrow()).contains("FAILED", "An object representing an expression must have exactly one field");
        }
    }
}
