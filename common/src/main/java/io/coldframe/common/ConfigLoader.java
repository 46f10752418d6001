package io.coldframe.common;

import java.util.HashMap;
import java.util.Locale;
import java.util.Map;

import org.apache.kafka.common.config.ConfigDef;

/**
 * The one configuration idiom of every coldframe service: each service declares a {@link ConfigDef} (every
 * key with a type, default, validator and doc), and values are layered
 * defaults &lt; environment &lt; explicit values (command-line flags, test overrides).
 * The service's {@code AbstractConfig} then validates them at start and names the offending key.
 *
 * <p>A key {@code archiver.batch.max.records} is read from the environment as
 * {@code COLDFRAME_ARCHIVER_BATCH_MAX_RECORDS}; for a service with a Kafka connection, any
 * {@code COLDFRAME_KAFKA_CLIENT_<KEY>} becomes the passthrough key {@code kafka.client.<key>}.
 */
public final class ConfigLoader {

    public static final String ENV_PREFIX = "COLDFRAME_";

    private ConfigLoader() {
    }

    public static String envName(String key) {
        return ENV_PREFIX + key.toUpperCase(Locale.ROOT).replace('.', '_').replace('-', '_');
    }

    /** Resolves the raw values for {@code definition}; validation happens when they are parsed by the config class. */
    public static Map<String, Object> resolve(ConfigDef definition, Map<String, ?> explicit, Map<String, String> environment) {
        Map<String, Object> values = new HashMap<>();
        for (String key : definition.names()) {
            String fromEnv = environment.get(envName(key));
            if (fromEnv != null) {
                values.put(key, fromEnv);
            }
        }
        if (definition.names().contains(CommonConfigKeys.BOOTSTRAP_SERVERS)) {
            clientPassthrough(environment, values);
        }
        explicit.forEach((key, value) -> {
            if (value != null) {
                values.put(key, value);
            }
        });
        return values;
    }

    /**
     * {@code COLDFRAME_KAFKA_CLIENT_MAX_BLOCK_MS} is {@code kafka.client.max.block.ms}: Kafka client keys are
     * lower case and dotted, so underscores become dots.
     */
    private static void clientPassthrough(Map<String, String> environment, Map<String, Object> values) {
        String prefix = envName(CommonConfigKeys.KAFKA_CLIENT_PREFIX);
        environment.forEach((name, value) -> {
            if (name.startsWith(prefix) && name.length() > prefix.length()) {
                String clientKey = name.substring(prefix.length()).toLowerCase(Locale.ROOT).replace('_', '.');
                values.put(CommonConfigKeys.KAFKA_CLIENT_PREFIX + clientKey, value);
            }
        });
    }

    public static Map<String, Object> resolve(ConfigDef definition, Map<String, ?> explicit) {
        return resolve(definition, explicit, System.getenv());
    }
}
