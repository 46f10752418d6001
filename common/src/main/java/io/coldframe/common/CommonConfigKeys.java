package io.coldframe.common;

import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.common.config.ConfigDef.Importance;
import org.apache.kafka.common.config.ConfigDef.Type;

/** Keys every service shares, defined once so that their names, defaults and docs never drift apart. */
public final class CommonConfigKeys {

    public static final String BOOTSTRAP_SERVERS = "kafka.bootstrap.servers";
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

    public static ConfigDef withKafka(ConfigDef definition) {
        return definition
                .define(BOOTSTRAP_SERVERS, Type.STRING, "localhost:9092", new ConfigDef.NonEmptyString(), Importance.HIGH,
                        "Kafka bootstrap servers, host:port[,host:port...].")
                .define(TOPIC_PREFIX, Type.STRING, Topics.DEFAULT_PREFIX, new ConfigDef.NonEmptyString(), Importance.MEDIUM,
                        "Prefix of every coldframe topic: <prefix>.changes, <prefix>.tier.hot|warm|cold, "
                                + "<prefix>.segments.committed, <prefix>.purge.results, <prefix>.deadletter.");
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
