package io.coldframe.hotcache;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.util.Map;

import redis.clients.jedis.RedisClient;
import redis.embedded.RedisServer;

/** A real redis-server (embedded-redis ships 6.2.6) on a free loopback port, without persistence, for tests. */
final class TestRedis implements AutoCloseable {

    private final int port;
    private RedisServer server;

    TestRedis() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            this.port = socket.getLocalPort();
        }
        start();
    }

    void start() throws IOException {
        server = RedisServer.newRedisServer().bind("127.0.0.1").port(port).setting("save \"\"").setting("appendonly no").build();
        server.start();
    }

    /** Stops the server; every key is gone (no persistence). */
    void stop() throws IOException {
        server.stop();
    }

    String url() {
        return "redis://127.0.0.1:" + port;
    }

    RedisClient client() {
        return RedisClient.create("127.0.0.1", port);
    }

    Map<String, String> config() {
        return Map.of(RedisConfigKeys.URL, url());
    }

    @Override
    public void close() {
        try {
            stop();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
