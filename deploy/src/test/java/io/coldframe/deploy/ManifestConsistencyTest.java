package io.coldframe.deploy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import java.io.IOException;
import java.io.StringReader;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Properties;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.common.config.ConfigException;
import org.bson.BsonDocument;
import org.junit.jupiter.api.Test;

import io.coldframe.archiver.ArchiverConfig;
import io.coldframe.common.CommonConfigKeys;
import io.coldframe.common.ConfigLoader;
import io.coldframe.common.RecordSizes;
import io.coldframe.common.Topics;
import io.coldframe.common.ops.OpsServer;
import io.coldframe.connectors.MongoSourceConnectorConfig;
import io.coldframe.connectors.ops.ConnectOpsConfig;
import io.coldframe.deploy.Deployment.Container;
import io.coldframe.deploy.Deployment.K8sObject;
import io.coldframe.deploy.Deployment.Service;
import io.coldframe.service.ArchiveServiceConfig;
import io.coldframe.store.SegmentStoreConfig;
import io.coldframe.streams.StreamsAppConfig;

/**
 * docker-compose.yml and k8s/ against each other, the build (the images the poms produce) and the code (the
 * services' ConfigDefs, ops port and paths, topics, the deployed connector config). Parsing only: no Docker, no
 * cluster. With kubectl on the PATH, {@link KustomizeBuildTest} also checks the built overlays.
 */
class ManifestConsistencyTest {

    private static final String WORKER_PROPERTIES = "connectors/src/main/jib/opt/coldframe/connect/worker.properties";
    private static final int OPS_PORT = CommonConfigKeys.DEFAULT_OPS_PORT;
    private static final int CONNECT_REST_PORT = 8083;

    // ------------------------------------------------------------------------------------------------ images

    @Test
    void everyServiceImageIsTheOneTheBuildProducesWithItsMainClass() throws Exception {
        Repo.Pom root = Repo.Pom.of("");
        for (Service service : Service.values()) {
            assertThat(service.image()).as(service.module).isEqualTo(root.property("image.registry") + "/"
                    + service.pom().property("image.name") + ":" + root.property("project.version"));
            String mainClass = service.pom().jib("container", "mainClass");
            if (service != Service.CONNECT) {
                Method main = Class.forName(mainClass).getMethod("main", String[].class);
                assertThat(Modifier.isStatic(main.getModifiers())).as(mainClass + ".main").isTrue();
            }
        }
        assertThat(Stream.of(Service.values()).map(Service::imageName).distinct()).hasSize(Service.values().length);

        List<Container> containers = new ArrayList<>(Deployment.composeContainers());
        containers.addAll(Deployment.k8sContainers(Deployment.k8sObjects()));
        Set<String> built = Stream.of(Service.values()).map(Service::image).collect(Collectors.toSet());
        String kafkaImage = root.property("image.kafka.base");
        for (Container container : containers) {
            if (container.image().startsWith(root.property("image.registry") + "/")) {
                assertThat(built).as(container.where() + " runs an image the build produces").contains(container.image());
            }
            if (container.image().startsWith("apache/kafka")) {
                assertThat(container.image()).as(container.where() + ": one Kafka version everywhere").isEqualTo(kafkaImage);
            }
        }
        // Each service image is deployed by both compose and Kubernetes.
        for (Service service : Service.values()) {
            assertThat(Deployment.composeContainers()).as("compose runs " + service.image())
                    .anyMatch(c -> c.image().equals(service.image()));
            assertThat(Deployment.k8sContainers(Deployment.k8sObjects(Repo.path("k8s/base")))).as("k8s/base runs " + service.image())
                    .anyMatch(c -> c.image().equals(service.image()));
        }
        // The Connect image is Connect of the same Kafka the broker runs.
        assertThat(Service.CONNECT.pom().jib("from", "image")).isEqualTo(kafkaImage);
    }

    @Test
    @SuppressWarnings("unchecked")
    void overlaysRetagOnlyImagesTheBuildProduces() {
        Set<String> names = Stream.of(Service.values()).map(Service::imageName).collect(Collectors.toSet());
        for (Path kustomization : kustomizations()) {
            Map<String, Object> body = Repo.yamlDocuments(kustomization).get(0);
            for (Map<String, Object> image : (List<Map<String, Object>>) body.getOrDefault("images", List.of())) {
                assertThat(names).as(kustomization + " images").contains((String) image.get("name"));
            }
            for (Object resource : (List<Object>) body.getOrDefault("resources", List.of())) {
                assertThat(kustomization.getParent().resolve(String.valueOf(resource))).as(kustomization + " resource").exists();
            }
            for (Object component : (List<Object>) body.getOrDefault("components", List.of())) {
                assertThat(kustomization.getParent().resolve(String.valueOf(component)).resolve("kustomization.yaml")).exists();
            }
        }
    }

