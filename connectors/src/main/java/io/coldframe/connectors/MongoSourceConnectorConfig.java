package io.coldframe.connectors;

import io.coldframe.common.Topics;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

import org.bson.BsonArray;
import org.bson.BsonDocument;
import org.bson.BsonString;
import org.bson.BsonValue;
import org.bson.json.JsonMode;
import org.bson.json.JsonParseException;
import org.bson.json.JsonWriterSettings;

/**
 * The MongoDB source connector configuration: the one users deploy ({@code connectors/mongo-source.json}, shipped in
 * this jar as {@value #RESOURCE}) and the same config with the overrides local mode needs.
 *
 * <p>Local mode changes only where the data lives and where it goes (connection, database, collection, topic names).
 * Only against the in-JVM MongoDB stand-in does it also add a pipeline stage that writes the {@code ns} field the
 * stand-in leaves out of change events; see {@link #standInNamespaceStage(String, String)}.
 */
public final class MongoSourceConnectorConfig {

    /** Classpath location of the deployed config (copied from {@code connectors/mongo-source.json} at build). */
    public static final String RESOURCE = "coldframe/connectors/mongo-source.json";

    public static final String CONNECTOR_CLASS = "com.mongodb.kafka.connect.MongoSourceConnector";

    public static final String CONNECTOR_CLASS_KEY = "connector.class";
    public static final String CONNECTION_URI = "connection.uri";
    public static final String DATABASE = "database";
    public static final String COLLECTION = "collection";
    public static final String PIPELINE = "pipeline";
    public static final String TOPIC_NAMESPACE_MAP = "topic.namespace.map";
    public static final String HEARTBEAT_TOPIC = "heartbeat.topic.name";
    /** Regex list of the topic-creation group for the change topic (used only when Connect must create it). */
    public static final String CHANGES_TOPIC_CREATION_INCLUDE = "topic.creation.changes.include";

    private static final JsonWriterSettings CANONICAL = JsonWriterSettings.builder().outputMode(JsonMode.EXTENDED).build();

    private final String name;
    private final Map<String, String> config;

    private MongoSourceConnectorConfig(String name, Map<String, String> config) {
        this.name = name;
        this.config = Collections.unmodifiableMap(config);
    }

