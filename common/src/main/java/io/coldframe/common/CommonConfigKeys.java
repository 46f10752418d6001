package io.coldframe.common;

import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.common.config.ConfigDef.Importance;
import org.apache.kafka.common.config.ConfigDef.Type;
import org.apache.kafka.common.security.auth.SecurityProtocol;

/** Keys every service shares, defined once so that their names, defaults and docs never drift apart. */
public final class CommonConfigKeys {

    public static final String KAFKA_PREFIX = "kafka.";
    public static final String BOOTSTRAP_SERVERS = "kafka.bootstrap.servers";
    public static final String KAFKA_SECURITY_PROTOCOL = "kafka.security.protocol";
    public static final String KAFKA_SASL_MECHANISM = "kafka.sasl.mechanism";
    /** A secret: the JAAS line holds the password. */
    public static final String KAFKA_SASL_JAAS_CONFIG = "kafka.sasl.jaas.config";
    public static final String KAFKA_SSL_TRUSTSTORE_LOCATION = "kafka.ssl.truststore.location";
    public static final String KAFKA_SSL_TRUSTSTORE_PASSWORD = "kafka.ssl.truststore.password";
    public static final String KAFKA_SSL_TRUSTSTORE_TYPE = "kafka.ssl.truststore.type";
    public static final String KAFKA_SSL_KEYSTORE_LOCATION = "kafka.ssl.keystore.location";
    public static final String KAFKA_SSL_KEYSTORE_PASSWORD = "kafka.ssl.keystore.password";
    public static final String KAFKA_SSL_KEYSTORE_TYPE = "kafka.ssl.keystore.type";
    public static final String KAFKA_SSL_ENDPOINT_IDENTIFICATION_ALGORITHM = "kafka.ssl.endpoint.identification.algorithm";
    /** {@code kafka.client.<client key>}: any other Kafka client setting, passed to every client as it is. */
    public static final String KAFKA_CLIENT_PREFIX = "kafka.client.";
    public static final String TOPIC_PREFIX = "topic.prefix";
    public static final String MONGODB_URI = "mongodb.uri";
    public static final String MONGODB_DATABASE = "mongodb.database";
    public static final String MONGODB_COLLECTION = "mongodb.collection";
    /** Port of the ops endpoint (io.coldframe.common.ops.OpsServer): /health/live, /health/ready, /metrics. */
    public static final String OPS_PORT = "ops.port";
    public static final int DEFAULT_OPS_PORT = 8080;
    /** Address the ops endpoint binds to: every interface by default (probes and scrapes come from outside the container). */
    public static final String OPS_BIND_ADDRESS = "ops.bind.address";
    public static final String DEFAULT_OPS_BIND_ADDRESS = "0.0.0.0";

    private CommonConfigKeys() {
    }

