package io.coldframe.local;

import java.io.IOException;
import java.io.UncheckedIOException;

import redis.embedded.RedisServer;

/**
 * A real redis-server (6.2.6, shipped for linux-amd64 in the embedded-redis artifact) as a child process on a free
 * loopback port, for local mode and tests. No persistence: {@link #restart()} comes back empty, as a Redis without
 * AOF does after a crash (the hot-cache then rebuilds it from the compacted tier topics).
 */
public final class EmbeddedRedis implements AutoCloseable {

    private final int port;
    private RedisServer server;

    private EmbeddedRedis(int port) {
        this.port = port;
    }

    public static EmbeddedRedis start() {
        EmbeddedRedis redis = new EmbeddedRedis(Ports.freeLoopbackPort());
        redis.startServer();
        return redis;
    }

    private void startServer() {
        try {
            server = RedisServer.newRedisServer().bind("127.0.0.1").port(port)
                    .setting("save \"\"").setting("appendonly no")
                    .build();
            server.start();
        } catch (IOException e) {
            throw new UncheckedIOException("could not start redis-server on 127.0.0.1:" + port + ": " + e.getMessage(), e);
        }
    }

    /** {@code redis://127.0.0.1:<port>}. */
    public String url() {
        return "redis://127.0.0.1:" + port;
    }

    /** Stops the server (its data is gone) and starts an empty one on the same port. */
    public void restart() {
        stop();
        resume();
    }

    /** Takes the server down (a Redis outage); {@link #resume} starts an empty one on the same port. */
    public void stop() {
        stopServer();
    }

    public void resume() {
        startServer();
    }

    private void stopServer() {
        try {
            server.stop();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public void close() {
        stopServer();
    }
}
