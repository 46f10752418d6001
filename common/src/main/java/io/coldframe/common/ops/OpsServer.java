package io.coldframe.common.ops;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;

import io.coldframe.common.CommonConfigKeys;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;

/**
 * The operations endpoint every coldframe service serves on {@code ops.port} (JDK HTTP server, no framework):
 * <ul>
 *   <li>{@value #LIVE_PATH}: 200 while the service's main loop runs, 503 once it died (restart me);</li>
 *   <li>{@value #READY_PATH}: 200 only when every readiness check passes (Kafka, MongoDB where the service uses it),
 *       503 otherwise; the JSON body names each check and, when it failed, why (credentials redacted). An advisory
 *       check (e.g. "the recommended MongoDB indexes exist") that fails shows as {@code WARN} with its reason and
 *       leaves the status as it is: the service works, only worse;</li>
 *   <li>{@value #METRICS_PATH}: every meter of the service's Prometheus registry, text exposition format.</li>
 * </ul>
 * Checks run concurrently, each bounded by the check timeout; a check still running from an earlier request is not
 * started again but reported as failing, so a hung dependency cannot pile up threads.
 */
public final class OpsServer implements AutoCloseable {

    public static final String LIVE_PATH = "/health/live";
    public static final String READY_PATH = "/health/ready";
    public static final String METRICS_PATH = "/metrics";
    public static final Duration DEFAULT_CHECK_TIMEOUT = Duration.ofSeconds(3);

    private static final Logger LOG = LoggerFactory.getLogger(OpsServer.class);
    private static final String JSON = "application/json; charset=utf-8";
    private static final String PROMETHEUS_TEXT = "text/plain; version=0.0.4; charset=utf-8";

    private final HttpServer server;
    private final ExecutorService httpThreads;
    private final ExecutorService checkThreads;
    private final Map<String, HealthCheck> checks;
    private final Set<String> advisories;
    private final Map<String, Future<?>> running = new LinkedHashMap<>();
    private final BooleanSupplier liveness;
    private final Supplier<String> scrape;
    private final List<Runnable> beforeScrape;
    private final List<AutoCloseable> resources;
    private final Duration checkTimeout;
    private final String service;

    private OpsServer(Builder builder, HttpServer server) {
        this.server = server;
        this.service = builder.service;
        this.checks = Map.copyOf(builder.checks);
        this.advisories = Set.copyOf(builder.advisories);
        this.liveness = builder.liveness;
        this.scrape = builder.scrape;
        this.beforeScrape = List.copyOf(builder.beforeScrape);
        this.resources = List.copyOf(builder.resources);
        this.checkTimeout = builder.checkTimeout;
        this.httpThreads = Executors.newFixedThreadPool(2, daemonThreads("coldframe-ops-http"));
        this.checkThreads = Executors.newCachedThreadPool(daemonThreads("coldframe-ops-check"));
        server.setExecutor(httpThreads);
        server.createContext(LIVE_PATH, exchange -> handle(exchange, this::live));
        server.createContext(READY_PATH, exchange -> handle(exchange, this::ready));
        server.createContext(METRICS_PATH, exchange -> handle(exchange, this::metrics));
        server.createContext("/", exchange -> handle(exchange, () -> new Response(404, "text/plain; charset=utf-8",
                "not found; try " + LIVE_PATH + ", " + READY_PATH + " or " + METRICS_PATH + "\n")));
    }

    /** A server for {@code service} (the name shown in the health responses). */
    public static Builder builder(String service) {
        return new Builder(service);
    }

    /** The local address and port it listens on. */
    public InetSocketAddress address() {
        return server.getAddress();
    }

    /** The port it listens on (the configured one, or the one picked for port 0 in tests). */
    public int port() {
        return server.getAddress().getPort();
    }

