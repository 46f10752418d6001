package io.coldframe.cli.hotcache;

import java.time.Duration;
import java.util.HashMap;
import java.util.Map;

import com.fasterxml.jackson.databind.ObjectMapper;

import io.coldframe.cli.DurationArgument;
import io.coldframe.cli.ToolCommand;
import io.coldframe.common.CommonConfigKeys;
import io.coldframe.hotcache.HotCacheCheck;
import io.coldframe.hotcache.HotCacheConfig;
import io.coldframe.hotcache.RedisConfigKeys;

import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import redis.clients.jedis.exceptions.JedisException;

@Command(name = "check", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Compares Redis with the compacted hot tier topic (and warm, with --include-warm) and prints the differences "
                + "as JSON: memories missing from Redis, extra in it, cached in another version or tier, agents over the cap, "
                + "metadata counts that do not match. Memories the per-agent cap trimmed are counted, not reported.",
                "A hot-cache still catching up gets until --wait to converge. Settings not given as options come from the "
                        + "environment as the hot-cache's do (COLDFRAME_REDIS_PASSWORD for the password, never an option)."},
        footer = {"", "Exit codes: 0 Redis equals the topics; 1 they differ, or Kafka or Redis could not be read; 2 usage error.",
                "", "Example:", "  coldframe hot-cache check --bootstrap-servers kafka:9092 --redis-url redis://redis:6379"})
public final class HotCacheCheckCommand extends ToolCommand {

    private static final ObjectMapper JSON = new ObjectMapper();

    @Option(names = "--bootstrap-servers", paramLabel = "HOSTS", description = "Kafka (kafka.bootstrap.servers).")
    String bootstrapServers;

    @Option(names = "--topic-prefix", paramLabel = "PREFIX", description = "Prefix of the coldframe topics (topic.prefix).")
    String topicPrefix;

    @Option(names = "--redis-url", paramLabel = "URL", description = "Redis (redis.url): redis://host:port, rediss:// for TLS.")
    String redisUrl;

    @Option(names = "--redis-cluster", description = "Redis is a Redis Cluster (redis.cluster).")
    Boolean redisCluster;

    @Option(names = "--redis-user", paramLabel = "USER", description = "ACL user (redis.user).")
    String redisUser;

    @Option(names = "--include-warm", description = "The hot-cache also keeps the warm tier (hotcache.include.warm).")
    Boolean includeWarm;

    @Option(names = "--agent-cap", paramLabel = "N", description = "The hot-cache's per-agent cap (hotcache.agent.cap).")
    Integer agentCap;

    @Option(names = "--wait", paramLabel = "DURATION", defaultValue = "30s", converter = DurationArgument.class,
            description = "How long a lagging hot-cache may take to converge. Default: ${DEFAULT-VALUE}.")
    Duration wait;

    @Option(names = "--show", paramLabel = "N", defaultValue = "50", description = "Differences listed in the output. Default: ${DEFAULT-VALUE}.")
    int show;

    @Override
    protected int run() throws Exception {
        Map<String, Object> explicit = new HashMap<>();
        putIfSet(explicit, CommonConfigKeys.BOOTSTRAP_SERVERS, bootstrapServers);
        putIfSet(explicit, CommonConfigKeys.TOPIC_PREFIX, topicPrefix);
        putIfSet(explicit, RedisConfigKeys.URL, redisUrl);
        putIfSet(explicit, RedisConfigKeys.CLUSTER, redisCluster);
        putIfSet(explicit, RedisConfigKeys.USER, redisUser);
        putIfSet(explicit, HotCacheConfig.INCLUDE_WARM, includeWarm);
        putIfSet(explicit, HotCacheConfig.AGENT_CAP, agentCap);
        HotCacheConfig config = HotCacheConfig.load(explicit);
        HotCacheCheck.Report report;
        try (HotCacheCheck check = new HotCacheCheck(config)) {
            report = check.run(wait);
        } catch (JedisException e) {
            return fail(FAILED, "Redis at " + config.getString(RedisConfigKeys.URL) + " does not answer: " + e.getMessage());
        } catch (org.apache.kafka.common.KafkaException e) {
            return fail(FAILED, "Kafka at " + config.getString(CommonConfigKeys.BOOTSTRAP_SERVERS) + " does not answer: " + e.getMessage());
        }
        out().println(JSON.writerWithDefaultPrettyPrinter().writeValueAsString(report.toJson(show)));
        if (!report.consistent()) {
            return fail(FAILED, report.differences().size() + " differences between Redis and the tier topics");
        }
        return OK;
    }

    private static void putIfSet(Map<String, Object> values, String key, Object value) {
        if (value != null) {
            values.put(key, value);
        }
    }
}
