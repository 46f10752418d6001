package io.coldframe.local;

import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.net.InetSocketAddress;

import de.bwaldvogel.mongo.MongoBackend;
import de.bwaldvogel.mongo.MongoServer;
import de.bwaldvogel.mongo.backend.memory.MemoryBackend;

/**
 * The in-JVM MongoDB stand-in: mongo-java-server with the memory backend and its oplog enabled (so change streams
 * work), on a free loopback port. It is a stand-in, not MongoDB: its change events lack {@code ns}, an update's
 * {@code documentKey} is wrong, and more (see the platform notes). Code that must also run against real MongoDB
 * takes identity from {@code fullDocument._id}.
 *
 * <p>Its backend ({@link StandInBackend}) keeps the oplog like a capped one and selects by {@code _id} before any
 * other predicate, so its cost does not grow with every change and every document as mongo-java-server's own does.
 *
 * <p>{@link #stop()} and {@link #restart()} take the server off the network and back on the same port, keeping its
 * data (for fault tests: a MongoDB outage); {@link #close()} ends it and drops the data.
 */
public final class EmbeddedMongo implements AutoCloseable {

    private final MemoryBackend backend;
    /** The backend as the server sees it: shutting a server down closes (clears) its backend, this view ignores that. */
    private final MongoBackend keptOpen;
    private final InetSocketAddress address;
    private MongoServer server;

    private EmbeddedMongo() {
        backend = new StandInBackend(StandInOplog.DEFAULT_RETAINED);
        keptOpen = keptOpen(backend);
        server = new MongoServer(keptOpen);
        server.enableOplog();
        server.bind(new InetSocketAddress("127.0.0.1", 0));
        address = server.getLocalAddress();
    }

    private static MongoBackend keptOpen(MongoBackend backend) {
        return (MongoBackend) Proxy.newProxyInstance(MongoBackend.class.getClassLoader(), new Class<?>[] {MongoBackend.class},
                (proxy, method, args) -> {
                    if (method.getName().equals("close") && method.getParameterCount() == 0) {
                        return null;
                    }
                    try {
                        return method.invoke(backend, args);
                    } catch (InvocationTargetException e) {
                        throw e.getCause();
                    }
                });
    }

    public static EmbeddedMongo start() {
        return new EmbeddedMongo();
    }

    /** {@code mongodb://127.0.0.1:<port>} (no replica set: the stand-in has none). */
    public String connectionString() {
        return "mongodb://" + address.getHostString() + ":" + address.getPort();
    }

    public int port() {
        return address.getPort();
    }

    /** Always true: this is mongo-java-server, whose change streams differ from MongoDB's. */
    public boolean isStandIn() {
        return true;
    }

    /** Closes every client connection and stops listening; the data stays for {@link #restart()}. */
    public synchronized void stop() {
        if (server != null) {
            server.shutdownNow();
            server = null;
        }
    }

    /** Listens again on the same port with the same data (and oplog); a no-op while running. */
    public synchronized void restart() {
        if (server == null) {
            MongoServer restarted = new MongoServer(keptOpen);
            restarted.bind(address);
            server = restarted;
        }
    }

    public synchronized boolean isRunning() {
        return server != null;
    }

    @Override
    public synchronized void close() {
        stop();
        backend.close();
    }
}
