package io.coldframe.deploy;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import org.apache.kafka.common.config.ConfigDef;

import io.coldframe.archiver.ArchiverConfig;
import io.coldframe.common.ConfigLoader;
import io.coldframe.connectors.RegisterConnector;
import io.coldframe.connectors.ops.ConnectOpsConfig;
import io.coldframe.hotcache.HotCacheConfig;
import io.coldframe.purger.PurgerConfig;
import io.coldframe.service.ArchiveServiceConfig;
import io.coldframe.streams.StreamsAppConfig;

/** What the deployment files describe, read from them: containers, Kubernetes objects, topics. */
final class Deployment {

    private Deployment() {
    }

    /** The images the build produces, and the configuration each one reads. */
    enum Service {
        CONNECT("connectors", ConnectOpsConfig.DEFINITION, union(Set.of(ConnectOpsConfig.MONGODB_URI_ENV, "CONNECT_REST_ADVERTISED_HOST_NAME"),
                KAFKA_SCRIPT_VARIABLES)),
        STREAMS_APP("streams-app", StreamsAppConfig.DEFINITION, Set.of()),
        ARCHIVER_WORKER("archiver-worker", ArchiverConfig.DEFINITION, Set.of()),
        PURGER("purger", PurgerConfig.DEFINITION, Set.of()),
        ARCHIVE_SERVICE("archive-service", ArchiveServiceConfig.DEFINITION, Set.of()),
        HOT_CACHE("hot-cache", HotCacheConfig.DEFINITION, Set.of());

        final String module;
        final ConfigDef definition;
        final Set<String> otherEnvironment;

        Service(String module, ConfigDef definition, Set<String> otherEnvironment) {
            this.module = module;
            this.definition = definition;
            this.otherEnvironment = otherEnvironment;
        }

        Repo.Pom pom() {
            return Repo.Pom.of(module);
        }

        /** The image Jib builds: jib's to.image with the module's image.name. */
        String image() {
            return pom().jib("to", "image");
        }

        String imageName() {
            String image = image();
            return image.substring(0, image.lastIndexOf(':'));
        }

        static Service byImage(String image) {
            for (Service service : values()) {
                if (service.imageName().equals(image.contains(":") ? image.substring(0, image.lastIndexOf(':')) : image)) {
                    return service;
                }
            }
            return null;
        }
    }

    /** The environment variables a container may set, and the ConfigDef its COLDFRAME_* ones must name. */
    record Reads(ConfigDef definition, Set<String> otherEnvironment) {
        Set<String> coldframeVariables() {
            Set<String> names = new LinkedHashSet<>();
            definition.names().forEach(key -> names.add(ConfigLoader.envName(key)));
            return names;
        }
    }

    /** One container of compose or Kubernetes, normalised. Env values are null when they come from a reference. */
    record Container(String where, String image, List<String> command, Map<String, String> env, Map<String, Object> raw) {

        boolean runs(String mainClass) {
            return command.stream().anyMatch(part -> part.contains(mainClass));
        }

        /** What configuration it reads: the service's ConfigDef, the registration job's, or the topics script's. */
        Reads reads() {
            if (runs(RegisterConnector.class.getName())) {
                return new Reads(RegisterConnector.DEFINITION, Set.of());
            }
            if (runs("create-topics.sh")) {
                return new Reads(new ConfigDef(), topicScriptVariables());
            }
            Service service = Service.byImage(image);
            return service == null ? null : new Reads(service.definition, service.otherEnvironment);
        }
    }

    /** What Apache Kafka's bin/ scripts (kafka-run-class.sh) read. */
    static final Set<String> KAFKA_SCRIPT_VARIABLES = Set.of("LOG_DIR", "KAFKA_HEAP_OPTS", "KAFKA_OPTS", "KAFKA_JVM_PERFORMANCE_OPTS",
            "KAFKA_LOG4J_OPTS");

    static Set<String> union(Set<String> a, Set<String> b) {
        Set<String> union = new LinkedHashSet<>(a);
        union.addAll(b);
        return union;
    }

    /** Variables create-topics.sh reads (${NAME...}), and those of the Kafka scripts it runs. */
    static Set<String> topicScriptVariables() {
        Set<String> names = new LinkedHashSet<>(KAFKA_SCRIPT_VARIABLES);
        Matcher matcher = Pattern.compile("\\$\\{([A-Z_][A-Z0-9_]*)").matcher(Repo.read(TOPICS_SCRIPT));
        while (matcher.find()) {
            names.add(matcher.group(1));
        }
        return names;
    }

    static final String TOPICS_SCRIPT = "k8s/base/topics/create-topics.sh";

    /** One line {@code topic NAME PARTITIONS CONFIG...} of create-topics.sh. */
    record Topic(String suffix, int partitions, Map<String, String> config) {
    }

    static Map<String, Topic> topicsScript() {
        Map<String, Topic> topics = new LinkedHashMap<>();
        Pattern line = Pattern.compile("^topic\\s+(\\S+)\\s+(\\d+)(.*)$", Pattern.MULTILINE);
        Pattern pair = Pattern.compile("([a-z.]+)=(\\$\\(\\((\\d+) \\* day\\)\\)|\\S+)");
        Matcher matcher = line.matcher(Repo.read(TOPICS_SCRIPT));
        long day = 86_400_000L;
        while (matcher.find()) {
            Map<String, String> config = new LinkedHashMap<>();
            Matcher pairs = pair.matcher(matcher.group(3));
            while (pairs.find()) {
                config.put(pairs.group(1), pairs.group(3) != null ? Long.toString(Long.parseLong(pairs.group(3)) * day) : pairs.group(2));
            }
            topics.put(matcher.group(1), new Topic(matcher.group(1), Integer.parseInt(matcher.group(2)), config));
        }
        return topics;
    }

