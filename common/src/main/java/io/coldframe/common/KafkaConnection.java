package io.coldframe.common;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.regex.Pattern;

import org.apache.kafka.common.config.AbstractConfig;
import org.apache.kafka.common.config.ConfigException;
import org.apache.kafka.common.config.types.Password;

/**
 * How every coldframe Kafka client (producer, consumer, admin, Streams) reaches the cluster: the bootstrap servers
 * plus the security settings ({@code kafka.security.protocol}, {@code kafka.sasl.*}, {@code kafka.ssl.*}) and the
 * {@code kafka.client.*} passthrough of {@link CommonConfigKeys#withKafka}. Each client starts from
 * {@link #properties()} and adds its own settings on top, so those always win over the passthrough.
 *
 * <p>Secrets stay {@link Password}s inside the properties (Kafka's clients accept them as such), so printing the
 * properties or this object shows {@code [hidden]}, never a password or JAAS line.
 */
public final class KafkaConnection {

    /** Client keys that have a coldframe key of their own: {@code kafka.<client key>}. */
    public static final List<String> SECURITY_KEYS = List.of("security.protocol", "sasl.mechanism", "sasl.jaas.config",
            "ssl.truststore.location", "ssl.truststore.password", "ssl.truststore.type",
            "ssl.keystore.location", "ssl.keystore.password", "ssl.keystore.type", "ssl.endpoint.identification.algorithm");
    /** Passthrough keys whose values are kept hidden like the dedicated secret keys. */
    private static final Pattern SECRET_KEY = Pattern.compile(".*(password|jaas\\.config|secret).*");

    private final String bootstrapServers;
    private final Map<String, Object> settings;

    private KafkaConnection(String bootstrapServers, Map<String, Object> settings) {
        this.bootstrapServers = bootstrapServers;
        this.settings = Map.copyOf(settings);
    }

    /** The connection a service's configuration (built on {@link CommonConfigKeys#withKafka}) describes. */
    public static KafkaConnection from(AbstractConfig config) {
        Map<String, Object> settings = new LinkedHashMap<>();
        config.originalsWithPrefix(CommonConfigKeys.KAFKA_CLIENT_PREFIX).forEach((key, value) -> {
            if (key.equals("bootstrap.servers") || SECURITY_KEYS.contains(key)) {
                throw new ConfigException(CommonConfigKeys.KAFKA_CLIENT_PREFIX + key, "(hidden)",
                        "set " + CommonConfigKeys.KAFKA_PREFIX + key + " instead: it is a documented key of its own");
            }
            settings.put(key, SECRET_KEY.matcher(key).matches() ? asPassword(value) : value);
        });
        for (String key : SECURITY_KEYS) {
            Object value = config.values().get(CommonConfigKeys.KAFKA_PREFIX + key);
            if (value != null) {
                settings.put(key, value);
            }
        }
        return new KafkaConnection(config.getString(CommonConfigKeys.BOOTSTRAP_SERVERS), settings);
    }

    /** A cluster without authentication or TLS, such as the embedded broker of local mode. */
    public static KafkaConnection plaintext(String bootstrapServers) {
        return new KafkaConnection(bootstrapServers, Map.of());
    }

    /** The same cluster with these client settings added (the embedded broker's SASL credentials, say). */
    public KafkaConnection with(Map<String, ?> clientSettings) {
        Map<String, Object> merged = new LinkedHashMap<>(settings);
        clientSettings.forEach((key, value) -> merged.put(key, SECRET_KEY.matcher(key).matches() ? asPassword(value) : value));
        return new KafkaConnection(bootstrapServers, merged);
    }

    public String bootstrapServers() {
        return bootstrapServers;
    }

    /** A fresh set of client properties: bootstrap servers and security settings; add the client's own to it. */
    public Properties properties() {
        Properties props = new Properties();
        props.putAll(settings);
        props.put("bootstrap.servers", bootstrapServers);
        return props;
    }

    /** The same as {@link #properties()}, as a map (for {@code Admin.create}). */
    public Map<String, Object> map() {
        Map<String, Object> map = new LinkedHashMap<>(settings);
        map.put("bootstrap.servers", bootstrapServers);
        return map;
    }

    private static Password asPassword(Object value) {
        return value instanceof Password password ? password : new Password(String.valueOf(value));
    }

    /** Bootstrap servers and security protocol: safe to log. */
    @Override
    public String toString() {
        return bootstrapServers + " (" + settings.getOrDefault("security.protocol", "PLAINTEXT") + ")";
    }
}
