package io.coldframe.testkit.faults;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.net.http.HttpClient;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.coldframe.common.CommonConfigKeys;
import io.coldframe.local.LocalStack;
import io.coldframe.streams.StreamsApp;
import io.coldframe.streams.StreamsAppConfig;

/**
 * Issue 11, "Liveness lies", for the streams app: a permanent failure (here its change topic does not exist, as after
 * a deletion) used to have its stream thread replaced for ever while {@code /health/live} answered 200. Now the
 * replacements are bounded: Kafka Streams stops, liveness answers 503 and the main exits 1.
 */
class StreamsAppLivenessIT {

    @Test
    void aStreamThreadThatKeepsFailingEndsTheAppWithExitCodeOne(@TempDir Path work) throws Exception {
        try (LocalStack stack = LocalStack.start()) {
            int port = FencedService.freePort();
            StreamsAppConfig config = StreamsAppConfig.load(Map.of(
                    CommonConfigKeys.BOOTSTRAP_SERVERS, stack.bootstrapServers(),
                    CommonConfigKeys.TOPIC_PREFIX, "no-such-topics",
                    StreamsAppConfig.APPLICATION_ID, "liveness-it",
                    StreamsAppConfig.STATE_DIR, work.resolve("state").toString(),
                    StreamsAppConfig.THREAD_REPLACEMENTS_MAX, "1",
                    CommonConfigKeys.OPS_PORT, Integer.toString(port)));

            try (StreamsApp app = new StreamsApp(config)) {
                CompletableFuture<Integer> exitCode = CompletableFuture.supplyAsync(() -> {
                    try {
                        return StreamsApp.serve(app);
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                        return -1;
                    }
                });

                // Each failed stream thread ends with the MissingSourceTopicException: expected, not the test's failure.
                await().dontCatchUncaughtExceptions().atMost(Duration.ofMinutes(2)).until(exitCode::isDone);
                assertThat(exitCode.get()).as("the main's exit code once Kafka Streams failed for good").isEqualTo(1);
                assertThat(FencedService.live(HttpClient.newHttpClient(), port)).as("/health/live after the failure").isEqualTo(503);
            }
        }
    }
}
