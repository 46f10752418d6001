package io.coldframe.connectors.ops;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Collection;
import java.util.List;
import java.util.Map;

import org.apache.kafka.connect.health.ConnectClusterState;
import org.apache.kafka.connect.health.ConnectorHealth;
import org.apache.kafka.connect.health.ConnectorState;
import org.apache.kafka.connect.health.ConnectorType;
import org.apache.kafka.connect.health.TaskState;
import org.apache.kafka.connect.rest.ConnectRestExtensionContext;
import org.junit.jupiter.api.Test;

class ConnectOpsExtensionTest {

    @Test
    void servesTheOpsEndpointInsideTheWorker() throws Exception {
        ConnectClusterState cluster = new ConnectClusterState() {
            @Override
            public Collection<String> connectors() {
                return List.of("coldframe-mongo-source");
            }

            @Override
            public ConnectorHealth connectorHealth(String name) {
                return new ConnectorHealth(name, new ConnectorState("RUNNING", "w1", null),
                        Map.of(0, new TaskState(0, "RUNNING", "w1", null)), ConnectorType.SOURCE);
            }
        };
        ConnectRestExtensionContext context = new ConnectRestExtensionContext() {
            @Override
            public jakarta.ws.rs.core.Configurable<? extends jakarta.ws.rs.core.Configurable<?>> configurable() {
                throw new UnsupportedOperationException();
            }

            @Override
            public ConnectClusterState clusterState() {
                return cluster;
            }
        };
        int freePort;
        try (java.net.ServerSocket socket = new java.net.ServerSocket(0)) {
            freePort = socket.getLocalPort();
        }
        try (ConnectOpsExtension extension = new ConnectOpsExtension(Map.of("COLDFRAME_OPS_PORT", Integer.toString(freePort),
                "MONGODB_URI", "mongodb://user:secret@127.0.0.1:1/?serverSelectionTimeoutMS=200"))) {
            extension.configure(Map.of("bootstrap.servers", "127.0.0.1:1"));
            extension.register(context);
            int port = extension.opsPort();
            assertThat(port).isEqualTo(freePort);
            HttpClient http = HttpClient.newHttpClient();
            assertThat(get(http, port, "/health/live").statusCode()).isEqualTo(200);
            HttpResponse<String> ready = get(http, port, "/health/ready");
            assertThat(ready.statusCode()).isEqualTo(503);
            assertThat(ready.body()).contains("\"kafka\":{\"status\":\"DOWN\"", "\"mongodb\":{\"status\":\"DOWN\"").doesNotContain("secret");
            String metrics = get(http, port, "/metrics").body();
            assertThat(metrics).contains("coldframe_connect_connector_running{connector=\"coldframe-mongo-source\"} 1.0",
                    "coldframe_connect_tasks{connector=\"coldframe-mongo-source\",state=\"running\"} 1.0", "jvm_memory_used_bytes");
        }
    }

    @Test
    void zeroPortDisablesIt() {
        ConnectOpsExtension extension = new ConnectOpsExtension(Map.of());
        assertThat(ConnectOpsConfig.load(Map.of(), Map.of()).opsPort()).isEqualTo(8080);
        extension.configure(Map.of());
        assertThat(ConnectOpsConfig.load(Map.of(), Map.of("COLDFRAME_OPS_PORT", "0")).opsPort()).isZero();
        assertThat(extension.opsPort()).isEqualTo(-1);
    }

    private static HttpResponse<String> get(HttpClient http, int port, String path) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path)).timeout(Duration.ofSeconds(15)).build(),
                HttpResponse.BodyHandlers.ofString());
    }
}
