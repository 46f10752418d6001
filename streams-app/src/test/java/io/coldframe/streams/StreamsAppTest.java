package io.coldframe.streams;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.coldframe.common.CommonConfigKeys;

/** The service serves its metrics on the configured port; no broker is needed for that. */
class StreamsAppTest {

    @Test
    void servesPrometheusMetricsOnTheConfiguredPortAndNotWhenDisabled(@TempDir Path stateDir) throws Exception {
        int port;
        try (ServerSocket probe = new ServerSocket(0)) {
            port = probe.getLocalPort();
        }
        StreamsAppConfig config = StreamsAppConfig.load(Map.of(
                CommonConfigKeys.BOOTSTRAP_SERVERS, "localhost:1",
                StreamsAppConfig.STATE_DIR, stateDir.toString(),
                CommonConfigKeys.OPS_PORT, Integer.toString(port)));
        try (StreamsApp app = new StreamsApp(config)) {
            app.start();
            assertThat(app.metricsPort()).isEqualTo(port);
            HttpResponse<String> response = HttpClient.newHttpClient().send(
                    HttpRequest.newBuilder(URI.create("http://localhost:" + port + "/metrics")).build(), HttpResponse.BodyHandlers.ofString());
            assertThat(response.statusCode()).isEqualTo(200);
            assertThat(response.body()).contains("coldframe_tiering_memories{tier=\"cold\"}")
                    .contains("coldframe_tiering_due_backlog").contains("jvm_memory_used_bytes");
            assertThat(app.metrics().scrape()).contains("coldframe_tiering_census_pending");
            HttpResponse<String> live = HttpClient.newHttpClient().send(
                    HttpRequest.newBuilder(URI.create("http://localhost:" + port + "/health/live")).build(), HttpResponse.BodyHandlers.ofString());
            assertThat(live.statusCode()).isEqualTo(200);
        }

        StreamsAppConfig disabled = StreamsAppConfig.load(Map.of(
                StreamsAppConfig.STATE_DIR, stateDir.toString(), CommonConfigKeys.OPS_PORT, "0"));
        try (StreamsApp app = new StreamsApp(disabled)) {
            assertThat(app.metricsPort()).isEqualTo(-1);
            assertThat(app.metrics().registry().find(TieringMetrics.MEMORIES).gauges()).hasSize(3);
        }
    }
}
