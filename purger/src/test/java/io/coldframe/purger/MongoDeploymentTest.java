package io.coldframe.purger;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetSocketAddress;

import org.bson.BsonDocument;
import org.junit.jupiter.api.Test;

import com.mongodb.client.MongoClient;
import com.mongodb.client.MongoClients;

import de.bwaldvogel.mongo.MongoServer;
import de.bwaldvogel.mongo.backend.memory.MemoryBackend;

class MongoDeploymentTest {

    @Test
    void replicaSetsAndRoutersHaveTransactionsStandalonesDoNot() {
        assertThat(MongoDeployment.supportsTransactions(BsonDocument.parse("{isWritablePrimary: true, setName: 'rs0', hosts: ['a:27017']}"))).isTrue();
        assertThat(MongoDeployment.supportsTransactions(BsonDocument.parse("{ismaster: true, msg: 'isdbgrid'}"))).isTrue();
        assertThat(MongoDeployment.supportsTransactions(BsonDocument.parse("{isWritablePrimary: true, maxWireVersion: 21}"))).isFalse();
        assertThat(MongoDeployment.supportsTransactions(BsonDocument.parse("{ismaster: true, setName: ''}"))).isFalse();
    }

    @Test
    void theStandInGetsTheGuardAlone() {
        MongoServer server = new MongoServer(new MemoryBackend());
        InetSocketAddress address = server.bind();
        try (MongoClient client = MongoClients.create("mongodb://" + address.getHostString() + ":" + address.getPort())) {
            assertThat(MongoDeployment.detect(client)).isEqualTo(VersionGuardedDeleter.Mode.GUARD_ONLY);
        } finally {
            server.shutdown();
        }
    }
}
