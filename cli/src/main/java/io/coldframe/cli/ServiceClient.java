package io.coldframe.cli;

import java.io.IOException;
import java.net.ConnectException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpConnectTimeoutException;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

/**
 * The archive service's HTTP API as the commands use it. Fails fast with one sentence naming the URL when the service
 * cannot be reached or does not answer in time; an answer that is not JSON is a failure too.
 */
public final class ServiceClient {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(5);

    /** An answer: its status and JSON body. */
    public record Answer(int status, JsonNode body) {
        /** The service's reason ({"error": ...}), or the status. */
        public String reason() {
            return body.hasNonNull("error") ? body.get("error").asText() : "HTTP " + status;
        }
    }

    private final String base;
    private final String token;
    private final Duration timeout;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(CONNECT_TIMEOUT).build();

    ServiceClient(String url, String token, Duration timeout) {
        String trimmed = url.strip();
        this.base = trimmed.endsWith("/") ? trimmed.substring(0, trimmed.length() - 1) : trimmed;
        this.token = token == null ? "" : token;
        this.timeout = timeout;
        try {
            URI uri = URI.create(base);
            if (uri.getScheme() == null || !uri.getScheme().startsWith("http") || uri.getHost() == null) {
                throw new IllegalArgumentException("--service must be an http(s) URL like http://127.0.0.1:8090, got " + url);
            }
        } catch (IllegalArgumentException e) {
            throw new ToolCommand.Failure(ToolCommand.USAGE, e.getMessage());
        }
    }

    public String url() {
        return base;
    }

    /** GET /memories/{id}: {@code memoryId} is canonical Extended JSON of _id. */
    public Answer memory(String memoryId) {
        return send(HttpRequest.newBuilder(uri("/memories/" + URLEncoder.encode(memoryId, StandardCharsets.UTF_8).replace("+", "%20"))).GET());
    }

    /** POST /restore with the write token. */
    public Answer restore(Object request) {
        try {
            HttpRequest.Builder b = HttpRequest.newBuilder(uri("/restore")).header("Content-Type", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofString(JSON.writeValueAsString(request)));
            if (!token.isEmpty()) {
                b.header("Authorization", "Bearer " + token);
            }
            return send(b);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    private URI uri(String path) {
        return URI.create(base + path);
    }

    private Answer send(HttpRequest.Builder request) {
        HttpResponse<String> response;
        try {
            response = http.send(request.timeout(timeout).build(), HttpResponse.BodyHandlers.ofString());
        } catch (HttpConnectTimeoutException | ConnectException e) {
            throw unreachable("cannot connect (" + describe(e) + ")");
        } catch (HttpTimeoutException e) {
            throw unreachable("no answer within " + timeout.toSeconds() + " s (--service-timeout)");
        } catch (IOException e) {
            throw unreachable(describe(e));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new ToolCommand.Failure(ToolCommand.FAILED, "interrupted while waiting for the archive service at " + base);
        }
        try {
            return new Answer(response.statusCode(), JSON.readTree(response.body()));
        } catch (IOException e) {
            throw new ToolCommand.Failure(ToolCommand.FAILED, "the archive service at " + base + " answered " + response.statusCode()
                    + " with something that is not JSON: is it the archive service?");
        }
    }

    private ToolCommand.Failure unreachable(String why) {
        return new ToolCommand.Failure(ToolCommand.FAILED, "the archive service at " + base + " is not reachable: " + why
                + ". Start it (coldframe up prints its URL as service:), or drop --service (and COLDFRAME_SERVICE_URL) to read the store directly");
    }

    private static String describe(Exception e) {
        return e.getMessage() != null ? e.getClass().getSimpleName() + ": " + e.getMessage() : e.getClass().getSimpleName();
    }
}
