package io.coldframe.connectors;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.coldframe.common.Topics;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.jar.JarFile;

import org.bson.BsonArray;
import org.bson.BsonDocument;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class MongoSourceConnectorConfigTest {

    private final MongoSourceConnectorConfig deployed = MongoSourceConnectorConfig.load();

    @Test
    void shippedResourceIsTheDeployedFile() throws Exception {
        // The jar resource is a build-time copy of connectors/mongo-source.json: one source of truth.
        Path file = Path.of("mongo-source.json");
        assertThat(file).exists();
        assertThat(MongoSourceConnectorConfig.parse(Files.readString(file, StandardCharsets.UTF_8)).config())
                .isEqualTo(deployed.config());
    }

    @Test
    void deployedConfigIsTheDocumentedContract() {
        Map<String, String> c = deployed.config();
        assertThat(deployed.name()).isEqualTo("coldframe-mongo-source");
        assertThat(c)
                .containsEntry("connector.class", MongoSourceConnectorConfig.CONNECTOR_CLASS)
                .containsEntry("connection.uri", "${env:MONGODB_URI}")
                .containsEntry("database", "coldframe")
                .containsEntry("collection", "memories")
                .containsEntry("change.stream.full.document", "updateLookup")
                .containsEntry("startup.mode", "copy_existing")
                .containsEntry("publish.full.document.only", "false")
                .containsEntry("output.format.key", "json")
                .containsEntry("output.format.value", "bson")
                .containsEntry("output.json.formatter", "com.mongodb.kafka.connect.source.json.formatter.ExtendedJson")
                .containsEntry("key.converter", "org.apache.kafka.connect.storage.StringConverter")
                .containsEntry("value.converter", "org.apache.kafka.connect.converters.ByteArrayConverter")
                .containsEntry("pipeline", "[]")
                .containsEntry("errors.tolerance", "none")
                .containsEntry("mongo.errors.tolerance", "none");
        assertThat(BsonDocument.parse(c.get("topic.namespace.map")))
                .isEqualTo(BsonDocument.parse("{\"*\": \"" + Topics.withDefaultPrefix().changes() + "\"}"));
        assertThat(c.get("topic.creation.changes.include")).matches("coldframe\\\\\\.changes");
        assertThat("coldframe.changes").matches(c.get("topic.creation.changes.include"));
        assertThat(Long.parseLong(c.get("heartbeat.interval.ms"))).isPositive();
    }

    @Test
    void topicCreationKeysNameDeclaredGroupsAndKnownSettings() {
        Map<String, String> c = deployed.config();
        List<String> groups = new ArrayList<>(List.of("default"));
        groups.addAll(Arrays.asList(c.get("topic.creation.groups").split("\\s*,\\s*")));
        // Besides these, a group may set any topic config; the change topic sets the record size (RecordSizes).
        Set<String> settings = Set.of("include", "exclude", "replication.factor", "partitions", "max.message.bytes");
        c.keySet().stream().filter(k -> k.startsWith("topic.creation.") && !k.equals("topic.creation.groups")).forEach(k -> {
            String rest = k.substring("topic.creation.".length());
            String group = rest.substring(0, rest.indexOf('.'));
            assertThat(groups).as(k).contains(group);
            assertThat(settings).as(k).contains(rest.substring(group.length() + 1));
        });
    }

    @Test
    void localModeOverridesWhereDataLivesAndGoes() {
        Topics topics = new Topics("t1");
        Map<String, String> local = deployed.forLocalMode("mongodb://127.0.0.1:1234", "db1", "coll1", topics, false);

        assertThat(local)
                .containsEntry("connection.uri", "mongodb://127.0.0.1:1234")
                .containsEntry("database", "db1")
                .containsEntry("collection", "coll1")
                .containsEntry("heartbeat.topic.name", "__t1.mongodb.heartbeats")
                .containsEntry("pipeline", "[]");
        assertThat(BsonDocument.parse(local.get("topic.namespace.map")).getString("*").getValue()).isEqualTo("t1.changes");
        assertThat("t1.changes").matches(local.get("topic.creation.changes.include"));
        assertThat("t1xchanges").doesNotMatch(local.get("topic.creation.changes.include"));
        // Everything else is the deployed config.
        assertThat(local).containsAllEntriesOf(Map.of(
                "startup.mode", "copy_existing", "change.stream.full.document", "updateLookup",
                "output.json.formatter", deployed.config().get("output.json.formatter")));
        assertThat(local.keySet()).isEqualTo(deployed.config().keySet());
    }

    @Test
    void standInFlagAddsTheNamespaceStageFirst() {
        Map<String, String> local = deployed.forLocalMode("mongodb://x", "db1", "coll1", new Topics("t"), true);
        BsonArray pipeline = BsonArray.parse(local.get("pipeline"));
        assertThat(pipeline).hasSize(1);
        assertThat(pipeline.get(0).asDocument())
                .isEqualTo(BsonDocument.parse("{$addFields: {ns: {db: 'db1', coll: 'coll1'}}}"));
    }

    @Test
    void namespaceStageGoesBeforeUserStages() {
        String merged = MongoSourceConnectorConfig.prependStage(
                "[{\"$match\": {\"operationType\": \"insert\", \"n\": {\"$numberLong\": \"5\"}}}]",
                MongoSourceConnectorConfig.standInNamespaceStage("d", "c"));
        BsonArray pipeline = BsonArray.parse(merged);
        assertThat(pipeline).hasSize(2);
        assertThat(pipeline.get(0).asDocument().containsKey("$addFields")).isTrue();
        assertThat(pipeline.get(1).asDocument().getDocument("$match").get("n").isInt64()).isTrue();
    }

    @Test
    void rejectsConfigsThatAreNotStringMaps() {
        assertThatThrownBy(() -> MongoSourceConnectorConfig.parse("{\"name\": \"x\", \"config\": {\"tasks.max\": 1}}"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("tasks.max");
        assertThatThrownBy(() -> MongoSourceConnectorConfig.parse("{\"config\": {}}"))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> MongoSourceConnectorConfig.parse("not json"))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void extractsTheConnectorPlugin(@TempDir Path dir) throws Exception {
        Path pluginPath = ConnectorPlugins.extractMongoPlugin(dir);
        Path jar = pluginPath.resolve(ConnectorPlugins.MONGO_PLUGIN_DIR).resolve(ConnectorPlugins.MONGO_PLUGIN_JAR);
        assertThat(jar).isRegularFile();
        try (JarFile jarFile = new JarFile(jar.toFile())) {
            assertThat(jarFile.getEntry("com/mongodb/kafka/connect/MongoSourceConnector.class")).isNotNull();
        }
        Path manifests = pluginPath.resolve(ConnectorPlugins.MONGO_PLUGIN_DIR).resolve(ConnectorPlugins.MANIFEST_JAR);
        try (JarFile jarFile = new JarFile(manifests.toFile())) {
            var entry = jarFile.getEntry("META-INF/services/org.apache.kafka.connect.source.SourceConnector");
            assertThat(new String(jarFile.getInputStream(entry).readAllBytes(), StandardCharsets.UTF_8).trim())
                    .isEqualTo(MongoSourceConnectorConfig.CONNECTOR_CLASS);
        }
    }
}
