package io.coldframe.connectors;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;

import org.apache.kafka.common.config.AbstractConfig;
import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.common.config.ConfigDef.Importance;
import org.apache.kafka.common.config.ConfigDef.Range;
import org.apache.kafka.common.config.ConfigDef.Type;
import org.bson.BsonDocument;
import org.bson.BsonString;
import org.bson.BsonValue;

import io.coldframe.common.CommonConfigKeys;
import io.coldframe.common.ConfigLoader;
import io.coldframe.common.Topics;
import io.coldframe.common.ops.Secrets;

/**
 * Registers the deployed MongoDB source connector ({@code mongo-source.json}, shipped in this jar) with a Connect
 * cluster and waits until it and its task run: the one-shot job of {@code docker compose} and Kubernetes. PUT is
 * idempotent, so running it again updates the config and changes nothing else (the stored resume token stays).
 * Configured like every coldframe service ({@code COLDFRAME_<KEY>}); a database, collection or topic prefix other
 * than the defaults rewrites the connector's namespace, change topic and heartbeat topic accordingly. The MongoDB
 * connection string is never sent: the connector resolves {@code ${env:MONGODB_URI}} on the workers.
 *
 * <p>Run it in the Connect image: {@code java -cp '/opt/coldframe/connect-plugins/coldframe-ops/libs/*:/opt/coldframe/connect-plugins/coldframe-ops/classpath/*' io.coldframe.connectors.RegisterConnector}.
 * Exit status 0: RUNNING; 1: failed or timed out (the reason is printed).
 */
public final class RegisterConnector {

    public static final String CONNECT_URL = "connect.url";
    public static final String TIMEOUT_MS = "connect.register.timeout.ms";
    public static final String REST_USERNAME = "connect.rest.username";
    public static final String REST_PASSWORD = "connect.rest.password";

    public static final ConfigDef DEFINITION = new ConfigDef()
            .define(CONNECT_URL, Type.STRING, "http://localhost:8083", new ConfigDef.NonEmptyString(), Importance.HIGH,
                    "Base URL of the Connect REST API.")
            .define(TIMEOUT_MS, Type.LONG, 300_000L, Range.atLeast(1_000), Importance.MEDIUM,
                    "How long to wait for Connect to answer and for the connector and its task to be RUNNING.")
            .define(REST_USERNAME, Type.STRING, "", Importance.HIGH,
                    "User of the Connect REST API's HTTP Basic authentication (the coldframe Connect image requires it; "
                            + "its credentials file names the users). Empty: no credentials are sent.")
            .define(REST_PASSWORD, Type.PASSWORD, "", Importance.HIGH,
                    "Password of " + REST_USERNAME + ". Treated as a secret: never logged.")
            .define(CommonConfigKeys.TOPIC_PREFIX, Type.STRING, Topics.DEFAULT_PREFIX, new ConfigDef.NonEmptyString(), Importance.MEDIUM,
                    "Prefix of the coldframe topics; the connector writes to <prefix>.changes.")
            .define(CommonConfigKeys.MONGODB_DATABASE, Type.STRING, "coldframe", new ConfigDef.NonEmptyString(), Importance.MEDIUM,
                    "Database holding the memory collection.")
            .define(CommonConfigKeys.MONGODB_COLLECTION, Type.STRING, "memories", new ConfigDef.NonEmptyString(), Importance.MEDIUM,
                    "The memory collection the connector watches.");

    private static final Duration POLL = Duration.ofSeconds(2);

    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private final String baseUrl;
    private final Duration timeout;
    private final String name;
    private final Map<String, String> config;
    private final String authorization;

    public RegisterConnector(Map<String, ?> values) {
        AbstractConfig settings = new AbstractConfig(DEFINITION, values, false);
        this.baseUrl = settings.getString(CONNECT_URL).replaceAll("/+$", "");
        this.timeout = Duration.ofMillis(settings.getLong(TIMEOUT_MS));
        this.authorization = basicAuthorization(settings.getString(REST_USERNAME), settings.getPassword(REST_PASSWORD).value());
        MongoSourceConnectorConfig deployed = MongoSourceConnectorConfig.load();
        this.name = deployed.name();
        this.config = configFor(deployed, new Topics(settings.getString(CommonConfigKeys.TOPIC_PREFIX)),
                settings.getString(CommonConfigKeys.MONGODB_DATABASE), settings.getString(CommonConfigKeys.MONGODB_COLLECTION));
    }

    /** The deployed config, with database, collection and topics rewritten only where they differ from it. */
    static Map<String, String> configFor(MongoSourceConnectorConfig deployed, Topics topics, String database, String collection) {
        Map<String, String> config = deployed.config();
        boolean defaults = topics.prefix().equals(Topics.DEFAULT_PREFIX) && database.equals(config.get(MongoSourceConnectorConfig.DATABASE))
                && collection.equals(config.get(MongoSourceConnectorConfig.COLLECTION));
        return defaults ? config
                : deployed.forLocalMode(config.get(MongoSourceConnectorConfig.CONNECTION_URI), database, collection, topics, false);
    }