    @Test
    void imagesRunAsTheNonRootUserTheManifestsExpect() {
        Repo.Pom root = Repo.Pom.of("");
        assertThat(root.jib("container", "user")).isEqualTo("65532:65532");
        for (K8sObject workload : workloads(Deployment.k8sObjects())) {
            assertThat(workload.podSpec()).as(workload + " securityContext").extracting("securityContext")
                    .hasFieldOrPropertyWithValue("runAsNonRoot", true).hasFieldOrPropertyWithValue("runAsUser", 65532);
        }
    }

    // ------------------------------------------------------------------------------------ configuration keys

    @Test
    void everyEnvironmentVariableIsAKeyOfTheConfigurationTheContainerReads() {
        List<Container> containers = new ArrayList<>(Deployment.composeContainers());
        containers.addAll(Deployment.k8sContainers(Deployment.k8sObjects()));
        int checked = 0;
        for (Container container : containers) {
            Deployment.Reads reads = container.reads();
            if (reads == null) {
                continue;
            }
            checked++;
            Set<String> known = reads.coldframeVariables();
            Map<String, Object> values = new HashMap<>();
            for (Map.Entry<String, String> variable : container.env().entrySet()) {
                String name = variable.getKey();
                if (name.startsWith(ConfigLoader.ENV_PREFIX) && !reads.otherEnvironment().contains(name)) {
                    assertThat(known).as(container.where() + ": " + name + " must name a key of its ConfigDef").contains(name);
                } else {
                    assertThat(reads.otherEnvironment()).as(container.where() + ": " + name + " is read by nothing").contains(name);
                }
                values.put(name, variable.getValue());
            }
            validate(container, reads.definition(), values);
        }
        assertThat(checked).isGreaterThanOrEqualTo(10);
    }

    /** Literal values must pass the ConfigDef's validation, as at the service's start. */
    private static void validate(Container container, ConfigDef definition, Map<String, Object> env) {
        Map<String, String> literal = new HashMap<>();
        env.forEach((name, value) -> {
            if (value != null && !String.valueOf(value).contains("${")) {
                literal.put(name, String.valueOf(value));
            }
        });
        try {
            definition.parse(ConfigLoader.resolve(definition, Map.of(), literal));
        } catch (ConfigException e) {
            fail(container.where() + ": " + e.getMessage());
        }
    }

    @Test
    void everyConnectWorkerSetsTheVariablesItsWorkerConfigReads() throws IOException {
        Properties worker = new Properties();
        worker.load(new StringReader(Repo.read(WORKER_PROPERTIES)));
        Set<String> referenced = new TreeSet<>();
        for (Object value : worker.values()) {
            Matcher matcher = Pattern.compile("\\$\\{env:([A-Za-z0-9_]+)}").matcher(String.valueOf(value));
            while (matcher.find()) {
                referenced.add(matcher.group(1));
            }
        }
        assertThat(referenced).contains(ConfigLoader.envName(CommonConfigKeys.BOOTSTRAP_SERVERS));
        assertThat(ConnectOpsConfig.DEFINITION.names()).contains(CommonConfigKeys.BOOTSTRAP_SERVERS);
        // The connector reads the other one.
        assertThat(MongoSourceConnectorConfig.load().config().get(MongoSourceConnectorConfig.CONNECTION_URI))
                .isEqualTo("${env:" + ConnectOpsConfig.MONGODB_URI_ENV + "}");
        referenced.add(ConnectOpsConfig.MONGODB_URI_ENV);

        List<Container> workers = new ArrayList<>(Deployment.composeContainers());
        workers.addAll(Deployment.k8sContainers(Deployment.k8sObjects()));
        workers.removeIf(c -> Service.byImage(c.image()) != Service.CONNECT || !c.command().isEmpty());
        assertThat(workers).hasSizeGreaterThanOrEqualTo(2);
        for (Container container : workers) {
            assertThat(container.env().keySet()).as(container.where()).containsAll(referenced);
        }
        assertThat(worker.getProperty("listeners")).endsWith(":" + CONNECT_REST_PORT);
        // The worker accepts the file; its env config provider resolves only allow-listed variables (SecurityManifestTest).
        Map<String, String> props = new HashMap<>();
        worker.forEach((k, v) -> props.put(String.valueOf(k), String.valueOf(v)));
        props.put("client.id", "${env:PATH}");
        org.apache.kafka.connect.runtime.distributed.DistributedConfig config = new org.apache.kafka.connect.runtime.distributed.DistributedConfig(props);
        assertThat(config.originals().get("client.id")).isEqualTo("${env:PATH}");
        assertThat(config.getList("plugin.path")).containsExactly(worker.getProperty("plugin.path"));
        assertThat(worker.getProperty("rest.extension.classes").split(",")[0]).isEqualTo(io.coldframe.connectors.ops.ConnectOpsExtension.class.getName());
        assertThat(worker.getProperty("plugin.path")).isEqualTo("/opt/coldframe/connect-plugins");
        assertThat(Service.CONNECT.pom().jib("container", "appRoot")).startsWith(worker.getProperty("plugin.path") + "/");
    }