    /**
     * The Kafka connection of a service ({@link KafkaConnection#from}): bootstrap servers, topic prefix, security.
     * Any other client setting can be given as {@code kafka.client.<key>} (environment
     * {@code COLDFRAME_KAFKA_CLIENT_<KEY>}); each client's own coldframe settings (isolation level, transactional
     * id, serializers ...) win over it.
     */
    public static ConfigDef withKafka(ConfigDef definition) {
        return definition
                .define(BOOTSTRAP_SERVERS, Type.STRING, "localhost:9092", new ConfigDef.NonEmptyString(), Importance.HIGH,
                        "Kafka bootstrap servers, host:port[,host:port...].")
                .define(TOPIC_PREFIX, Type.STRING, Topics.DEFAULT_PREFIX, new ConfigDef.NonEmptyString(), Importance.MEDIUM,
                        "Prefix of every coldframe topic: <prefix>.changes, <prefix>.tier.hot|warm|cold, "
                                + "<prefix>.segments.committed, <prefix>.purge.results, <prefix>.deadletter.")
                .define(KAFKA_SECURITY_PROTOCOL, Type.STRING, SecurityProtocol.PLAINTEXT.name,
                        ConfigDef.CaseInsensitiveValidString.in(SecurityProtocol.names().toArray(String[]::new)), Importance.HIGH,
                        "How every Kafka client of this service talks to the brokers: PLAINTEXT, SSL, SASL_PLAINTEXT or "
                                + "SASL_SSL (Kafka's security.protocol).")
                .define(KAFKA_SASL_MECHANISM, Type.STRING, null, Importance.HIGH,
                        "SASL mechanism, e.g. SCRAM-SHA-512 or PLAIN (Kafka's sasl.mechanism). Unset: Kafka's default.")
                .define(KAFKA_SASL_JAAS_CONFIG, Type.PASSWORD, null, Importance.HIGH,
                        "The client's JAAS line with its principal and password (Kafka's sasl.jaas.config), e.g. "
                                + "org.apache.kafka.common.security.scram.ScramLoginModule required username=\"coldframe-archiver\" "
                                + "password=\"...\"; A secret: never logged.")
                .define(KAFKA_SSL_TRUSTSTORE_LOCATION, Type.STRING, null, Importance.MEDIUM,
                        "Trust store with the brokers' CA (Kafka's ssl.truststore.location). Unset: the JVM's trust store.")
                .define(KAFKA_SSL_TRUSTSTORE_PASSWORD, Type.PASSWORD, null, Importance.MEDIUM,
                        "Password of the trust store (Kafka's ssl.truststore.password). A secret: never logged.")
                .define(KAFKA_SSL_TRUSTSTORE_TYPE, Type.STRING, null, Importance.LOW,
                        "JKS, PKCS12 or PEM (Kafka's ssl.truststore.type). Unset: Kafka's default.")
                .define(KAFKA_SSL_KEYSTORE_LOCATION, Type.STRING, null, Importance.MEDIUM,
                        "Key store with this client's certificate, for mutual TLS (Kafka's ssl.keystore.location).")
                .define(KAFKA_SSL_KEYSTORE_PASSWORD, Type.PASSWORD, null, Importance.MEDIUM,
                        "Password of the key store (Kafka's ssl.keystore.password). A secret: never logged.")
                .define(KAFKA_SSL_KEYSTORE_TYPE, Type.STRING, null, Importance.LOW,
                        "JKS, PKCS12 or PEM (Kafka's ssl.keystore.type). Unset: Kafka's default.")
                .define(KAFKA_SSL_ENDPOINT_IDENTIFICATION_ALGORITHM, Type.STRING, null, Importance.LOW,
                        "https checks the broker's host name against its certificate (Kafka's default); empty turns the "
                                + "check off (Kafka's ssl.endpoint.identification.algorithm).");
    }

    /** The ops endpoint every deployed service serves; see {@code io.coldframe.common.ops.OpsServer}. */
    public static ConfigDef withOps(ConfigDef definition) {
        return definition
                .define(OPS_PORT, Type.INT, DEFAULT_OPS_PORT, ConfigDef.Range.between(0, 65535), Importance.MEDIUM,
                        "Port of the ops endpoint: GET /health/live, /health/ready (Kafka and, where used, MongoDB answer) "
                                + "and /metrics (Prometheus text). 0 disables it.")
                .define(OPS_BIND_ADDRESS, Type.STRING, DEFAULT_OPS_BIND_ADDRESS, new ConfigDef.NonEmptyString(), Importance.MEDIUM,
                        "Local address (IP literal or host name) the ops endpoint listens on. The default, 0.0.0.0, is every "
                                + "interface, which container probes and Prometheus scrapes need; 127.0.0.1 keeps it on the "
                                + "loopback interface (a host process with a local agent or sidecar), a pod or host IP on one "
                                + "network. The endpoint has no authentication: it serves health and metrics, never data.");
    }

    public static ConfigDef withMongo(ConfigDef definition) {
        return definition
                .define(MONGODB_URI, Type.PASSWORD, "mongodb://localhost:27017", Importance.HIGH,
                        "MongoDB connection string (a replica set in production). Treated as a secret: never logged.")
                .define(MONGODB_DATABASE, Type.STRING, "coldframe", new ConfigDef.NonEmptyString(), Importance.MEDIUM,
                        "Database holding the memory collection.")
                .define(MONGODB_COLLECTION, Type.STRING, "memories", new ConfigDef.NonEmptyString(), Importance.MEDIUM,
                        "The memory collection.");
    }
}
