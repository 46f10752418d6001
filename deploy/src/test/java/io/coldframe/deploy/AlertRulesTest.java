package io.coldframe.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

import io.coldframe.deploy.Deployment.K8sObject;

/**
 * The alert rules: compose's rule file and the Kubernetes PrometheusRule hold the same groups, every alert says how
 * bad it is and what happened, and each alert watches the metric its service publishes. Parsing only.
 */
class AlertRulesTest {

    static final String COMPOSE_RULES = "compose/prometheus-alerts.yml";
    static final String K8S_RULES = "k8s/components/prometheus-rules";

    @Test
    @SuppressWarnings("unchecked")
    void composeAndKubernetesAlertTheSame() {
        List<K8sObject> rules = Deployment.k8sObjects(Repo.path(K8S_RULES)).stream().filter(o -> o.kind().equals("PrometheusRule")).toList();
        assertThat(rules).hasSize(1);
        assertThat((List<Object>) rules.get(0).spec().get("groups")).isEqualTo(composeGroups());
        Map<String, Object> example = Repo.yaml("k8s/overlays/example/kustomization.yaml");
        assertThat((List<String>) example.get("components")).contains("../../components/prometheus-rules");
        // compose's Prometheus loads the same file
        assertThat(Repo.read("compose/prometheus.yml")).contains("rule_files: [/etc/prometheus/coldframe-alerts.yml]");
        assertThat(Repo.read("docker-compose.yml")).contains("./compose/prometheus-alerts.yml:/etc/prometheus/coldframe-alerts.yml:ro");
        assertThat(alerts()).extracting(a -> a.get("alert")).contains("ColdframeScrubFailed", "ColdframeSegmentConflict",
                "ColdframeConsumerLagHigh", "ColdframePurgeBacklogOld", "ColdframeDeadLetterRateHigh", "ColdframeConnectorNotRunning");
    }

    @Test
    void everyAlertHasASeverityASummaryAndADescription() {
        for (Map<String, Object> rule : alerts()) {
            assertThat(rule).as(String.valueOf(rule.get("alert"))).containsKeys("alert", "expr", "labels", "annotations");
            assertThat(rule.get("labels")).asInstanceOf(org.assertj.core.api.InstanceOfAssertFactories.MAP)
                    .as(rule.get("alert") + " severity").containsKey("severity");
            assertThat(rule.get("annotations")).asInstanceOf(org.assertj.core.api.InstanceOfAssertFactories.MAP)
                    .as(rule.get("alert") + " annotations").containsKeys("summary", "description");
        }
    }

    @Test
    void aRefusedSegmentAlertsOnTheArchiversConflictCounter() {
        Map<String, Object> conflict = alerts().stream().filter(rule -> "ColdframeSegmentConflict".equals(rule.get("alert"))).findFirst()
                .orElseThrow(() -> new AssertionError("no ColdframeSegmentConflict alert"));
        // The name SegmentConflictMetricIT scrapes from a refusing archiver's /metrics.
        assertThat(String.valueOf(conflict.get("expr"))).contains("increase(coldframe_archiver_segment_conflicts_total[");
        assertThat(conflict.get("labels")).asInstanceOf(org.assertj.core.api.InstanceOfAssertFactories.MAP).containsEntry("severity", "critical");
        assertThat(Repo.read("docs/operations.md")).contains("ColdframeSegmentConflict", "coldframe_archiver_segment_conflicts_total");
    }

    @SuppressWarnings("unchecked")
    static List<Object> composeGroups() {
        return (List<Object>) Repo.yaml(COMPOSE_RULES).get("groups");
    }

    @SuppressWarnings("unchecked")
    static List<Map<String, Object>> alerts() {
        return composeGroups().stream().flatMap(group -> ((List<Map<String, Object>>) ((Map<String, Object>) group).get("rules")).stream())
                .toList();
    }
}