    @Test
    void credentialsComeFromSecretsNeverFromLiterals() {
        for (Container container : Deployment.k8sContainers(Deployment.k8sObjects())) {
            container.env().forEach((name, value) -> {
                if (name.contains("URI") || name.contains("PASSWORD") || name.contains("SECRET") || name.contains("ACCESS_KEY")) {
                    assertThat(value).as(container.where() + ": " + name + " must come from a Secret").isNull();
                    assertThat(secretRef(container, name)).as(container.where() + ": " + name + " from a secretKeyRef").isNotNull();
                }
            });
        }
    }

    @Test
    @SuppressWarnings("unchecked")
    void everyConfigMapKeyAContainerReadsExists() {
        Map<String, String> config = baseConfig();
        for (Container container : Deployment.k8sContainers(Deployment.k8sObjects(Repo.path("k8s/base")))) {
            for (Map<String, Object> env : (List<Map<String, Object>>) container.raw().getOrDefault("env", List.of())) {
                if (env.get("valueFrom") instanceof Map<?, ?> from && from.get("configMapKeyRef") instanceof Map<?, ?> ref) {
                    assertThat(ref.get("name")).as(container.where()).isEqualTo("coldframe-config");
                    assertThat(config).as(container.where() + " reads").containsKey((String) ref.get("key"));
                    assertThat(ref.get("key")).as(container.where() + ": variable named as its key").isEqualTo(env.get("name"));
                }
            }
        }
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> secretRef(Container container, String variable) {
        for (Map<String, Object> env : (List<Map<String, Object>>) container.raw().getOrDefault("env", List.of())) {
            if (variable.equals(env.get("name")) && env.get("valueFrom") instanceof Map<?, ?> from) {
                return (Map<String, Object>) from.get("secretKeyRef");
            }
        }
        return null;
    }

    // ------------------------------------------------------------------------------------- ports and probes

    @Test
    @SuppressWarnings("unchecked")
    void probesAndScrapesUseTheOpsEndpointOfTheServices() {
        assertThat(Repo.Pom.of("").jibList("container", "ports")).containsExactly(Integer.toString(OPS_PORT));
        assertThat(Service.CONNECT.pom().jibList("container", "ports")).contains(Integer.toString(CONNECT_REST_PORT));
        for (K8sObject workload : workloads(Deployment.k8sObjects())) {
            for (Map<String, Object> container : (List<Map<String, Object>>) workload.podSpec().get("containers")) {
                Service service = Service.byImage((String) container.get("image"));
                if (service == null || container.containsKey("command")) {
                    continue;
                }
                Map<String, Integer> ports = new HashMap<>();
                for (Map<String, Object> port : (List<Map<String, Object>>) container.get("ports")) {
                    ports.put((String) port.get("name"), (Integer) port.get("containerPort"));
                }
                assertThat(ports).as(workload + " ports").containsEntry("ops", OPS_PORT);
                if (service == Service.CONNECT) {
                    assertThat(ports).containsEntry("rest", CONNECT_REST_PORT);
                }
                Map<String, String> probes = Map.of("livenessProbe", OpsServer.LIVE_PATH, "readinessProbe", OpsServer.READY_PATH,
                        "startupProbe", OpsServer.LIVE_PATH);
                probes.forEach((probe, path) -> {
                    Map<String, Object> httpGet = (Map<String, Object>) ((Map<String, Object>) container.get(probe)).get("httpGet");
                    assertThat(httpGet).as(workload + " " + probe).containsEntry("path", path);
                    Object port = httpGet.get("port");
                    assertThat(port instanceof Integer number ? number : ports.get(port)).as(workload + " " + probe + " port").isEqualTo(OPS_PORT);
                });
                assertThat(container.get("resources")).as(workload + " resources").extracting("requests").isNotNull();
                Map<String, Object> security = (Map<String, Object>) container.get("securityContext");
                assertThat(security).as(workload + " securityContext").containsEntry("readOnlyRootFilesystem", true)
                        .containsEntry("allowPrivilegeEscalation", false);
                Map<String, String> annotations = (Map<String, String>) ((Map<String, Object>) workload.podTemplate().get("metadata"))
                        .get("annotations");
                assertThat(annotations).as(workload + " scrape annotations").containsEntry("prometheus.io/port", Integer.toString(OPS_PORT))
                        .containsEntry("prometheus.io/path", OpsServer.METRICS_PATH);
            }
        }
        for (Container container : Deployment.composeContainers()) {
            Service service = Service.byImage(container.image());
            Map<String, Object> healthcheck = (Map<String, Object>) container.raw().get("healthcheck");
            if (service == null || healthcheck == null) {
                continue;
            }
            String test = String.join(" ", (List<String>) healthcheck.get("test"));
            assertThat(test).as(container.where() + " healthcheck").contains("/dev/tcp/127.0.0.1/" + OPS_PORT, OpsServer.READY_PATH);
        }
    }

    @Test
    @SuppressWarnings("unchecked")
    void servicesAndDisruptionBudgetsSelectExactlyTheirPods() {
        List<K8sObject> objects = Deployment.k8sObjects(Repo.path("k8s/base"));
        List<K8sObject> workloads = workloads(objects);
        for (K8sObject workload : workloads) {
            Map<String, Object> selector = (Map<String, Object>) workload.spec().get("selector");
            if (selector != null) {
                assertThat(workload.podLabels()).as(workload + " template labels").containsAllEntriesOf(
                        (Map<String, String>) selector.get("matchLabels"));
            }
        }
        for (K8sObject object : objects) {
            Map<String, String> selector = switch (object.kind()) {
                case "Service" -> (Map<String, String>) object.spec().get("selector");
                case "PodDisruptionBudget" -> (Map<String, String>) ((Map<String, Object>) object.spec().get("selector")).get("matchLabels");
                default -> null;
            };
            if (selector == null) {
                continue;
            }
            List<K8sObject> selected = workloads.stream().filter(w -> w.podLabels().entrySet().containsAll(selector.entrySet())).toList();
            assertThat(selected).as(object + " selects one workload").hasSize(1);
            if (object.kind().equals("Service")) {
                Set<String> portNames = new TreeSet<>();
                for (Map<String, Object> container : (List<Map<String, Object>>) selected.get(0).podSpec().get("containers")) {
                    ((List<Map<String, Object>>) container.getOrDefault("ports", List.of())).forEach(p -> portNames.add((String) p.get("name")));
                }
                for (Map<String, Object> port : (List<Map<String, Object>>) object.spec().get("ports")) {
                    assertThat(portNames).as(object + " targetPort").contains((String) port.get("targetPort"));
                }
            }
        }
        K8sObject streams = find(objects, "StatefulSet", "streams-app");
        assertThat(find(objects, "Service", (String) streams.spec().get("serviceName")).spec()).containsEntry("clusterIP", "None");
        K8sObject scaledObject = find(objects, "ScaledObject", "archiver-worker");
        assertThat(find(objects, "Deployment", (String) ((Map<String, Object>) scaledObject.spec().get("scaleTargetRef")).get("name")))
                .isNotNull();
    }

    // ------------------------------------------------------------------------------------------------ topics

    @Test
    void theTopicScriptCreatesEveryTopicTheServicesUseWithTheDocumentedPolicy() throws Exception {
        Map<String, Deployment.Topic> script = Deployment.topicsScript();
        Topics topics = new Topics("p");
        Set<String> used = new TreeSet<>();
        for (Method method : Topics.class.getDeclaredMethods()) {
            if (method.getReturnType() == String.class && method.getParameterCount() == 0 && !Modifier.isStatic(method.getModifiers())
                    && !method.getName().equals("prefix") && !method.getName().equals("toString")) {
                used.add(((String) method.invoke(topics)).substring("p.".length()));
            }
        }
        assertThat(script.keySet()).containsExactlyInAnyOrderElementsOf(used);
        // The live views and the per-memory tables are compacted by key; the event streams are deleted by age; the daily
        // stats are compacted (a cell's latest count) and deleted by age (old days).
        Set<String> compacted = Set.of(suffix(topics.hot()), suffix(topics.warm()), suffix(topics.catalog()), suffix(topics.restores()));
        script.values().forEach(topic -> assertThat(topic.config().get("cleanup.policy")).as(topic.suffix())
                .isEqualTo(topic.suffix().equals(suffix(topics.statsDaily())) ? "compact,delete"
                        : compacted.contains(topic.suffix()) ? "compact" : "delete"));
        // The connector creates the change topic with the same partitions when it must.
        Map<String, String> connector = MongoSourceConnectorConfig.load().config();
        assertThat(script.get(suffix(topics.changes())).partitions())
                .isEqualTo(Integer.parseInt(connector.get("topic.creation.changes.partitions")));
        assertThat(script.get(suffix(topics.cold())).partitions()).isEqualTo(script.get(suffix(topics.hot())).partitions());
    }

    @Test
    void everyTopicAndTheConnectorsProducerTakeRecordsOfTheSizeTheServicesWrite() throws IOException {
        String limit = Integer.toString(RecordSizes.DEFAULT_MAX_RECORD_BYTES);
        Deployment.topicsScript().values().forEach(topic -> assertThat(topic.config()).as(topic.suffix())
                .containsEntry("max.message.bytes", limit));
        assertThat(MongoSourceConnectorConfig.load().config()).as("the connector creates the change topic alike")
                .containsEntry("topic.creation.changes.max.message.bytes", limit);
        Properties worker = new Properties();
        worker.load(new StringReader(Repo.read(WORKER_PROPERTIES)));
        assertThat(worker.getProperty("producer.max.request.size")).isEqualTo(limit);
        assertThat(Long.parseLong(worker.getProperty("producer.buffer.memory"))).as("the buffer holds a record of the limit")
                .isGreaterThanOrEqualTo(RecordSizes.DEFAULT_MAX_RECORD_BYTES);
        for (ConfigDef definition : List.of(StreamsAppConfig.DEFINITION, ArchiverConfig.DEFINITION)) {
            assertThat(definition.defaultValues()).containsEntry(RecordSizes.MAX_RECORD_BYTES, RecordSizes.DEFAULT_MAX_RECORD_BYTES);
        }
    }

    @Test
    @SuppressWarnings("unchecked")
    void strimziTopicsAreTheScriptsTopics() {
        Map<String, Deployment.Topic> script = Deployment.topicsScript();
        Map<String, Deployment.Topic> strimzi = new LinkedHashMap<>();
        for (K8sObject topic : Deployment.k8sObjects(Repo.path("k8s/components/strimzi"))) {
            if (topic.kind().equals("KafkaTopic")) {
                String name = (String) topic.spec().get("topicName");
                Map<String, String> config = new LinkedHashMap<>();
                ((Map<String, Object>) topic.spec().get("config")).forEach((k, v) -> config.put(k, String.valueOf(v)));
                String suffix = name.substring(Topics.DEFAULT_PREFIX.length() + 1);
                strimzi.put(suffix, new Deployment.Topic(suffix, (Integer) topic.spec().get("partitions"), config));
            }
        }
        assertThat(strimzi).isEqualTo(script);
    }

    @Test
    @SuppressWarnings("unchecked")
    void archiversScaleOnTheirGroupsLagUpToOnePerColdPartition() {
        List<K8sObject> base = Deployment.k8sObjects(Repo.path("k8s/base"));
        Map<String, Object> trigger = ((List<Map<String, Object>>) find(base, "ScaledObject", "archiver-worker").spec().get("triggers")).get(0);
        Map<String, String> metadata = (Map<String, String>) trigger.get("metadata");
        assertThat(trigger).containsEntry("type", "kafka");
        Map<String, String> config = baseConfig();
        String prefix = config.get(ConfigLoader.envName(CommonConfigKeys.TOPIC_PREFIX));
        assertThat(metadata).containsEntry("topic", new Topics(prefix).cold())
                .containsEntry("bootstrapServers", config.get(ConfigLoader.envName(CommonConfigKeys.BOOTSTRAP_SERVERS)))
                .containsEntry("allowIdleConsumers", "false");
        Container archiver = Deployment.k8sContainers(base).stream().filter(c -> Service.byImage(c.image()) == Service.ARCHIVER_WORKER)
                .findFirst().orElseThrow();
        String group = Objects.requireNonNullElse(archiver.env().get(ConfigLoader.envName(ArchiverConfig.GROUP_ID)),
                (String) ArchiverConfig.DEFINITION.defaultValues().get(ArchiverConfig.GROUP_ID));
        assertThat(metadata).containsEntry("consumerGroup", group);
        int coldPartitions = Deployment.topicsScript().get(suffix(new Topics(prefix).cold())).partitions();
        assertThat(find(base, "ScaledObject", "archiver-worker").spec()).containsEntry("maxReplicaCount", coldPartitions);
        assertThat((Integer) find(base, "ScaledObject", "archiver-worker").spec().get("minReplicaCount")).isBetween(1, coldPartitions);
        assertThat(Integer.parseInt(metadata.get("lagThreshold"))).isPositive();
    }

    // --------------------------------------------------------------------------------------------- connector

    @Test
    @SuppressWarnings("unchecked")
    void strimziConnectorAndWorkerAreTheDeployedOnes() throws IOException {
        List<K8sObject> strimzi = Deployment.k8sObjects(Repo.path("k8s/components/strimzi"));
        MongoSourceConnectorConfig deployed = MongoSourceConnectorConfig.load();
        K8sObject connector = find(strimzi, "KafkaConnector", deployed.name());
        Map<String, String> config = new LinkedHashMap<>();
        ((Map<String, Object>) connector.spec().get("config")).forEach((k, v) -> config.put(k, String.valueOf(v)));
        config.put("connector.class", (String) connector.spec().get("class"));
        config.put("tasks.max", String.valueOf(connector.spec().get("tasksMax")));
        assertThat(config).isEqualTo(deployed.config());

        Properties worker = new Properties();
        worker.load(new StringReader(Repo.read(WORKER_PROPERTIES)));
        K8sObject connect = find(strimzi, "KafkaConnect", ((Map<String, String>) connector.metadata().get("labels")).get("strimzi.io/cluster"));
        Map<String, Object> connectConfig = (Map<String, Object>) connect.spec().get("config");
        for (String key : List.of("group.id", "config.storage.topic", "offset.storage.topic", "status.storage.topic", "config.providers",
                "config.providers.env.class", "config.providers.env.param.allowlist.pattern", "connector.client.config.override.policy",
                "producer.compression.type", "producer.max.request.size", "producer.buffer.memory")) {
            assertThat(String.valueOf(connectConfig.get(key))).as("KafkaConnect " + key).isEqualTo(worker.getProperty(key));
        }
        assertThat(connect.spec().get("bootstrapServers")).isEqualTo(baseConfig().get(ConfigLoader.envName(CommonConfigKeys.BOOTSTRAP_SERVERS)));
        assertThat(BsonDocument.parse(deployed.config().get("topic.namespace.map")).getString("*").getValue())
                .isEqualTo(Topics.withDefaultPrefix().changes());
    }

    // ----------------------------------------------------------------------------------------------- compose

    @Test
    @SuppressWarnings("unchecked")
    void composeStartsEverythingInOrderAndArchiversScale() {
        Map<String, Map<String, Object>> services = Deployment.composeServices();
        Map<String, Object> declaredVolumes = (Map<String, Object>) Repo.yaml(Deployment.COMPOSE).get("volumes");
        for (Map.Entry<String, Map<String, Object>> service : services.entrySet()) {
            Object dependsOn = service.getValue().get("depends_on");
            Map<String, String> conditions = new LinkedHashMap<>();
            if (dependsOn instanceof Map<?, ?> map) {
                map.forEach((k, v) -> conditions.put((String) k, (String) ((Map<String, Object>) v).get("condition")));
            } else if (dependsOn instanceof List<?> list) {
                list.forEach(k -> conditions.put((String) k, "service_started"));
            }
            conditions.forEach((other, condition) -> {
                assertThat(services).as(service.getKey() + " depends on").containsKey(other);
                if (condition.equals("service_healthy")) {
                    assertThat(services.get(other)).as(other + " needs a healthcheck").containsKey("healthcheck");
                }
                if (condition.equals("service_completed_successfully")) {
                    assertThat(services.get(other)).as(other + " runs once").containsEntry("restart", "no");
                }
            });
            Container container = Deployment.composeContainers().stream().filter(c -> c.where().endsWith(" " + service.getKey()))
                    .findFirst().orElseThrow();
            if (container.env().containsKey(ConfigLoader.envName(CommonConfigKeys.BOOTSTRAP_SERVERS)) && !service.getKey().equals("kafka-init")) {
                assertThat(dependsTransitively(services, service.getKey(), "kafka-init")).as(service.getKey() + " starts after the topics").isTrue();
            }
            if (Service.byImage(container.image()) != null && container.command().isEmpty()) {
                assertThat(service.getValue()).as(service.getKey()).containsEntry("read_only", true).containsKey("healthcheck");
            }
            for (Object volume : (List<Object>) service.getValue().getOrDefault("volumes", List.of())) {
                String source = String.valueOf(volume).split(":")[0];
                if (source.startsWith("./")) {
                    assertThat(Repo.path(source.substring(2))).as(service.getKey() + " mounts").exists();
                } else {
                    assertThat(declaredVolumes).as(service.getKey() + " volume").containsKey(source);
                }
            }
        }
        assertThat(dependsTransitively(services, "connect-register", "connect")).isTrue();
        assertThat(dependsTransitively(services, "purger", "mongo")).isTrue();
        assertThat(dependsTransitively(services, "connect", "mongo")).isTrue();
        // --scale archiver-worker=N: no fixed name, no fixed host port.
        Map<String, Object> archiver = services.get("archiver-worker");
        assertThat(archiver).doesNotContainKey("container_name");
        for (Object port : (List<Object>) archiver.getOrDefault("ports", List.of())) {
            assertThat(String.valueOf(port)).as("archiver port " + port).matches("(\\d+\\.\\d+\\.\\d+\\.\\d+::)?\\d+|\\d+");
        }
        assertThat(String.valueOf(services.get("kafka-init").get("volumes"))).contains(Deployment.TOPICS_SCRIPT);
        // The archivers store segments in the S3-compatible store compose runs, in the bucket it creates.
        Container archiverContainer = Deployment.composeContainers().stream()
                .filter(c -> Service.byImage(c.image()) == Service.ARCHIVER_WORKER).findFirst().orElseThrow();
        Map<String, String> env = archiverContainer.env();
        assertThat(env).containsEntry(ConfigLoader.envName(SegmentStoreConfig.STORE_TYPE), io.coldframe.store.SegmentStores.S3);
        String endpointHost = URI.create(env.get(ConfigLoader.envName(SegmentStoreConfig.S3_ENDPOINT))).getHost();
        assertThat(services).containsKey(endpointHost);
        assertThat(dependsTransitively(services, "archiver-worker", endpointHost)).isTrue();
        assertThat(String.join(" ", Deployment.composeContainers().stream().filter(c -> c.where().endsWith(" minio-init")).findFirst()
                .orElseThrow().command())).contains("mc mb --ignore-existing store/" + env.get(ConfigLoader.envName(SegmentStoreConfig.S3_BUCKET)));
    }

    @Test
    @SuppressWarnings("unchecked")
    void theArchiveServiceKeepsItsIndexOnAVolumeServesItsApiAndIsScraped() {
        String stateDir = ConfigLoader.envName(ArchiveServiceConfig.STATE_DIR);
        int httpPort = (Integer) ArchiveServiceConfig.DEFINITION.defaultValues().get(ArchiveServiceConfig.HTTP_PORT);
        assertThat(Service.ARCHIVE_SERVICE.pom().jibList("container", "ports")).contains(Integer.toString(httpPort));

        List<K8sObject> objects = Deployment.k8sObjects(Repo.path("k8s/base"));
        K8sObject workload = find(objects, "StatefulSet", "archive-service");
        Container container = Deployment.k8sContainers(List.of(workload)).get(0);
        // the catalog index survives restarts: the state directory is a volume claim's mount
        List<Map<String, Object>> claims = (List<Map<String, Object>>) workload.spec().get("volumeClaimTemplates");
        String claim = (String) ((Map<String, Object>) claims.get(0).get("metadata")).get("name");
        assertThat((List<Map<String, Object>>) container.raw().get("volumeMounts"))
                .anyMatch(m -> m.get("name").equals(claim) && m.get("mountPath").equals(container.env().get(stateDir)));
        // other instances route id lookups to this pod's address; the API binds every interface
        assertThat(String.valueOf(((List<Map<String, Object>>) container.raw().get("env")).stream()
                .filter(e -> e.get("name").equals(ConfigLoader.envName(ArchiveServiceConfig.ADVERTISED_HOST))).findFirst().orElseThrow()
                .get("valueFrom"))).contains("status.podIP");
        assertThat(container.env()).containsEntry(ConfigLoader.envName(ArchiveServiceConfig.HTTP_HOST), "0.0.0.0");
        assertThat(secretRef(container, ConfigLoader.envName(ArchiveServiceConfig.WRITE_TOKEN))).as("the write token from a Secret").isNotNull();
        Map<String, Object> api = ((List<Map<String, Object>>) find(objects, "Service", "archive-service").spec().get("ports")).stream()
                .filter(p -> "http".equals(p.get("targetPort"))).findFirst().orElseThrow();
        assertThat(api).containsEntry("port", httpPort);
        // a NetworkPolicy says who may call it
        assertThat(objects.stream().filter(o -> o.kind().equals("NetworkPolicy")).map(o -> String.valueOf(o.spec().get("podSelector"))))
                .anyMatch(selector -> selector.contains("archive-service"));

        Map<String, Map<String, Object>> services = Deployment.composeServices();
        Container composed = Deployment.composeContainers().stream().filter(c -> Service.byImage(c.image()) == Service.ARCHIVE_SERVICE)
                .findFirst().orElseThrow();
        assertThat(String.valueOf(services.get("archive-service").get("volumes"))).contains(":" + composed.env().get(stateDir));
        assertThat(String.valueOf(services.get("archive-service").get("ports"))).contains(":" + httpPort + ":" + httpPort);
        assertThat(dependsTransitively(services, "archive-service", "mongo")).isTrue();
    }

    @Test
    @SuppressWarnings("unchecked")
    void composesPrometheusScrapesEveryServiceItRuns() {
        Map<String, Object> config = Repo.yaml("compose/prometheus.yml");
        Set<String> scraped = new TreeSet<>();
        for (Map<String, Object> job : (List<Map<String, Object>>) config.get("scrape_configs")) {
            for (Map<String, Object> sd : (List<Map<String, Object>>) job.getOrDefault("dns_sd_configs", List.of())) {
                scraped.addAll((List<String>) sd.get("names"));
            }
        }
        for (Container container : Deployment.composeContainers()) {
            if (Service.byImage(container.image()) != null && container.command().isEmpty()) {
                String name = container.where().substring(container.where().lastIndexOf(' ') + 1);
                assertThat(scraped).as("compose/prometheus.yml scrapes " + name).contains(name);
            }
        }
    }

    @SuppressWarnings("unchecked")
    private static boolean dependsTransitively(Map<String, Map<String, Object>> services, String from, String to) {
        Object dependsOn = services.get(from).get("depends_on");
        Set<String> direct = new TreeSet<>();
        if (dependsOn instanceof Map<?, ?> map) {
            map.keySet().forEach(k -> direct.add((String) k));
        } else if (dependsOn instanceof List<?> list) {
            list.forEach(k -> direct.add((String) k));
        }
        return direct.contains(to) || direct.stream().anyMatch(next -> dependsTransitively(services, next, to));
    }

    // --------------------------------------------------------------------------------------------- dashboard

    @Test
    void theDashboardChartsOnlyMetricsTheServicesExport() throws IOException {
        String dashboard = Repo.read("k8s/base/monitoring/coldframe-dashboard.json");
        BsonDocument.parse(dashboard);
        String sources = mainSources();
        Matcher metric = Pattern.compile("\\b(coldframe_[a-z_]+)").matcher(dashboard);
        Set<String> checked = new TreeSet<>();
        while (metric.find()) {
            String name = metric.group(1);
            if (name.equals("coldframe_") || !checked.add(name)) {
                continue;
            }
            String meter = meterOf(name);
            assertThat(sources).as("a meter " + meter + " (dashboard metric " + name + ")").contains("\"" + meter + "\"");
        }
        assertThat(checked).hasSizeGreaterThan(10);
    }

    // --------------------------------------------------------------------------------------------- alerts

    @Test
    @SuppressWarnings("unchecked")
    void everyAlertQueriesOnlyMetricsTheServicesExportAndSaysWhatToDo() throws IOException {
        String sources = mainSources();
        List<Map<String, Object>> alerts = alerts((List<Object>) Repo.yaml("compose/prometheus-alerts.yml").get("groups"));
        assertThat(alerts).isNotEmpty();
        for (Map<String, Object> alert : alerts) {
            String name = String.valueOf(alert.get("alert"));
            Matcher metric = Pattern.compile("\\b(coldframe_[a-z_]+)").matcher(String.valueOf(alert.get("expr")));
            assertThat(metric.find()).as(name + " queries a coldframe metric").isTrue();
            do {
                assertThat(sources).as(name + ": a meter for " + metric.group(1)).contains("\"" + meterOf(metric.group(1)) + "\"");
            } while (metric.find());
            assertThat((Map<String, Object>) alert.get("labels")).as(name).containsKey("severity");
            Map<String, Object> annotations = (Map<String, Object>) alert.get("annotations");
            assertThat(annotations).as(name).containsKeys("summary", "description");
        }
    }

    @SuppressWarnings("unchecked")
    private static List<Map<String, Object>> alerts(List<Object> groups) {
        List<Map<String, Object>> out = new ArrayList<>();
        for (Object group : groups) {
            ((List<Object>) ((Map<String, Object>) group).get("rules")).forEach(r -> out.add((Map<String, Object>) r));
        }
        return out;
    }

    /** The Micrometer name behind a Prometheus series name: unit and type suffixes off, underscores to dots. */
    private static String meterOf(String series) {
        return series.replaceAll("_(total|seconds_sum|seconds_count|seconds_max|seconds_bucket|max|seconds)$", "").replace('_', '.');
    }

    private static String mainSources() throws IOException {
        StringBuilder text = new StringBuilder();
        for (String module : List.of("common", "connectors", "streams-app", "archiver-worker", "purger", "archive")) {
            try (Stream<Path> files = Files.walk(Repo.path(module + "/src/main/java"))) {
                for (Path file : files.filter(f -> f.toString().endsWith(".java")).toList()) {
                    text.append(Files.readString(file));
                }
            }
        }
        return text.toString();
    }

    // --------------------------------------------------------------------------------------------- helpers

    private static String suffix(String topic) {
        return topic.substring(topic.indexOf('.') + 1);
    }

    private static List<K8sObject> workloads(List<K8sObject> objects) {
        return objects.stream().filter(o -> o.podSpec() != null).toList();
    }

    private static K8sObject find(List<K8sObject> objects, String kind, String name) {
        return objects.stream().filter(o -> o.kind().equals(kind) && o.name().equals(name)).findFirst()
                .orElseThrow(() -> new AssertionError("no " + kind + "/" + name));
    }

    /** The coldframe-config ConfigMap literals of the base kustomization. */
    @SuppressWarnings("unchecked")
    static Map<String, String> baseConfig() {
        Map<String, Object> kustomization = Repo.yaml("k8s/base/kustomization.yaml");
        for (Map<String, Object> generator : (List<Map<String, Object>>) kustomization.get("configMapGenerator")) {
            if ("coldframe-config".equals(generator.get("name"))) {
                Map<String, String> literals = new LinkedHashMap<>();
                for (Object literal : (List<Object>) generator.get("literals")) {
                    String[] kv = String.valueOf(literal).split("=", 2);
                    literals.put(kv[0], kv[1]);
                }
                return literals;
            }
        }
        throw new AssertionError("no coldframe-config generator");
    }

    static List<Path> kustomizations() {
        try (Stream<Path> files = Files.walk(Repo.path("k8s"))) {
            return files.filter(f -> f.getFileName().toString().equals("kustomization.yaml")).sorted().toList();
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }
}
