package io.coldframe.testkit.faults;

import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.producer.KafkaProducer;

import io.coldframe.common.KafkaConnection;
import io.coldframe.common.TransactionalClients;

/**
 * Issue 11, "Liveness lies", for the services that consume and commit in one transaction (archiver, purger): runs the
 * service's {@code serve} (what its main runs) on a thread with its ops endpoint, lets a second producer take its
 * transactional id, nudges it into a transaction, and reports its exit code and what {@code /health/live} answers once
 * its loop has ended.
 */
final class FencedService {

    /** A service's {@code serve(config)}: runs until its loop ends and returns the exit code its main exits with. */
    interface Serve {
        int serve() throws IOException;
    }

    /** Gives the service something to do in a transaction, where it learns it was fenced. */
    interface Nudge {
        void run() throws Exception;
    }

    record Outcome(int exitCode, int liveStatus) {
    }

    private FencedService() {
    }

    static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }

    /**
     * @param groupId         the service's consumer group: once it has joined, its producer finished initTransactions
     *                        (both services initialise it before they subscribe), so the usurper fences it and does not
     *                        merely wait for it
     * @param transactionalId the service's transactional id, taken over by a second producer
     */
    static Outcome fence(KafkaConnection kafka, String groupId, String transactionalId, int opsPort, Serve service, Nudge nudge)
            throws Exception {
        AtomicInteger exitCode = new AtomicInteger(-1);
        Thread thread = new Thread(() -> {
            try {
                exitCode.set(service.serve());
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }, "fenced-" + groupId);
        thread.start();
        HttpClient http = HttpClient.newHttpClient();
        await().atMost(Duration.ofMinutes(1)).ignoreExceptions().until(() -> live(http, opsPort) == 200);
        try (Admin admin = Admin.create(kafka.map())) {
            await().atMost(Duration.ofMinutes(1)).ignoreExceptions().until(() ->
                    admin.describeConsumerGroups(List.of(groupId)).all().get().get(groupId).members().size() == 1);
        }
        try (KafkaProducer<byte[], byte[]> usurper = new KafkaProducer<>(TransactionalClients.producer(kafka, transactionalId))) {
            usurper.initTransactions();
            nudge.run();
            await().atMost(Duration.ofMinutes(1)).until(() -> !thread.isAlive());
        }
        return new Outcome(exitCode.get(), live(http, opsPort));
    }

    static int live(HttpClient http, int port) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/health/live")).build(),
                HttpResponse.BodyHandlers.discarding()).statusCode();
    }
}
