package io.coldframe.cli.service;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.ServerSocket;

import org.junit.jupiter.api.Test;

import io.coldframe.cli.restore.RestoreCommand;
import io.coldframe.cli.segment.SegmentCommand;

import picocli.CommandLine;

/** --service when nothing answers, or is given wrongly: one line naming the URL and what to do, at once. */
class ServiceOptionTest {

    @Test
    void anUnreachableServiceFailsFastNamingItsUrl() throws Exception {
        String url = "http://127.0.0.1:" + closedPort();
        assertThat(run(new SegmentCommand(), "get", "--service", url, "65f0a1b2c3d4e5f607182930"))
                .startsWith("1:").contains("the archive service at " + url + " is not reachable", "drop --service");
        assertThat(run(new RestoreCommand(), "--id", "65f0a1b2c3d4e5f607182930", "--service", url, "--token", "t"))
                .startsWith("1:").contains("the archive service at " + url + " is not reachable");
    }

    @Test
    void usageErrorsAreNamed() {
        assertThat(run(new SegmentCommand(), "get", "65f0a1b2c3d4e5f607182930")).startsWith("2:").contains("--service URL MEMORY_ID");
        assertThat(run(new SegmentCommand(), "get", "--service", "ftp://x", "65f0a1b2c3d4e5f607182930")).startsWith("2:").contains("http(s) URL");
        assertThat(run(new RestoreCommand(), "--agent", "a", "--service", "http://127.0.0.1:1", "--no-mark"))
                .startsWith("2:").contains("drop --no-mark");
    }

    private static int closedPort() throws Exception {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }

    static String run(Object command, String... args) {
        StringWriter err = new StringWriter();
        int code = new CommandLine(command).setOut(new PrintWriter(new StringWriter())).setErr(new PrintWriter(err, true)).execute(args);
        return code + ":" + err;
    }
}
