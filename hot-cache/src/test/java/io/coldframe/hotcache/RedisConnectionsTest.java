package io.coldframe.hotcache;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.apache.kafka.common.config.ConfigException;
import org.junit.jupiter.api.Test;

import redis.clients.jedis.HostAndPort;

class RedisConnectionsTest {

    @Test
    void redissMeansTls() {
        RedisConnections.Endpoints endpoints = RedisConnections.parse("rediss://cache.example:6380");

        assertThat(endpoints.tls()).isTrue();
        assertThat(endpoints.nodes()).containsExactly(new HostAndPort("cache.example", 6380));
    }

    @Test
    void aClusterIsAListOfNodes() {
        assertThat(RedisConnections.parse("redis://a:7000, redis://b:7001").nodes())
                .containsExactly(new HostAndPort("a", 7000), new HostAndPort("b", 7001));
    }

    @Test
    void credentialsInTheUrlAreRefusedWithoutEchoingThem() {
        assertThatThrownBy(() -> RedisConnections.parse("redis://user:s3cret@host:6379"))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining(RedisConfigKeys.PASSWORD)
                .hasMessageNotContaining("s3cret");
    }

    @Test
    void otherSchemesAreRefused() {
        assertThatThrownBy(() -> RedisConnections.parse("http://host:6379")).hasMessageContaining("redis:// or rediss://");
    }
}
