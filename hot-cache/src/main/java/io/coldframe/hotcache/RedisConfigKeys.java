package io.coldframe.hotcache;

import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.common.config.ConfigDef.Importance;
import org.apache.kafka.common.config.ConfigDef.Type;

/**
 * The keys naming a Redis deployment, shared by the hot-cache, the archive service's recent reads and
 * {@code coldframe hot-cache check}, so that they are spelled and documented once.
 */
public final class RedisConfigKeys {

    public static final String URL = "redis.url";
    public static final String CLUSTER = "redis.cluster";
    public static final String USER = "redis.user";
    public static final String PASSWORD = "redis.password";
    public static final String TIMEOUT_MS = "redis.timeout.ms";
    public static final String POOL_MAX = "redis.pool.max";

    private RedisConfigKeys() {
    }

    /** Defines the keys; {@code defaultUrl} empty means Redis is optional and off unless configured. */
    public static ConfigDef withRedis(ConfigDef definition, String defaultUrl) {
        return definition
                .define(URL, Type.STRING, defaultUrl, Importance.HIGH,
                        "Redis to keep the hot tier in: redis://host:port, or rediss://host:port for TLS (the JVM's trust "
                                + "store checks the server certificate). With " + CLUSTER + "=true, a comma-separated list of "
                                + "cluster nodes to discover the cluster from. Credentials go in " + USER + " and " + PASSWORD
                                + ", never in the URL." + (defaultUrl.isEmpty() ? " Empty: no Redis." : ""))
                .define(CLUSTER, Type.BOOLEAN, false, Importance.MEDIUM,
                        "True for a Redis Cluster: the client follows slot redirections; every key of one agent shares a slot.")
                .define(USER, Type.STRING, "", Importance.MEDIUM,
                        "ACL user name (Redis 6+). Empty: the default user.")
                .define(PASSWORD, Type.PASSWORD, "", Importance.HIGH,
                        "Password (AUTH). Treated as a secret: never logged. Empty: no authentication.")
                .define(TIMEOUT_MS, Type.INT, 2_000, ConfigDef.Range.between(1, 600_000), Importance.LOW,
                        "Connect and socket timeout of every Redis call, so a Redis that does not answer fails the call instead of hanging it.")
                .define(POOL_MAX, Type.INT, 16, ConfigDef.Range.atLeast(1), Importance.LOW,
                        "Most pooled connections (per node for a cluster).");
    }
}
