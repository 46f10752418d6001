package io.coldframe.common.ops;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicBoolean;

import org.junit.jupiter.api.Test;

import io.micrometer.core.instrument.Counter;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;

class OpsServerTest {

    private final HttpClient http = HttpClient.newHttpClient();

    @Test
    void servesLivenessReadinessAndMetrics() throws Exception {
        PrometheusMeterRegistry registry = OpsMetrics.newRegistry();
        Counter.builder("coldframe.test.things").register(registry).increment(3);
        AtomicBoolean mongoUp = new AtomicBoolean(true);
        AtomicBoolean alive = new AtomicBoolean(true);
        try (OpsServer ops = OpsServer.builder("test-service").registry(registry).liveness(alive::get)
                .readiness("kafka", timeout -> { })
                .readiness("mongodb", timeout -> {
                    if (!mongoUp.get()) {
                        throw new IllegalStateException("Timed out connecting to mongodb://coldframe:s3cr3t@mongo:27017/?replicaSet=rs0");
                    }
                })
                .start(0)) {
            assertThat(get(ops, OpsServer.LIVE_PATH).statusCode()).isEqualTo(200);
            HttpResponse<String> ready = get(ops, OpsServer.READY_PATH);
            assertThat(ready.statusCode()).isEqualTo(200);
            assertThat(ready.body()).contains("\"status\":\"UP\"", "\"kafka\":{\"status\":\"UP\"}", "\"mongodb\":{\"status\":\"UP\"}");

            mongoUp.set(false);
            HttpResponse<String> notReady = get(ops, OpsServer.READY_PATH);
            assertThat(notReady.statusCode()).isEqualTo(503);
            assertThat(notReady.body()).contains("\"mongodb\":{\"status\":\"DOWN\"", "mongodb://***@mongo:27017").doesNotContain("s3cr3t");

            HttpResponse<String> metrics = get(ops, OpsServer.METRICS_PATH);
            assertThat(metrics.statusCode()).isEqualTo(200);
            assertThat(metrics.headers().firstValue("Content-Type")).hasValueSatisfying(type -> assertThat(type).startsWith("text/plain"));
            assertThat(metrics.body()).contains("coldframe_test_things_total 3.0");

            alive.set(false);
            assertThat(get(ops, OpsServer.LIVE_PATH).statusCode()).isEqualTo(503);
            assertThat(get(ops, "/nope").statusCode()).isEqualTo(404);
        }
    }

    @Test
    void aHangingCheckFailsWithinTheTimeoutAndIsNotStartedTwice() throws Exception {
        try (OpsServer ops = OpsServer.builder("slow").checkTimeout(Duration.ofMillis(200))
                .readiness("kafka", timeout -> Thread.sleep(5_000)).start(0)) {
            long start = System.nanoTime();
            assertThat(ops.readiness().get("kafka")).contains("no answer within 200 ms");
            assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(2));
            assertThat(ops.readiness().get("kafka")).isEqualTo("the previous check has not finished");
        }
    }

    @Test
    void kafkaCheckFailsFastWhenNoBrokerAnswers() throws Exception {
        try (KafkaHealth kafka = new KafkaHealth("127.0.0.1:1");
             OpsServer ops = OpsServer.builder("no-kafka").checkTimeout(Duration.ofMillis(500)).readiness("kafka", kafka).start(0)) {
            assertThat(get(ops, OpsServer.READY_PATH).statusCode()).isEqualTo(503);
        }
    }

    @Test
    void secretsAreRedacted() {
        assertThat(Secrets.redact("mongodb+srv://user:p%40ss@cluster0.example.net/db?password=x&authSource=admin"))
                .isEqualTo("mongodb+srv://***@cluster0.example.net/db?password=***&authSource=admin");
        assertThat(Secrets.redact("no secrets here: mongodb://mongo:27017")).isEqualTo("no secrets here: mongodb://mongo:27017");
    }

    private HttpResponse<String> get(OpsServer ops, String path) throws IOException, InterruptedException {
        return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + ops.port() + path)).timeout(Duration.ofSeconds(10)).build(),
                HttpResponse.BodyHandlers.ofString());
    }
}
