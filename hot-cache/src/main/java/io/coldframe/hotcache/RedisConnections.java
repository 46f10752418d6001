package io.coldframe.hotcache;

import java.net.URI;
import java.net.URISyntaxException;
import java.time.Duration;
import java.util.LinkedHashSet;
import java.util.Set;

import org.apache.kafka.common.config.AbstractConfig;
import org.apache.kafka.common.config.ConfigException;

import redis.clients.jedis.ConnectionPoolConfig;
import redis.clients.jedis.DefaultJedisClientConfig;
import redis.clients.jedis.HostAndPort;
import redis.clients.jedis.JedisClientConfig;
import redis.clients.jedis.RedisClient;
import redis.clients.jedis.RedisClusterClient;
import redis.clients.jedis.UnifiedJedis;

/** Opens the pooled Redis client the {@link RedisConfigKeys} describe: one server or a Redis Cluster, AUTH, TLS. */
public final class RedisConnections {

    private static final int CLUSTER_MAX_ATTEMPTS = 5;

    private RedisConnections() {
    }

    /** What {@link RedisConfigKeys#URL} names: the nodes and whether they speak TLS. */
    record Endpoints(Set<HostAndPort> nodes, boolean tls) {
    }

    public static boolean configured(AbstractConfig config) {
        return !config.getString(RedisConfigKeys.URL).isBlank();
    }

    public static UnifiedJedis open(AbstractConfig config, String clientName) {
        Endpoints endpoints = parse(config.getString(RedisConfigKeys.URL));
        int timeout = config.getInt(RedisConfigKeys.TIMEOUT_MS);
        String user = config.getString(RedisConfigKeys.USER);
        String password = config.getPassword(RedisConfigKeys.PASSWORD).value();
        JedisClientConfig client = DefaultJedisClientConfig.builder()
                .user(user.isEmpty() ? null : user)
                .password(password.isEmpty() ? null : password)
                .ssl(endpoints.tls())
                .connectionTimeoutMillis(timeout)
                .socketTimeoutMillis(timeout)
                .clientName(clientName)
                .build();
        ConnectionPoolConfig pool = new ConnectionPoolConfig();
        pool.setMaxTotal(config.getInt(RedisConfigKeys.POOL_MAX));
        // a drained pool fails the call after the timeout instead of waiting for ever
        pool.setMaxWait(Duration.ofMillis(timeout));
        if (config.getBoolean(RedisConfigKeys.CLUSTER)) {
            return RedisClusterClient.builder().nodes(endpoints.nodes()).clientConfig(client).poolConfig(pool)
                    .maxAttempts(CLUSTER_MAX_ATTEMPTS).build();
        }
        if (endpoints.nodes().size() != 1) {
            throw new ConfigException(RedisConfigKeys.URL, "(" + endpoints.nodes().size() + " nodes)",
                    "several nodes are only allowed with " + RedisConfigKeys.CLUSTER + "=true");
        }
        return RedisClient.builder().hostAndPort(endpoints.nodes().iterator().next()).clientConfig(client).poolConfig(pool).build();
    }

    /** Parses {@code redis://host:port[,redis://host:port...]}; {@code rediss://} for TLS. Never echoes credentials. */
    static Endpoints parse(String urls) {
        Set<HostAndPort> nodes = new LinkedHashSet<>();
        Boolean tls = null;
        for (String raw : urls.split(",")) {
            String url = raw.strip();
            URI uri;
            try {
                uri = new URI(url);
            } catch (URISyntaxException e) {
                throw new ConfigException(RedisConfigKeys.URL, "(not shown)", "not a redis:// or rediss:// URL: " + e.getReason());
            }
            boolean secure = "rediss".equals(uri.getScheme());
            if (!secure && !"redis".equals(uri.getScheme())) {
                throw new ConfigException(RedisConfigKeys.URL, uri.getHost(), "scheme must be redis:// or rediss:// (TLS)");
            }
            if (uri.getUserInfo() != null) {
                throw new ConfigException(RedisConfigKeys.URL, "(not shown: it holds credentials)",
                        "put the user in " + RedisConfigKeys.USER + " and the password in " + RedisConfigKeys.PASSWORD + ", not in the URL");
            }
            if (uri.getHost() == null) {
                throw new ConfigException(RedisConfigKeys.URL, url, "no host");
            }
            if (tls != null && tls != secure) {
                throw new ConfigException(RedisConfigKeys.URL, url, "mixes redis:// and rediss:// nodes");
            }
            tls = secure;
            nodes.add(new HostAndPort(uri.getHost(), uri.getPort() < 0 ? 6379 : uri.getPort()));
        }
        return new Endpoints(nodes, Boolean.TRUE.equals(tls));
    }
}
