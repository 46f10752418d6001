package io.coldframe.common;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Map;
import java.util.Properties;

import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.config.AbstractConfig;
import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.common.config.ConfigException;
import org.apache.kafka.common.config.types.Password;
import org.junit.jupiter.api.Test;

class KafkaConnectionTest {

    private static final ConfigDef DEFINITION = CommonConfigKeys.withKafka(new ConfigDef());
    private static final String JAAS = "org.apache.kafka.common.security.scram.ScramLoginModule required "
            + "username=\"coldframe-archiver\" password=\"s3cr3t-pw\";";

    private static KafkaConnection connection(Map<String, ?> explicit, Map<String, String> environment) {
        return KafkaConnection.from(new AbstractConfig(DEFINITION, ConfigLoader.resolve(DEFINITION, explicit, environment), false));
    }

    @Test
    void theSecurityKeysAndThePassthroughReachTheClientPropertiesFromTheEnvironment() {
        KafkaConnection kafka = connection(Map.of(), Map.of(
                "COLDFRAME_KAFKA_BOOTSTRAP_SERVERS", "kafka-1:9093",
                "COLDFRAME_KAFKA_SECURITY_PROTOCOL", "SASL_SSL",
                "COLDFRAME_KAFKA_SASL_MECHANISM", "SCRAM-SHA-512",
                "COLDFRAME_KAFKA_SASL_JAAS_CONFIG", JAAS,
                "COLDFRAME_KAFKA_SSL_TRUSTSTORE_LOCATION", "/etc/kafka/ca.p12",
                "COLDFRAME_KAFKA_SSL_TRUSTSTORE_PASSWORD", "store-pw",
                "COLDFRAME_KAFKA_SSL_TRUSTSTORE_TYPE", "PKCS12",
                "COLDFRAME_KAFKA_SSL_ENDPOINT_IDENTIFICATION_ALGORITHM", "",
                "COLDFRAME_KAFKA_CLIENT_SASL_LOGIN_RETRY_BACKOFF_MS", "250"));
        Properties props = kafka.properties();
        assertThat(props).containsEntry("bootstrap.servers", "kafka-1:9093")
                .containsEntry("security.protocol", "SASL_SSL")
                .containsEntry("sasl.mechanism", "SCRAM-SHA-512")
                .containsEntry("ssl.truststore.location", "/etc/kafka/ca.p12")
                .containsEntry("ssl.truststore.type", "PKCS12")
                .containsEntry("ssl.endpoint.identification.algorithm", "")
                .containsEntry("sasl.login.retry.backoff.ms", "250");
        assertThat(((Password) props.get("sasl.jaas.config")).value()).isEqualTo(JAAS);
        assertThat(((Password) props.get("ssl.truststore.password")).value()).isEqualTo("store-pw");
        // every kind of client accepts them
        assertThat(new ProducerConfig(withSerializers(props)).getPassword("sasl.jaas.config").value()).isEqualTo(JAAS);
        assertThat(new ConsumerConfig(withDeserializers(props)).getString("security.protocol")).isEqualTo("SASL_SSL");
        assertThat(new AdminClientConfig(kafka.map()).getString("ssl.endpoint.identification.algorithm")).isEmpty();
    }

    @Test
    void unsetKeysLeaveKafkasDefaults() {
        Properties props = connection(Map.of(CommonConfigKeys.BOOTSTRAP_SERVERS, "localhost:9092"), Map.of()).properties();
        assertThat(props).containsOnlyKeys("bootstrap.servers", "security.protocol").containsEntry("security.protocol", "PLAINTEXT");
    }

    @Test
    void secretsNeverShowInPrintedPropertiesOrTheConnection() {
        KafkaConnection kafka = connection(Map.of(CommonConfigKeys.KAFKA_SASL_JAAS_CONFIG, JAAS,
                CommonConfigKeys.KAFKA_SSL_KEYSTORE_PASSWORD, "key-pw",
                CommonConfigKeys.KAFKA_CLIENT_PREFIX + "ssl.key.password", "private-key-pw"), Map.of());
        assertThat(kafka.properties().toString() + kafka.map() + kafka)
                .doesNotContain("s3cr3t-pw", "key-pw", "private-key-pw").contains("[hidden]");
    }

    @Test
    void aDedicatedKeyGivenThroughThePassthroughIsAnErrorNamingTheKeyToUse() {
        assertThatThrownBy(() -> connection(Map.of(CommonConfigKeys.KAFKA_CLIENT_PREFIX + "sasl.jaas.config", JAAS), Map.of()))
                .isInstanceOf(ConfigException.class).hasMessageContaining("kafka.sasl.jaas.config").hasMessageNotContaining("s3cr3t-pw");
    }

    @Test
    void anUnknownSecurityProtocolIsRejectedAtStart() {
        assertThatThrownBy(() -> connection(Map.of(CommonConfigKeys.KAFKA_SECURITY_PROTOCOL, "SASL_TLS"), Map.of()))
                .isInstanceOf(ConfigException.class).hasMessageContaining(CommonConfigKeys.KAFKA_SECURITY_PROTOCOL);
    }

    private static Properties withSerializers(Properties props) {
        Properties copy = new Properties();
        copy.putAll(props);
        copy.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, "org.apache.kafka.common.serialization.ByteArraySerializer");
        copy.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, "org.apache.kafka.common.serialization.ByteArraySerializer");
        return copy;
    }

    private static Properties withDeserializers(Properties props) {
        Properties copy = new Properties();
        copy.putAll(props);
        copy.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, "org.apache.kafka.common.serialization.ByteArrayDeserializer");
        copy.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, "org.apache.kafka.common.serialization.ByteArrayDeserializer");
        return copy;
    }
}
