package io.coldframe.testkit;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

/**
 * One coldframe service (an archiver worker, the purger) in a JVM of its own, on this JVM's class path, configured
 * through {@code COLDFRAME_*} environment variables exactly as a deployment configures it. {@link #kill()} is a
 * real {@code kill -9} (SIGKILL: no shutdown hook, no finally block, no flush), {@link #stop()} a SIGTERM.
 *
 * <p>Everything the child prints goes to its log file; lines carrying {@link ProgressMarkers#PREFIX} are also
 * parsed into {@link Marker}s, so a caller can wait for a child to reach a step of its protocol.
 */
public final class ServiceProcess implements AutoCloseable {

    /** One progress line of the child: the step, its details (segment id ...), when this JVM read it. */
    public record Marker(String point, List<String> details, Instant seenAt) {
        public String detail(int index) {
            return index < details.size() ? details.get(index) : "";
        }
    }

    private final String name;
    private final List<String> command;
    private final Map<String, String> environment;
    private final Path logFile;
    private final List<Marker> markers = new ArrayList<>();
    private Process process;
    private Thread reader;
    private Integer exitCode;
    private Instant startedAt;

    private ServiceProcess(String name, List<String> command, Map<String, String> environment, Path logFile) {
        this.name = name;
        this.command = command;
        this.environment = environment;
        this.logFile = logFile;
    }

    /** A child running {@code mainClass} with this JVM's java and class path. */
    public static Builder builder(String name, String mainClass) {
        return new Builder(name, mainClass);
    }

