package io.coldframe.common.ops;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.NetworkInterface;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;

import org.apache.kafka.common.config.AbstractConfig;
import org.apache.kafka.common.config.ConfigDef;
import org.junit.jupiter.api.Test;

import io.coldframe.common.CommonConfigKeys;
import io.coldframe.common.ConfigLoader;
import io.coldframe.common.KafkaConnection;

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
    void aFailingAdvisoryCheckWarnsAndLeavesTheServiceReady() throws Exception {
        AtomicBoolean indexed = new AtomicBoolean(false);
        try (OpsServer ops = OpsServer.builder("purger").readiness("kafka", timeout -> { })
                .advisory("mongodb-indexes", timeout -> {
                    if (!indexed.get()) {
                        throw new IllegalStateException("missing indexes coldframe_time {\"created_at\": 1}");
                    }
                })
                .start(0)) {
            HttpResponse<String> warned = get(ops, OpsServer.READY_PATH);
            assertThat(warned.statusCode()).isEqualTo(200);
            assertThat(warned.body()).contains("\"status\":\"UP\"", "\"mongodb-indexes\":{\"status\":\"WARN\"", "coldframe_time");

            indexed.set(true);
            assertThat(get(ops, OpsServer.READY_PATH).body()).contains("\"mongodb-indexes\":{\"status\":\"UP\"}");
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
        try (KafkaHealth kafka = new KafkaHealth(KafkaConnection.plaintext("127.0.0.1:1"));
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

    @Test
    void theBindAddressIsASharedKeyDefaultingToEveryInterface() {
        ConfigDef definition = CommonConfigKeys.withOps(new ConfigDef());
        assertThat(definition.names()).contains(CommonConfigKeys.OPS_BIND_ADDRESS);
        ConfigDef.ConfigKey key = definition.configKeys().get(CommonConfigKeys.OPS_BIND_ADDRESS);
        assertThat(key.defaultValue).isEqualTo("0.0.0.0");
        assertThat(key.documentation).isNotBlank();
        assertThat(ConfigLoader.envName(CommonConfigKeys.OPS_BIND_ADDRESS)).isEqualTo("COLDFRAME_OPS_BIND_ADDRESS");
        AbstractConfig config = new AbstractConfig(definition, ConfigLoader.resolve(definition, Map.of(),
                Map.of("COLDFRAME_OPS_BIND_ADDRESS", "127.0.0.1")));
        assertThat(config.getString(CommonConfigKeys.OPS_BIND_ADDRESS)).isEqualTo("127.0.0.1");
    }

    @Test
    void listensOnEveryInterfaceByDefault() throws Exception {
        try (OpsServer ops = OpsServer.builder("everywhere").start(0)) {
            assertThat(ops.address().getAddress().isAnyLocalAddress()).isTrue();
            assertThat(get(ops, OpsServer.LIVE_PATH).statusCode()).isEqualTo(200);
        }
    }

    @Test
    void boundToLoopbackItIsNotReachableOnAnotherLocalAddress() throws Exception {
        try (OpsServer ops = OpsServer.builder("loopback-only").start("127.0.0.1", 0)) {
            assertThat(ops.address().getAddress().getHostAddress()).isEqualTo("127.0.0.1");
            assertThat(get(ops, OpsServer.LIVE_PATH).statusCode()).isEqualTo(200);
            List<InetAddress> others = new ArrayList<>();
            if (System.getProperty("os.name", "").toLowerCase(java.util.Locale.ROOT).contains("linux")) {
                others.add(InetAddress.getByName("127.0.0.2")); // all of 127/8 is this host's on Linux
            }
            for (NetworkInterface nic : Collections.list(NetworkInterface.getNetworkInterfaces())) {
                if (nic.isUp()) {
                    Collections.list(nic.getInetAddresses()).stream().filter(a -> a instanceof Inet4Address && !a.isLoopbackAddress())
                            .forEach(others::add);
                }
            }
            assumeTrue(!others.isEmpty(), "no other local address to try");
            for (InetAddress other : others) {
                try (Socket socket = new Socket()) {
                    assertThatThrownBy(() -> socket.connect(new InetSocketAddress(other, ops.port()), 2_000))
                            .as("ops endpoint bound to 127.0.0.1 must refuse " + other.getHostAddress())
                            .isInstanceOf(IOException.class);
                }
            }
        }
    }

    @Test
    void anAddressThatIsNotLocalIsRefusedAtStart() {
        assertThatThrownBy(() -> OpsServer.builder("elsewhere").start("198.51.100.254", 0).close())
                .isInstanceOf(IOException.class).hasMessageContaining("198.51.100.254");
    }

    private HttpResponse<String> get(OpsServer ops, String path) throws IOException, InterruptedException {
        return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + ops.port() + path)).timeout(Duration.ofSeconds(10)).build(),
                HttpResponse.BodyHandlers.ofString());
    }
}