    public static void main(String[] args) {
        RegisterConnector register = new RegisterConnector(ConfigLoader.resolve(DEFINITION, Map.of()));
        try {
            register.run();
        } catch (Exception e) {
            System.err.println("coldframe: registering the connector failed: " + Secrets.redact(String.valueOf(e.getMessage())));
            System.exit(1);
        }
    }

    /** Waits for Connect, PUTs the config, waits for RUNNING; throws with the reason otherwise. */
    public void run() throws IOException, InterruptedException {
        Instant deadline = Instant.now().plus(timeout);
        HttpResponse<String> ready = retry(deadline, "Connect at " + baseUrl + " to answer",
                () -> send(HttpRequest.newBuilder(uri("/connectors")).GET()), response -> response.statusCode() == 200);
        log("Connect answers (" + ready.statusCode() + "); registering " + name);
        String body = toJson(config);
        HttpResponse<String> put = retry(deadline, "Connect to accept the config of " + name,
                () -> send(HttpRequest.newBuilder(uri("/connectors/" + name + "/config")).header("Content-Type", "application/json")
                        .PUT(HttpRequest.BodyPublishers.ofString(body, StandardCharsets.UTF_8))),
                response -> response.statusCode() == 200 || response.statusCode() == 201 || response.statusCode() == 400
                        || response.statusCode() == 422);
        if (put.statusCode() >= 400) {
            throw new IllegalStateException("Connect rejected the config of " + name + " (" + put.statusCode() + "): " + put.body());
        }
        log((put.statusCode() == 201 ? "created " : "updated ") + name + "; waiting until it runs");
        HttpResponse<String> status = retry(deadline, name + " and its task to be RUNNING",
                () -> send(HttpRequest.newBuilder(uri("/connectors/" + name + "/status")).GET()),
                response -> response.statusCode() == 200 && (state(response.body()).equals("RUNNING") || state(response.body()).equals("FAILED")));
        if (state(status.body()).equals("FAILED")) {
            throw new IllegalStateException(name + " FAILED: " + status.body());
        }
        log(name + " RUNNING: " + status.body());
    }

    /** RUNNING when the connector and every task run (and there is one), FAILED when any failed, else PENDING. */
    static String state(String statusJson) {
        BsonDocument status = BsonDocument.parse(statusJson);
        String connector = status.getDocument("connector", new BsonDocument()).getString("state", new BsonString("")).getValue();
        var tasks = status.getArray("tasks", new org.bson.BsonArray());
        boolean anyFailed = "FAILED".equals(connector);
        boolean allRunning = "RUNNING".equals(connector) && !tasks.isEmpty();
        for (BsonValue task : tasks) {
            String state = task.asDocument().getString("state", new BsonString("")).getValue();
            anyFailed |= "FAILED".equals(state);
            allRunning &= "RUNNING".equals(state);
        }
        return anyFailed ? "FAILED" : allRunning ? "RUNNING" : "PENDING";
    }

    private interface Call {
        HttpResponse<String> call() throws IOException, InterruptedException;
    }

    private interface Done {
        boolean test(HttpResponse<String> response);
    }

    private HttpResponse<String> retry(Instant deadline, String what, Call call, Done done) throws InterruptedException {
        String last = "no answer";
        while (Instant.now().isBefore(deadline)) {
            try {
                HttpResponse<String> response = call.call();
                if (done.test(response)) {
                    return response;
                }
                last = "HTTP " + response.statusCode() + " " + response.body();
            } catch (IOException e) {
                last = e.getClass().getSimpleName() + ": " + e.getMessage();
            }
            Thread.sleep(POLL.toMillis());
        }
        throw new IllegalStateException("gave up after " + timeout.toSeconds() + " s waiting for " + what + "; last: " + last);
    }

    /** The Authorization header value for HTTP Basic authentication, or null without a user. */
    static String basicAuthorization(String user, String password) {
        if (user == null || user.isEmpty()) {
            return null;
        }
        return "Basic " + java.util.Base64.getEncoder().encodeToString((user + ":" + password).getBytes(StandardCharsets.UTF_8));
    }

    private HttpResponse<String> send(HttpRequest.Builder request) throws IOException, InterruptedException {
        if (authorization != null) {
            request.header("Authorization", authorization);
        }
        return http.send(request.timeout(Duration.ofSeconds(30)).build(), HttpResponse.BodyHandlers.ofString());
    }

    private URI uri(String path) {
        return URI.create(baseUrl + path);
    }

    static String toJson(Map<String, String> config) {
        BsonDocument json = new BsonDocument();
        config.forEach((key, value) -> json.append(key, new BsonString(value)));
        return json.toJson();
    }

    private static void log(String line) {
        System.out.println("coldframe: " + Secrets.redact(line));
    }
}
