package io.coldframe.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The packaged {@code target/coldframe.jar} with its {@code lib/} class path, started as its own process the way
 * {@code bin/coldframe} starts it: what a user runs. For integration tests, after {@code package}.
 */
public final class ShippedCli {

    public static final Path JAR = Path.of("target", "coldframe.jar");

    /** What a run printed (stdout and stderr together) and how it exited. */
    public record Result(int exitCode, String out) {
    }

    private final Path logDir;

    public ShippedCli(Path logDir) {
        this.logDir = logDir;
        assertThat(JAR).as("the packaged command line (run after package)").isRegularFile();
    }

    /** Runs the command line; fails unless it exits 0 within 10 minutes. */
    public Result run(String... args) throws IOException, InterruptedException {
        return run(0, args);
    }

    /** Runs the command line; fails unless it exits with {@code expectedExit} within 10 minutes. */
    public Result run(int expectedExit, String... args) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-jar", JAR.toString()));
        command.addAll(List.of(args));
        Path log = Files.createTempFile(logDir, "run-", ".log");
        Process process = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile()).start();
        if (!process.waitFor(10, TimeUnit.MINUTES)) {
            process.destroyForcibly();
            throw new AssertionError(String.join(" ", args) + " did not finish in 10 minutes:\n" + tail(log));
        }
        String out = Files.readString(log, StandardCharsets.UTF_8);
        assertThat(process.exitValue()).as("exit code of coldframe %s; output:%n%s", String.join(" ", args), tail(log))
                .isEqualTo(expectedExit);
        return new Result(process.exitValue(), out);
    }

    /** A command that stays up (up, demo --serve): started, then stopped by {@link Running#close()} as Ctrl-C would. */
    public Running start(String... args) throws IOException {
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-jar", JAR.toString()));
        command.addAll(List.of(args));
        Path log = Files.createTempFile(logDir, "up-", ".log");
        return new Running(new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile()).start(), log);
    }

    /** A running command line process and what it printed so far. */
    public static final class Running implements AutoCloseable {
        private final Process process;
        private final Path log;

        private Running(Process process, Path log) {
            this.process = process;
            this.log = log;
        }

        /** The first printed line starting with {@code prefix}; fails when the process ends or the time runs out first. */
        public String awaitLine(String prefix, Duration timeout) throws IOException, InterruptedException {
            long deadline = System.nanoTime() + timeout.toNanos();
            while (System.nanoTime() < deadline) {
                for (String line : Files.readAllLines(log, StandardCharsets.UTF_8)) {
                    if (line.startsWith(prefix)) {
                        return line;
                    }
                }
                if (!process.isAlive()) {
                    throw new AssertionError("the command ended (exit " + process.exitValue() + ") before printing '" + prefix + "':\n" + tail(log));
                }
                Thread.sleep(200);
            }
            throw new AssertionError("no line '" + prefix + "' within " + timeout + ":\n" + tail(log));
        }

        public String output() throws IOException {
            return Files.readString(log, StandardCharsets.UTF_8);
        }

        /** Stops it as Ctrl-C does (SIGTERM, so its shutdown hook runs) and waits for it to end: at most a minute. */
        @Override
        public void close() throws InterruptedException, IOException {
            process.destroy();
            if (!process.waitFor(60, TimeUnit.SECONDS)) {
                String threads = threadDump(process.pid());
                process.destroyForcibly();
                throw new AssertionError("the command did not stop within 60 s of SIGTERM; its threads:\n" + threads
                        + "\nits last lines:\n" + tail(log));
            }
        }
    }

    /** The threads of {@code pid} as jcmd prints them, or what jcmd printed within 30 s: a stuck JVM may not answer. */
    private static String threadDump(long pid) throws IOException, InterruptedException {
        Path dump = Files.createTempFile("jcmd-", ".txt");
        try {
            Process jcmd = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "jcmd").toString(), Long.toString(pid), "Thread.print")
                    .redirectErrorStream(true).redirectOutput(dump.toFile()).start();
            if (!jcmd.waitFor(30, TimeUnit.SECONDS)) {
                jcmd.destroyForcibly();
            }
            return Files.readString(dump, StandardCharsets.UTF_8);
        } finally {
            Files.deleteIfExists(dump);
        }
    }

    private static String tail(Path log) throws IOException {
        List<String> lines = Files.readAllLines(log, StandardCharsets.UTF_8);
        return String.join("\n", lines.subList(Math.max(0, lines.size() - 40), lines.size()));
    }
}