    // ---------------------------------------------------------------------------------------------- compose

    static final String COMPOSE = "docker-compose.yml";

    @SuppressWarnings("unchecked")
    static Map<String, Map<String, Object>> composeServices() {
        return (Map<String, Map<String, Object>>) Repo.yaml(COMPOSE).get("services");
    }

    @SuppressWarnings("unchecked")
    static List<Container> composeContainers() {
        List<Container> containers = new ArrayList<>();
        composeServices().forEach((name, service) -> {
            List<String> command = new ArrayList<>();
            for (String key : List.of("entrypoint", "command")) {
                Object value = service.get(key);
                if (value instanceof List<?> list) {
                    list.forEach(part -> command.add(String.valueOf(part)));
                } else if (value != null) {
                    command.add(String.valueOf(value));
                }
            }
            Map<String, String> env = new LinkedHashMap<>();
            Object environment = service.get("environment");
            if (environment instanceof Map<?, ?> map) {
                map.forEach((k, v) -> env.put(String.valueOf(k), v == null ? null : String.valueOf(v)));
            }
            containers.add(new Container("compose service " + name, String.valueOf(service.get("image")), command, env, service));
        });
        return containers;
    }

    // ------------------------------------------------------------------------------------------- kubernetes

    /** A Kubernetes object and the file it is in. */
    record K8sObject(Path file, Map<String, Object> body) {
        String kind() {
            return (String) body.get("kind");
        }

        String name() {
            return (String) metadata().get("name");
        }

        @SuppressWarnings("unchecked")
        Map<String, Object> metadata() {
            return (Map<String, Object>) body.getOrDefault("metadata", Map.of());
        }

        @SuppressWarnings("unchecked")
        Map<String, Object> spec() {
            return (Map<String, Object>) body.getOrDefault("spec", Map.of());
        }

        /** The pod template of a workload (Deployment, StatefulSet, Job), or null. */
        @SuppressWarnings("unchecked")
        Map<String, Object> podTemplate() {
            return List.of("Deployment", "StatefulSet", "Job").contains(kind()) ? (Map<String, Object>) spec().get("template") : null;
        }

        @SuppressWarnings("unchecked")
        Map<String, Object> podSpec() {
            Map<String, Object> template = podTemplate();
            return template == null ? null : (Map<String, Object>) template.get("spec");
        }

        @SuppressWarnings("unchecked")
        Map<String, String> podLabels() {
            Map<String, Object> template = podTemplate();
            if (template == null) {
                return Map.of();
            }
            return (Map<String, String>) ((Map<String, Object>) template.getOrDefault("metadata", Map.of())).getOrDefault("labels", Map.of());
        }

        @Override
        public String toString() {
            return kind() + "/" + name() + " (" + Repo.ROOT.relativize(file) + ")";
        }
    }

    /** Every object of every YAML file under k8s/ that is a Kubernetes object (not a kustomization). */
    static List<K8sObject> k8sObjects() {
        return k8sObjects(Repo.path("k8s"));
    }

    static List<K8sObject> k8sObjects(Path dir) {
        List<K8sObject> objects = new ArrayList<>();
        try (Stream<Path> files = Files.walk(dir)) {
            for (Path file : files.filter(f -> f.toString().endsWith(".yaml") || f.toString().endsWith(".yml")).sorted().toList()) {
                for (Map<String, Object> document : Repo.yamlDocuments(file)) {
                    if (document.containsKey("kind") && !String.valueOf(document.get("kind")).startsWith("Kustomization")
                            && !"Component".equals(document.get("kind"))) {
                        objects.add(new K8sObject(file, document));
                    }
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return objects;
    }

    /** Every container and init container of the workloads among {@code objects}. */
    @SuppressWarnings("unchecked")
    static List<Container> k8sContainers(List<K8sObject> objects) {
        List<Container> containers = new ArrayList<>();
        for (K8sObject object : objects) {
            Map<String, Object> pod = object.podSpec();
            if (pod == null) {
                continue;
            }
            for (String key : List.of("initContainers", "containers")) {
                for (Map<String, Object> container : (List<Map<String, Object>>) pod.getOrDefault(key, List.of())) {
                    List<String> command = new ArrayList<>();
                    for (String part : List.of("command", "args")) {
                        ((List<Object>) container.getOrDefault(part, List.of())).forEach(value -> command.add(String.valueOf(value)));
                    }
                    Map<String, String> env = new LinkedHashMap<>();
                    for (Map<String, Object> variable : (List<Map<String, Object>>) container.getOrDefault("env", List.of())) {
                        Object value = variable.get("value");
                        env.put((String) variable.get("name"), value == null ? null : String.valueOf(value));
                    }
                    containers.add(new Container(object + " container " + container.get("name"), (String) container.get("image"), command,
                            env, container));
                }
            }
        }
        return containers;
    }
}
