package io.coldframe.local;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Comparator;
import java.util.function.IntSupplier;
import java.util.stream.IntStream;
import java.util.stream.Stream;

/** Loopback ports and temporary directories for the embedded services. */
final class Ports {

    private Ports() {
    }

    /**
     * A loopback port free right now and not one of {@code taken}: the OS hands a just-closed ephemeral port out again
     * now and then, so two ports asked for in a row can be the same (a broker and its controller on one port). Another
     * process may still bind it before we do; rare on a dev box.
     */
    static int freeLoopbackPort(int... taken) {
        return freeLoopbackPort(Ports::ephemeralLoopbackPort, taken);
    }

    static int freeLoopbackPort(IntSupplier ephemeralPorts, int... taken) {
        for (int attempt = 0; attempt < 100; attempt++) {
            int port = ephemeralPorts.getAsInt();
            if (IntStream.of(taken).noneMatch(t -> t == port)) {
                return port;
            }
        }
        throw new IllegalStateException("No free loopback port outside " + Arrays.toString(taken) + " after 100 tries");
    }

    private static int ephemeralLoopbackPort() {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            socket.setReuseAddress(true);
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException("No free loopback port", e);
        }
    }

    static Path tempDir(String prefix) throws IOException {
        return Files.createTempDirectory(prefix);
    }

    static void deleteRecursively(Path dir) {
        if (dir == null || !Files.exists(dir)) {
            return;
        }
        try (Stream<Path> paths = Files.walk(dir)) {
            paths.sorted(Comparator.reverseOrder()).forEach(p -> {
                try {
                    Files.deleteIfExists(p);
                } catch (IOException ignored) {
                    // best effort: a file still held open (Windows) stays behind in the temp dir
                }
            });
        } catch (IOException | UncheckedIOException ignored) {
            // best effort
        }
    }
}