    /** Starts the child (again, after it ended: same command, same environment, log appended). */
    public synchronized ServiceProcess start() {
        if (process != null && process.isAlive()) {
            throw new IllegalStateException(name + " is running");
        }
        try {
            Files.createDirectories(logFile.toAbsolutePath().getParent());
            ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true);
            builder.environment().putAll(environment);
            Process started = builder.start();
            process = started;
            startedAt = Instant.now();
            exitCode = null;
            reader = new Thread(() -> pump(started), name + "-output");
            reader.setDaemon(true);
            reader.start();
            return this;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start " + name, e);
        }
    }

    private void pump(Process child) {
        try (BufferedReader lines = new BufferedReader(new InputStreamReader(child.getInputStream(), StandardCharsets.UTF_8));
             Writer log = Files.newBufferedWriter(logFile, StandardCharsets.UTF_8, StandardOpenOption.CREATE, StandardOpenOption.APPEND)) {
            log.write("---- " + name + " pid " + child.pid() + " started " + Instant.now() + System.lineSeparator());
            log.flush();
            String line;
            while ((line = lines.readLine()) != null) {
                log.write(line);
                log.write(System.lineSeparator());
                log.flush();
                int at = line.indexOf(ProgressMarkers.PREFIX);
                if (at >= 0) {
                    String[] words = line.substring(at + ProgressMarkers.PREFIX.length()).trim().split(" ");
                    Marker marker = new Marker(words[0], List.of(words).subList(1, words.length), Instant.now());
                    synchronized (this) {
                        markers.add(marker);
                        notifyAll();
                    }
                }
            }
        } catch (IOException e) {
            // the child is gone: its output ends here
        }
    }

    /** SIGKILL, then waits until the child is gone. Returns its exit code (137 for a kill -9). */
    public int kill() {
        Process current;
        synchronized (this) {
            current = process;
        }
        if (current == null) {
            return -1;
        }
        // Through the handle: Process.destroyForcibly() would also close our end of its output, losing lines still in the pipe.
        current.toHandle().destroyForcibly();
        return awaitExit(current);
    }

    /** SIGTERM (its shutdown hook closes the service cleanly, leaving its consumer group at once); kill -9 after the grace. */
    public int stop(Duration grace) {
        Process current;
        synchronized (this) {
            current = process;
        }
        if (current == null) {
            return -1;
        }
        // Through the handle: Process.destroy() would also close our end of its output, losing what it prints while stopping.
        current.toHandle().destroy();
        try {
            if (!current.waitFor(grace.toMillis(), TimeUnit.MILLISECONDS)) {
                current.toHandle().destroyForcibly();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            current.toHandle().destroyForcibly();
        }
        return awaitExit(current);
    }

    private int awaitExit(Process current) {
        boolean interrupted = false;
        while (true) {
            try {
                int code = current.waitFor();
                Thread pump = reader;
                if (pump != null) {
                    pump.join(5_000);
                }
                synchronized (this) {
                    exitCode = code;
                }
                if (interrupted) {
                    Thread.currentThread().interrupt();
                }
                return code;
            } catch (InterruptedException e) {
                interrupted = true;
            }
        }
    }

    public synchronized boolean isAlive() {
        return process != null && process.isAlive();
    }

    /** The exit code once the child ended (killed, stopped or crashed), else empty. */
    public synchronized Optional<Integer> exitCode() {
        if (exitCode == null && process != null && !process.isAlive()) {
            exitCode = process.exitValue();
        }
        return Optional.ofNullable(exitCode);
    }

    /** When the child was last started. */
    public synchronized Instant startedAt() {
        return startedAt;
    }

    public synchronized long pid() {
        return process == null ? -1 : process.pid();
    }

    public String name() {
        return name;
    }

    public Path logFile() {
        return logFile;
    }

    /** Every marker seen so far, across restarts. */
    public synchronized List<Marker> markers() {
        return List.copyOf(markers);
    }

    public synchronized int markerCount() {
        return markers.size();
    }

    /** The last marker seen, if any. */
    public synchronized Optional<Marker> lastMarker() {
        return markers.isEmpty() ? Optional.empty() : Optional.of(markers.get(markers.size() - 1));
    }

    /**
     * Waits for the first marker at index {@code from} or later that matches; empty when none came within the
     * timeout or the child ended without one.
     */
    public synchronized Optional<Marker> awaitMarker(int from, Predicate<Marker> matching, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        int next = from;
        while (true) {
            for (; next < markers.size(); next++) {
                if (matching.test(markers.get(next))) {
                    return Optional.of(markers.get(next));
                }
            }
            long left = deadline - System.nanoTime();
            if (left <= 0 || process == null || (!process.isAlive() && (reader == null || !reader.isAlive()))) {
                return Optional.empty();
            }
            TimeUnit.NANOSECONDS.timedWait(this, Math.min(left, TimeUnit.MILLISECONDS.toNanos(200)));
        }
    }

    /** Waits for a marker of this step (from index {@code from}); empty on timeout. */
    public Optional<Marker> awaitPoint(int from, String point, Duration timeout) throws InterruptedException {
        return awaitMarker(from, marker -> marker.point().equals(point), timeout);
    }

    @Override
    public void close() {
        if (isAlive()) {
            kill();
        }
    }

    @Override
    public String toString() {
        return name + "(pid " + pid() + ")";
    }

    public static final class Builder {
        private final String name;
        private final String mainClass;
        private final Map<String, String> environment = new LinkedHashMap<>();
        private final List<String> jvmOptions = new ArrayList<>(List.of("-XX:+UseSerialGC", "-Xmx512m", "-Xss1m"));
        private final List<String> arguments = new ArrayList<>();
        private final List<String> prefix = new ArrayList<>();
        private Path logFile;

        private Builder(String name, String mainClass) {
            this.name = name;
            this.mainClass = mainClass;
        }

        /** Sets one configuration key the way a deployment does: {@code COLDFRAME_<KEY>} in the environment. */
        public Builder config(String key, String value) {
            environment.put(io.coldframe.common.ConfigLoader.envName(key), value);
            return this;
        }

        public Builder env(String variable, String value) {
            environment.put(variable, value);
            return this;
        }

        /** Environment variables as they are; they replace earlier ones of the same name. */
        public Builder envs(Map<String, String> variables) {
            environment.putAll(variables);
            return this;
        }

        public Builder jvmOption(String option) {
            jvmOptions.add(option);
            return this;
        }

        public Builder argument(String argument) {
            arguments.add(argument);
            return this;
        }

        /** Runs the JVM under this command, e.g. {@code taskset -c 0} to pin it to one core. */
        public Builder commandPrefix(List<String> command) {
            prefix.addAll(command);
            return this;
        }

        public Builder logFile(Path file) {
            this.logFile = file;
            return this;
        }

        public ServiceProcess build() {
            if (logFile == null) {
                throw new IllegalStateException("a log file is required");
            }
            List<String> command = new ArrayList<>(prefix);
            command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
            command.addAll(jvmOptions);
            command.add("-cp");
            command.add(System.getProperty("java.class.path"));
            command.add(mainClass);
            command.addAll(arguments);
            return new ServiceProcess(name, List.copyOf(command), Map.copyOf(environment), logFile);
        }
    }
}