    /** Loads the deployed config shipped in this jar. */
    public static MongoSourceConnectorConfig load() {
        ClassLoader loader = MongoSourceConnectorConfig.class.getClassLoader();
        try (InputStream in = loader.getResourceAsStream(RESOURCE)) {
            if (in == null) {
                throw new IllegalStateException("Resource " + RESOURCE + " missing: coldframe-connectors was built without it");
            }
            return parse(new String(in.readAllBytes(), StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot read " + RESOURCE, e);
        }
    }

    /** Parses a config in Connect REST format: {@code {"name": ..., "config": {"key": "string value", ...}}}. */
    public static MongoSourceConnectorConfig parse(String json) {
        BsonDocument root;
        try {
            root = BsonDocument.parse(json);
        } catch (JsonParseException e) {
            throw new IllegalArgumentException("Connector config is not valid JSON: " + e.getMessage(), e);
        }
        if (!root.isString("name") || !root.isDocument("config")) {
            throw new IllegalArgumentException("Connector config needs a string \"name\" and an object \"config\"");
        }
        Map<String, String> config = new LinkedHashMap<>();
        for (Map.Entry<String, BsonValue> entry : root.getDocument("config").entrySet()) {
            if (!entry.getValue().isString()) {
                throw new IllegalArgumentException("Connector config value of \"" + entry.getKey()
                        + "\" must be a JSON string (Connect configs are strings)");
            }
            config.put(entry.getKey(), entry.getValue().asString().getValue());
        }
        if (!CONNECTOR_CLASS.equals(config.get(CONNECTOR_CLASS_KEY))) {
            throw new IllegalArgumentException(CONNECTOR_CLASS_KEY + " must be " + CONNECTOR_CLASS);
        }
        return new MongoSourceConnectorConfig(root.getString("name").getValue(), config);
    }

    /** The connector name users register the config under. */
    public String name() {
        return name;
    }

    /** The config exactly as deployed (connection.uri still a {@code ${env:MONGODB_URI}} reference). */
    public Map<String, String> config() {
        return config;
    }

    /**
     * The deployed config with local-mode overrides: connection, database, collection, the change topic (and the
     * heartbeat topic and topic-creation group derived from the same prefix) and, only when {@code mongoStandIn}
     * is set, the pipeline stage that adds {@code ns} to change events.
     */
    public Map<String, String> forLocalMode(LocalMode local) {
        Objects.requireNonNull(local, "local");
        Map<String, String> result = new LinkedHashMap<>(config);
        result.put(CONNECTION_URI, local.connectionUri());
        result.put(DATABASE, local.database());
        result.put(COLLECTION, local.collection());
        result.put(TOPIC_NAMESPACE_MAP, new BsonDocument("*", new BsonString(local.topics().changes())).toJson());
        result.put(HEARTBEAT_TOPIC, heartbeatTopic(local.topics()));
        if (result.containsKey(CHANGES_TOPIC_CREATION_INCLUDE)) {
            result.put(CHANGES_TOPIC_CREATION_INCLUDE, literalTopicRegex(local.topics().changes()));
        }
        if (local.mongoStandIn()) {
            result.put(PIPELINE, prependStage(result.getOrDefault(PIPELINE, "[]"),
                    standInNamespaceStage(local.database(), local.collection())));
        }
        return result;
    }

    /** Convenience for {@link #forLocalMode(LocalMode)}. */
    public Map<String, String> forLocalMode(String connectionUri, String database, String collection, Topics topics,
                                            boolean mongoStandIn) {
        return forLocalMode(new LocalMode(connectionUri, database, collection, topics, mongoStandIn));
    }

    /** The topic the connector's heartbeats (resume-token checkpoints, no data) go to for a topic prefix. */
    public static String heartbeatTopic(Topics topics) {
        return "__" + topics.prefix() + ".mongodb.heartbeats";
    }

    /**
     * LOCAL MODE ONLY. The in-JVM MongoDB stand-in (mongo-java-server) leaves the {@code ns} field out of change
     * events; the connector's topic mapper reads {@code ns.db}/{@code ns.coll} and drops every event without them
     * ("No topic set"). This stage writes the watched namespace back. Real MongoDB sets {@code ns} itself, so the
     * deployed config never carries it.
     */
    public static BsonDocument standInNamespaceStage(String database, String collection) {
        return new BsonDocument("$addFields", new BsonDocument("ns",
                new BsonDocument("db", new BsonString(database)).append("coll", new BsonString(collection))));
    }

    static String prependStage(String pipelineJson, BsonDocument stage) {
        BsonArray stages;
        try {
            stages = BsonArray.parse(pipelineJson == null || pipelineJson.isBlank() ? "[]" : pipelineJson);
        } catch (RuntimeException e) {
            throw new IllegalArgumentException(PIPELINE + " must be a JSON array of stages: " + pipelineJson, e);
        }
        StringBuilder json = new StringBuilder("[").append(stage.toJson(CANONICAL));
        for (BsonValue existing : stages) {
            if (!existing.isDocument()) {
                throw new IllegalArgumentException(PIPELINE + " stages must be documents: " + pipelineJson);
            }
            json.append(", ").append(existing.asDocument().toJson(CANONICAL));
        }
        return json.append(']').toString();
    }

    private static String literalTopicRegex(String topic) {
        // Topic names are [a-zA-Z0-9._-]; only '.' means something in a regex.
        return topic.replace(".", "\\.");
    }

    /** Where local mode reads from and writes to. */
    public record LocalMode(String connectionUri, String database, String collection, Topics topics,
                            boolean mongoStandIn) {
        public LocalMode {
            Objects.requireNonNull(connectionUri, "connectionUri");
            Objects.requireNonNull(database, "database");
            Objects.requireNonNull(collection, "collection");
            Objects.requireNonNull(topics, "topics");
        }
    }
}
