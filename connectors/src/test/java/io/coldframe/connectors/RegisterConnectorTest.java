package io.coldframe.connectors;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

import org.bson.BsonDocument;
import org.junit.jupiter.api.Test;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;

import io.coldframe.common.Topics;

class RegisterConnectorTest {

    @Test
    void sendsBasicCredentialsWhenAUserIsConfigured() throws Exception {
        List<String> authorizations = new CopyOnWriteArrayList<>();
        HttpServer connect = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        connect.createContext("/", exchange -> {
            String header = exchange.getRequestHeaders().getFirst("Authorization");
            authorizations.add(String.valueOf(header));
            String expected = "Basic " + java.util.Base64.getEncoder().encodeToString("coldframe-register:s3cr3t".getBytes(StandardCharsets.UTF_8));
            if (!expected.equals(header)) {
                respond(exchange, 401, "{\"error_code\":401}");
            } else if (exchange.getRequestMethod().equals("PUT")) {
                exchange.getRequestBody().readAllBytes();
                respond(exchange, 201, "{}");
            } else if (exchange.getRequestURI().getPath().endsWith("/status")) {
                respond(exchange, 200, "{\"connector\":{\"state\":\"RUNNING\"},\"tasks\":[{\"id\":0,\"state\":\"RUNNING\"}]}");
            } else {
                respond(exchange, 200, "[]");
            }
        });
        connect.start();
        try {
            new RegisterConnector(Map.of(RegisterConnector.CONNECT_URL, "http://127.0.0.1:" + connect.getAddress().getPort(),
                    RegisterConnector.TIMEOUT_MS, "20000", RegisterConnector.REST_USERNAME, "coldframe-register",
                    RegisterConnector.REST_PASSWORD, "s3cr3t")).run();
        } finally {
            connect.stop(0);
        }
        assertThat(authorizations).hasSizeGreaterThanOrEqualTo(3).allMatch(a -> a.startsWith("Basic "));
        assertThat(RegisterConnector.basicAuthorization("", "x")).isNull();
    }

    @Test
    void putsTheDeployedConfigAndWaitsUntilItRuns() throws Exception {
        List<String> requests = new CopyOnWriteArrayList<>();
        AtomicInteger statusCalls = new AtomicInteger();
        String[] body = new String[1];
        HttpServer connect = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        connect.createContext("/", exchange -> {
            String request = exchange.getRequestMethod() + " " + exchange.getRequestURI().getPath();
            requests.add(request);
            if (request.equals("PUT /connectors/coldframe-mongo-source/config")) {
                body[0] = new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
                respond(exchange, 201, "{}");
            } else if (request.endsWith("/status")) {
                respond(exchange, 200, statusCalls.incrementAndGet() < 2
                        ? "{\"connector\":{\"state\":\"RUNNING\"},\"tasks\":[]}"
                        : "{\"connector\":{\"state\":\"RUNNING\"},\"tasks\":[{\"id\":0,\"state\":\"RUNNING\"}]}");
            } else {
                respond(exchange, 200, "[]");
            }
        });
        connect.start();
        try {
            new RegisterConnector(Map.of(RegisterConnector.CONNECT_URL, "http://127.0.0.1:" + connect.getAddress().getPort(),
                    RegisterConnector.TIMEOUT_MS, "20000")).run();
        } finally {
            connect.stop(0);
        }
        assertThat(requests).startsWith("GET /connectors", "PUT /connectors/coldframe-mongo-source/config");
        BsonDocument sent = BsonDocument.parse(body[0]);
        assertThat(sent.getString("connection.uri").getValue()).isEqualTo("${env:MONGODB_URI}");
        assertThat(sent.keySet()).isEqualTo(MongoSourceConnectorConfig.load().config().keySet());
    }

    @Test
    void anotherPrefixRewritesTheTopicsOnly() {
        MongoSourceConnectorConfig deployed = MongoSourceConnectorConfig.load();
        assertThat(RegisterConnector.configFor(deployed, Topics.withDefaultPrefix(), "coldframe", "memories")).isEqualTo(deployed.config());
        Map<String, String> other = RegisterConnector.configFor(deployed, new Topics("staging"), "agents", "mem");
        assertThat(other).containsEntry("topic.namespace.map", "{\"*\": \"staging.changes\"}")
                .containsEntry("database", "agents").containsEntry("collection", "mem")
                .containsEntry("connection.uri", "${env:MONGODB_URI}").containsEntry("pipeline", "[]");
    }

    @Test
    void aFailedTaskIsReported() {
        assertThat(RegisterConnector.state("{\"connector\":{\"state\":\"RUNNING\"},\"tasks\":[{\"id\":0,\"state\":\"FAILED\"}]}"))
                .isEqualTo("FAILED");
        assertThat(RegisterConnector.state("{\"connector\":{\"state\":\"UNASSIGNED\"},\"tasks\":[]}")).isEqualTo("PENDING");
        assertThatThrownBy(() -> new RegisterConnector(Map.of(RegisterConnector.TIMEOUT_MS, "10"))).hasMessageContaining("timeout.ms");
    }

    private static void respond(HttpExchange exchange, int status, String json) throws IOException {
        byte[] bytes = json.getBytes(StandardCharsets.UTF_8);
        exchange.sendResponseHeaders(status, bytes.length);
        try (OutputStream out = exchange.getResponseBody()) {
            out.write(bytes);
        }
    }
}
