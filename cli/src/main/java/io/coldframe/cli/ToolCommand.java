package io.coldframe.cli;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.NoSuchFileException;
import java.util.concurrent.Callable;

import com.mongodb.MongoException;
import com.mongodb.MongoTimeoutException;

import io.coldframe.common.ops.Secrets;
import io.coldframe.segment.SegmentFormatException;
import io.coldframe.segment.SegmentOptions;

import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/**
 * Base of the file tools ({@code segment ...}, {@code bench ...}): output goes to the command line's out/err
 * writers (so tests can capture it), and every failure ends as one clean line on stderr and an exit code, never a
 * stack trace, whatever handlers the root command has.
 *
 * <p>Exit codes: {@value #OK} success; {@value #FAILED} a segment is damaged or unreadable, verification failed, or
 * writing failed; {@value #USAGE} usage error, missing input file or malformed input; {@value #NOT_FOUND} the
 * memory id is not in the segment(s) ({@code segment get}).
 */
public abstract class ToolCommand implements Callable<Integer> {

    public static final int OK = 0;
    public static final int FAILED = 1;
    public static final int USAGE = 2;
    public static final int NOT_FOUND = 3;

    /** A failure the command has already put into words: printed as one line, then exit with its code. */
    public static final class Failure extends RuntimeException {
        private static final long serialVersionUID = 1L;
        final int exitCode;

        public Failure(int exitCode, String message) {
            super(message, null, false, false);
            this.exitCode = exitCode;
        }
    }

    @Spec
    CommandSpec spec;

    /** The work; returns the exit code. May throw: see {@link #call()} for how failures are reported. */
    protected abstract int run() throws Exception;

    @Override
    public final Integer call() {
        if (System.getProperty(SegmentOptions.FFMPEG_LOG_LEVEL_PROPERTY) == null) {
            // the library's messages already name file and frame; FFmpeg's own lines would only repeat them
            System.setProperty(SegmentOptions.FFMPEG_LOG_LEVEL_PROPERTY, "quiet");
        }
        try {
            return run();
        } catch (Failure f) {
            return fail(f.exitCode, f.getMessage());
        } catch (UncheckedIOException e) {
            return failOn(e.getCause());
        } catch (Exception e) {
            return failOn(e);
        } finally {
            out().flush();
            err().flush();
        }
    }

    private int failOn(Exception e) {
        if (e instanceof SegmentFormatException) {
            return fail(FAILED, e.getMessage()); // the library's message names file, frame, block or memory id
        }
        if (e instanceof NoSuchFileException) {
            return fail(USAGE, "file not found: " + e.getMessage());
        }
        if (e instanceof AccessDeniedException) {
            return fail(USAGE, "permission denied: " + e.getMessage());
        }
        if (e instanceof IllegalArgumentException) {
            return fail(USAGE, e.getMessage());
        }
        if (e instanceof MongoTimeoutException) {
            return fail(FAILED, "MongoDB did not answer in time: " + Secrets.redact(e.getMessage()));
        }
        if (e instanceof MongoException) {
            return fail(FAILED, "MongoDB failed: " + Secrets.redact(e.getMessage()));
        }
        if (e instanceof IOException) {
            return fail(FAILED, "I/O error: " + e.getMessage());
        }
        if (e instanceof InterruptedException) {
            Thread.currentThread().interrupt();
            return fail(FAILED, "interrupted");
        }
        return fail(FAILED, "unexpected error: " + e);
    }

    /** Prints {@code <command>: <message>} as one line on stderr and returns the exit code. */
    protected final int fail(int exitCode, String message) {
        err().println(name() + ": " + oneLine(message));
        return exitCode;
    }

    /** A note on stderr (warnings, summaries of failures), prefixed like errors. */
    protected final void note(String message) {
        err().println(name() + ": " + oneLine(message));
    }

    protected final String name() {
        return spec == null ? "coldframe" : spec.qualifiedName();
    }

    protected final PrintWriter out() {
        return spec.commandLine().getOut();
    }

    protected final PrintWriter err() {
        return spec.commandLine().getErr();
    }

    protected static String oneLine(String message) {
        return message == null ? "(no message)" : message.replace("\r", "").replace('\n', ' ').strip();
    }
}
