package io.coldframe.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

import org.junit.jupiter.api.Test;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.SafeConstructor;

import io.coldframe.archiver.ArchiverConfig;
import io.coldframe.common.ConfigLoader;

/** {@code k8s/components/redaction}: the archiver's redaction keys, the secret one only from a Secret. */
class RedactionComponentTest {

    @Test
    @SuppressWarnings("unchecked")
    void setsTheArchiversRedactionKeysWithTheSecretFromASecret() {
        Map<String, Object> component = Repo.yaml("k8s/components/redaction/kustomization.yaml");
        List<Map<String, Object>> patches = (List<Map<String, Object>>) component.get("patches");
        assertThat(patches).singleElement().satisfies(p ->
                assertThat((Map<String, Object>) p.get("target")).containsEntry("kind", "Deployment").containsEntry("name", "archiver-worker"));
        List<Map<String, Object>> operations = (List<Map<String, Object>>) new Yaml(new SafeConstructor(new LoaderOptions()))
                .load((String) patches.get(0).get("patch"));
        Map<String, Map<String, Object>> env = operations.stream().filter(op -> op.get("path").toString().endsWith("/env/-"))
                .map(op -> (Map<String, Object>) op.get("value"))
                .collect(Collectors.toMap(value -> (String) value.get("name"), value -> value));
        Set<String> keys = ArchiverConfig.DEFINITION.names().stream().map(ConfigLoader::envName).collect(Collectors.toSet());

        assertThat(env.keySet()).allSatisfy(name -> assertThat(keys).contains(name)).containsExactlyInAnyOrder(
                ConfigLoader.envName(ArchiverConfig.REDACTION_POLICY_FILE), ConfigLoader.envName(ArchiverConfig.REDACTION_KEY));
        Map<String, Object> key = env.get(ConfigLoader.envName(ArchiverConfig.REDACTION_KEY));
        assertThat(key).as("never inline").doesNotContainKey("value");
        assertThat((Map<String, Object>) ((Map<String, Object>) key.get("valueFrom")).get("secretKeyRef")).containsEntry("name", "coldframe-redaction");
        String policyFile = (String) env.get(ConfigLoader.envName(ArchiverConfig.REDACTION_POLICY_FILE)).get("value");
        assertThat(operations).anySatisfy(op -> assertThat(op.get("path").toString()).endsWith("/volumeMounts/-"))
                .anySatisfy(op -> assertThat(op.toString()).contains("coldframe-redaction-policy"));
        assertThat(policyFile).startsWith("/etc/coldframe/redaction/");
    }
}
