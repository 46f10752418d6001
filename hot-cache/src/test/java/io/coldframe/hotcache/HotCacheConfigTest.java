package io.coldframe.hotcache;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Map;

import org.apache.kafka.common.config.ConfigException;
import org.junit.jupiter.api.Test;

import io.coldframe.common.ConfigLoader;

class HotCacheConfigTest {

    @Test
    void theHotTopicAloneByDefaultAndWarmOnRequest() {
        assertThat(HotCacheConfig.load(Map.of()).tierTopics()).containsExactly("coldframe.tier.hot");
        assertThat(HotCacheConfig.load(Map.of(HotCacheConfig.INCLUDE_WARM, "true")).tierTopics())
                .containsExactly("coldframe.tier.hot", "coldframe.tier.warm");
    }

    @Test
    void anUnknownCompressionIsRefusedNamingTheKey() {
        assertThatThrownBy(() -> HotCacheConfig.load(Map.of(HotCacheConfig.COMPRESSION, "lz4")))
                .isInstanceOf(ConfigException.class).hasMessageContaining(HotCacheConfig.COMPRESSION);
    }

    @Test
    void thePasswordIsASecretAndComesFromTheEnvironment() {
        HotCacheConfig config = new HotCacheConfig(ConfigLoader.resolve(HotCacheConfig.DEFINITION, Map.of(),
                Map.of("COLDFRAME_REDIS_PASSWORD", "s3cret")));

        assertThat(config.getPassword(RedisConfigKeys.PASSWORD).value()).isEqualTo("s3cret");
        assertThat(config.values().get(RedisConfigKeys.PASSWORD).toString()).doesNotContain("s3cret");
    }
}