    /** Runs the readiness checks now, as {@value #READY_PATH} does: check name to null (passed) or the failure. */
    public Map<String, String> readiness() {
        Map<String, Future<?>> started = new LinkedHashMap<>();
        Map<String, String> results = new LinkedHashMap<>();
        synchronized (running) {
            for (Map.Entry<String, HealthCheck> check : checks.entrySet()) {
                Future<?> previous = running.get(check.getKey());
                if (previous != null && !previous.isDone()) {
                    results.put(check.getKey(), "the previous check has not finished");
                    continue;
                }
                Future<?> future = checkThreads.submit(() -> {
                    check.getValue().check(checkTimeout);
                    return null;
                });
                running.put(check.getKey(), future);
                started.put(check.getKey(), future);
            }
        }
        long deadline = System.nanoTime() + checkTimeout.toNanos() + TimeUnit.MILLISECONDS.toNanos(250);
        for (Map.Entry<String, Future<?>> check : started.entrySet()) {
            try {
                check.getValue().get(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
                results.put(check.getKey(), null);
            } catch (TimeoutException e) {
                results.put(check.getKey(), "no answer within " + checkTimeout.toMillis() + " ms");
            } catch (ExecutionException e) {
                Throwable cause = e.getCause();
                results.put(check.getKey(), Secrets.redact(cause.getClass().getSimpleName() + ": " + cause.getMessage()));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                results.put(check.getKey(), "interrupted");
            }
        }
        Map<String, String> ordered = new LinkedHashMap<>();
        checks.keySet().stream().sorted().forEach(name -> ordered.put(name, results.get(name)));
        return ordered;
    }

    private Response live() {
        boolean alive = liveness.getAsBoolean();
        return new Response(alive ? 200 : 503, JSON,
                "{\"service\":" + quote(service) + ",\"status\":\"" + (alive ? "UP" : "DOWN") + "\"}\n");
    }

    private Response ready() {
        Map<String, String> results = readiness();
        boolean up = results.entrySet().stream().allMatch(result -> result.getValue() == null || advisories.contains(result.getKey()));
        StringBuilder body = new StringBuilder("{\"service\":").append(quote(service))
                .append(",\"status\":\"").append(up ? "UP" : "DOWN").append("\",\"checks\":{");
        String separator = "";
        for (Map.Entry<String, String> result : results.entrySet()) {
            body.append(separator).append(quote(result.getKey())).append(":{\"status\":\"");
            if (result.getValue() == null) {
                body.append("UP\"}");
            } else if (advisories.contains(result.getKey())) {
                body.append("WARN\",\"warning\":").append(quote(result.getValue())).append('}');
            } else {
                body.append("DOWN\",\"error\":").append(quote(result.getValue())).append('}');
            }
            separator = ",";
        }
        body.append("}}\n");
        if (!up) {
            LOG.debug("not ready: {}", body);
        }
        return new Response(up ? 200 : 503, JSON, body.toString());
    }

    private Response metrics() {
        for (Runnable refresh : beforeScrape) {
            try {
                refresh.run();
            } catch (RuntimeException e) {
                LOG.warn("refreshing metrics before a scrape failed: {}", Secrets.redact(String.valueOf(e.getMessage())));
            }
        }
        return new Response(200, PROMETHEUS_TEXT, scrape.get());
    }

    @Override
    public void close() {
        server.stop(0);
        httpThreads.shutdownNow();
        checkThreads.shutdownNow();
        for (AutoCloseable resource : resources) {
            try {
                resource.close();
            } catch (Exception e) {
                LOG.debug("closing {} failed", resource, e);
            }
        }
    }

    private record Response(int status, String contentType, String body) {
    }

    private interface Handler {
        Response respond() throws IOException;
    }

    private static void handle(HttpExchange exchange, Handler handler) throws IOException {
        try (exchange) {
            String method = exchange.getRequestMethod();
            Response response = "GET".equals(method) || "HEAD".equals(method)
                    ? handler.respond()
                    : new Response(405, "text/plain; charset=utf-8", "only GET and HEAD\n");
            byte[] bytes = response.body().getBytes(StandardCharsets.UTF_8);
            exchange.getResponseHeaders().set("Content-Type", response.contentType());
            exchange.getResponseHeaders().set("Cache-Control", "no-store");
            boolean head = "HEAD".equals(method);
            exchange.sendResponseHeaders(response.status(), head ? -1 : bytes.length);
            if (!head) {
                try (OutputStream out = exchange.getResponseBody()) {
                    out.write(bytes);
                }
            }
        } catch (RuntimeException e) {
            LOG.warn("ops endpoint {} failed: {}", exchange.getRequestURI().getPath(), Secrets.redact(String.valueOf(e.getMessage())));
            throw e;
        }
    }

    static String quote(String text) {
        StringBuilder quoted = new StringBuilder("\"");
        for (char c : text.toCharArray()) {
            switch (c) {
                case '"' -> quoted.append("\\\"");
                case '\\' -> quoted.append("\\\\");
                case '\n' -> quoted.append("\\n");
                case '\r' -> quoted.append("\\r");
                case '\t' -> quoted.append("\\t");
                default -> {
                    if (c < 0x20) {
                        quoted.append(String.format("\\u%04x", (int) c));
                    } else {
                        quoted.append(c);
                    }
                }
            }
        }
        return quoted.append('"').toString();
    }

    private static java.util.concurrent.ThreadFactory daemonThreads(String name) {
        AtomicInteger count = new AtomicInteger();
        return runnable -> {
            Thread thread = new Thread(runnable, name + "-" + count.incrementAndGet());
            thread.setDaemon(true);
            return thread;
        };
    }

    public static final class Builder {
        private final String service;
        private final Map<String, HealthCheck> checks = new LinkedHashMap<>();
        private final Set<String> advisories = new HashSet<>();
        private final List<Runnable> beforeScrape = new ArrayList<>();
        private final List<AutoCloseable> resources = new ArrayList<>();
        private BooleanSupplier liveness = () -> true;
        private Supplier<String> scrape;
        private Duration checkTimeout = DEFAULT_CHECK_TIMEOUT;

        private Builder(String service) {
            this.service = Objects.requireNonNull(service);
        }

        /** Adds a readiness check; the service is ready only when all pass. */
        public Builder readiness(String name, HealthCheck check) {
            checks.put(Objects.requireNonNull(name), Objects.requireNonNull(check));
            return this;
        }

        /**
         * Adds an advisory check: run and reported like a readiness check, but when it fails the response shows
         * {@code WARN} and its reason and the service stays ready (something works worse, not not at all).
         */
        public Builder advisory(String name, HealthCheck check) {
            readiness(name, check);
            advisories.add(name);
            return this;
        }

        /** False once the service can no longer do its work by itself (its main loop ended): the orchestrator restarts it. */
        public Builder liveness(BooleanSupplier alive) {
            this.liveness = Objects.requireNonNull(alive);
            return this;
        }

        /** Serves this registry's meters. */
        public Builder registry(PrometheusMeterRegistry registry) {
            return scrape(Objects.requireNonNull(registry)::scrape);
        }

        /** Serves what {@code scrape} returns: Prometheus text exposition (0.0.4) of the service's meters. */
        public Builder scrape(Supplier<String> scrape) {
            this.scrape = Objects.requireNonNull(scrape);
            return this;
        }

        /** Runs before each scrape, e.g. to refresh gauges that query Kafka. */
        public Builder beforeScrape(Runnable refresh) {
            beforeScrape.add(Objects.requireNonNull(refresh));
            return this;
        }

        /** Closed with the server (Kafka admin clients and MongoDB clients of the checks, metric binders). */
        public Builder closing(AutoCloseable resource) {
            resources.add(Objects.requireNonNull(resource));
            return this;
        }

        public Builder checkTimeout(Duration timeout) {
            this.checkTimeout = Objects.requireNonNull(timeout);
            return this;
        }

        /** Listens on {@code port} on every interface (0 picks a free port). */
        public OpsServer start(int port) throws IOException {
            return start(CommonConfigKeys.DEFAULT_OPS_BIND_ADDRESS, port);
        }

        /**
         * Listens on {@code port} (0 picks a free port) of the local address {@code bindAddress} only
         * ({@code ops.bind.address}: 0.0.0.0 is every interface, 127.0.0.1 the loopback one).
         */
        public OpsServer start(String bindAddress, int port) throws IOException {
            Objects.requireNonNull(bindAddress, "bindAddress");
            if (scrape == null) {
                scrape = OpsMetrics.newRegistry()::scrape;
            }
            HttpServer server;
            try {
                server = HttpServer.create(new InetSocketAddress(InetAddress.getByName(bindAddress), port), 0);
            } catch (IOException e) {
                for (AutoCloseable resource : resources) {
                    try {
                        resource.close();
                    } catch (Exception suppressed) {
                        e.addSuppressed(suppressed);
                    }
                }
                throw new IOException("cannot listen on ops address " + bindAddress + " port " + port + ": " + e.getMessage(), e);
            }
            OpsServer ops = new OpsServer(this, server);
            server.start();
            LOG.info("{}: health on http://{}:{}{} and {}, metrics on {}", service, bindAddress, ops.port(), LIVE_PATH, READY_PATH, METRICS_PATH);
            return ops;
        }
    }
}
