package io.coldframe.purger;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.Map;

import org.bson.Document;
import org.junit.jupiter.api.Test;

import com.mongodb.client.MongoClient;
import com.mongodb.client.MongoClients;
import com.mongodb.client.MongoCollection;

import de.bwaldvogel.mongo.MongoServer;
import de.bwaldvogel.mongo.backend.memory.MemoryBackend;
import io.coldframe.common.CommonConfigKeys;
import io.coldframe.common.ops.OpsServer;

class PurgerOpsTest {

    @Test
    void readinessWarnsWhileAPlannedIndexIsMissing() throws Exception {
        MongoServer server = new MongoServer(new MemoryBackend());
        InetSocketAddress address = server.bind();
        String uri = "mongodb://" + address.getHostString() + ":" + address.getPort();
        int port;
        try (ServerSocket socket = new ServerSocket(0)) {
            port = socket.getLocalPort();
        }
        PurgerConfig config = PurgerConfig.load(Map.of(CommonConfigKeys.MONGODB_URI, uri, CommonConfigKeys.OPS_PORT, port,
                CommonConfigKeys.OPS_BIND_ADDRESS, "127.0.0.1", CommonConfigKeys.BOOTSTRAP_SERVERS, "127.0.0.1:1",
                MemoryIndexes.TIMESTAMP_FIELD, "timestamp"));
        try (MongoClient client = MongoClients.create(uri); PurgerOps ops = new PurgerOps(config)) {
            MongoCollection<Document> memories = client.getDatabase("coldframe").getCollection("memories");
            memories.insertOne(new Document("_id", "m-1"));
            ops.start();

            assertThat(ready(port)).contains("\"mongodb-indexes\":{\"status\":\"WARN\"", "coldframe_time {\\\"timestamp\\\": 1}",
                    "run coldframe mongo init");

            config.indexes().ensure(memories);
            assertThat(ready(port)).contains("\"mongodb-indexes\":{\"status\":\"UP\"}");
        } finally {
            server.shutdown();
        }
    }

    private static String ready(int port) throws Exception {
        return HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + OpsServer.READY_PATH)).build(),
                HttpResponse.BodyHandlers.ofString()).body();
    }
}
