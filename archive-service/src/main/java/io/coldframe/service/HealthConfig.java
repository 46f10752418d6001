package io.coldframe.service;

import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.common.config.ConfigDef.Importance;
import org.apache.kafka.common.config.ConfigDef.Type;

/** The archive service's health keys: which consumer groups the pipeline's stages use, and where a scrub reports. */
final class HealthConfig {

    static final String TIERING_GROUP = "service.health.tiering.group";
    static final String ARCHIVER_GROUP = "service.health.archiver.group";
    static final String PURGER_GROUP = "service.health.purger.group";
    static final String SCRUB_METRICS_FILE = "service.health.scrub.metrics.file";
    static final String TIMEOUT_MS = "service.health.timeout.ms";

    private HealthConfig() {
    }

    static ConfigDef define(ConfigDef def) {
        return def
                .define(TIERING_GROUP, Type.STRING, "coldframe-tiering", new ConfigDef.NonEmptyString(), Importance.MEDIUM,
                        "The streams app's streams.application.id: its lag on the changes topic is a health signal.")
                .define(ARCHIVER_GROUP, Type.STRING, "coldframe-archiver", new ConfigDef.NonEmptyString(), Importance.MEDIUM,
                        "The archivers' archiver.group.id: its lag on the cold topic is a health signal.")
                .define(PURGER_GROUP, Type.STRING, "coldframe-purger", new ConfigDef.NonEmptyString(), Importance.MEDIUM,
                        "The purger's purger.group.id: its lag on the committed-segments topic is the purge backlog.")
                .define(SCRUB_METRICS_FILE, Type.STRING, "", Importance.LOW,
                        "The file `coldframe scrub --metrics-file` writes; its coldframe_scrub_segments_failed counts in the "
                                + "health score. Empty: scrub failures are not part of it.")
                .define(TIMEOUT_MS, Type.INT, 3_000, ConfigDef.Range.between(100, 60_000), Importance.LOW,
                        "How long each health check (MongoDB, Kafka, object store) may take before it counts as unreachable.");
    }
}
