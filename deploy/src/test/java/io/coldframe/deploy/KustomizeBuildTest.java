package io.coldframe.deploy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import io.coldframe.common.CommonConfigKeys;
import io.coldframe.common.ConfigLoader;
import io.coldframe.deploy.Deployment.Container;
import io.coldframe.deploy.Deployment.K8sObject;
import io.coldframe.deploy.Deployment.Service;

/**
 * The base and every overlay as {@code kubectl kustomize} builds them: they build, every Secret and ConfigMap key a
 * container reads exists under the generated name, the ScaledObject reads the Kafka the services use, and every
 * coldframe image is one the build produces. Skipped where kubectl is not on the PATH (the raw files are still
 * checked by {@link ManifestConsistencyTest}).
 */
class KustomizeBuildTest {

    @ParameterizedTest
    @ValueSource(strings = {"k8s/base", "k8s/overlays/example", "k8s/overlays/strimzi-example", "k8s/overlays/strimzi-secure-example"})
    @SuppressWarnings("unchecked")
    void buildsAndEveryReferenceResolves(String dir, @TempDir Path out) throws Exception {
        Path built = kustomize(dir, out);
        List<K8sObject> objects = Deployment.k8sObjects(built.getParent());
        Map<String, Map<String, Object>> configMaps = new HashMap<>();
        Map<String, Map<String, Object>> secrets = new HashMap<>();
        for (K8sObject object : objects) {
            if (object.kind().equals("ConfigMap")) {
                configMaps.put(object.name(), (Map<String, Object>) object.body().getOrDefault("data", Map.of()));
            } else if (object.kind().equals("KafkaUser")) {
                // The Strimzi user operator writes each user's Secret, of the user's name, when it creates the user.
                secrets.put(object.name(), Map.of("password", "", "sasl.jaas.config", ""));
            } else if (object.kind().equals("Secret")) {
                Map<String, Object> data = new HashMap<>((Map<String, Object>) object.body().getOrDefault("data", Map.of()));
                data.putAll((Map<String, Object>) object.body().getOrDefault("stringData", Map.of()));
                secrets.put(object.name(), data);
            }
        }
        List<Container> containers = Deployment.k8sContainers(objects);
        assertThat(containers).isNotEmpty();
        Set<String> images = Stream.of(Service.values()).map(Service::image).collect(Collectors.toSet());
        for (Container container : containers) {
            if (container.image().startsWith("ghcr.io/coldframe/")) {
                assertThat(images).as(container.where()).contains(container.image());
            }
            for (Map<String, Object> env : (List<Map<String, Object>>) container.raw().getOrDefault("env", List.of())) {
                if (!(env.get("valueFrom") instanceof Map<?, ?> from)) {
                    continue;
                }
                check(container, "configMapKeyRef", from, configMaps, dir);
                if (!dir.endsWith("base")) {
                    // The base defines no Secret: every overlay must (../overlays/example).
                    check(container, "secretKeyRef", from, secrets, dir);
                }
            }
        }
        List<String> secretNames = new ArrayList<>(secrets.keySet());
        if (!dir.endsWith("base")) {
            assertThat(secretNames).as(dir + " provides the MongoDB credentials").anyMatch(n -> n.startsWith("coldframe-mongodb"));
        }
        Map<String, Object> config = configMaps.entrySet().stream().filter(e -> e.getKey().startsWith("coldframe-config"))
                .findFirst().orElseThrow().getValue();
        for (K8sObject object : objects) {
            if (object.kind().equals("ScaledObject")) {
                Map<String, Object> metadata = (Map<String, Object>) ((List<Map<String, Object>>) object.spec().get("triggers")).get(0).get("metadata");
                assertThat(metadata.get("bootstrapServers")).as(dir + " ScaledObject").isEqualTo(
                        config.get(ConfigLoader.envName(CommonConfigKeys.BOOTSTRAP_SERVERS)));
                assertThat(String.valueOf(metadata.get("topic"))).startsWith(config.get(ConfigLoader.envName(CommonConfigKeys.TOPIC_PREFIX)) + ".");
            }
            if (object.kind().equals("KafkaConnect")) {
                assertThat(object.spec().get("bootstrapServers")).as(dir + " KafkaConnect").isEqualTo(
                        config.get(ConfigLoader.envName(CommonConfigKeys.BOOTSTRAP_SERVERS)));
            }
        }
    }

    @SuppressWarnings("unchecked")
    private static void check(Container container, String refKind, Map<?, ?> from, Map<String, Map<String, Object>> objects, String dir) {
        if (from.get(refKind) instanceof Map<?, ?> ref) {
            String name = (String) ref.get("name");
            if (Boolean.TRUE.equals(ref.get("optional")) && !objects.containsKey(name)) {
                return;
            }
            assertThat(objects).as(dir + ": " + container.where() + " " + refKind + " " + name).containsKey(name);
            assertThat(objects.get(name)).as(dir + ": " + container.where() + " " + refKind + " " + name).containsKey((String) ref.get("key"));
        }
    }

    /** {@code kubectl kustomize dir} into a file under {@code out}; the test is skipped where kubectl is missing. */
    static Path kustomize(String dir, Path out) throws IOException, InterruptedException {
        Process process;
        try {
            process = new ProcessBuilder("kubectl", "kustomize", Repo.path(dir).toString()).redirectErrorStream(false).start();
        } catch (IOException e) {
            assumeTrue(false, "kubectl is not on the PATH: the built overlays are not checked here (" + e.getMessage() + ")");
            throw e;
        }
        byte[] yaml = process.getInputStream().readAllBytes();
        String errors = new String(process.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(process.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(process.exitValue()).as("kubectl kustomize " + dir + ": " + errors).isZero();
        Path file = Files.createDirectories(out.resolve("built")).resolve("all.yaml");
        Files.write(file, yaml);
        return file;
    }

    static Set<String> names(List<K8sObject> objects) {
        return objects.stream().map(K8sObject::toString).collect(Collectors.toCollection(TreeSet::new));
    }
}
