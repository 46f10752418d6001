package io.coldframe.cli.up;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;

import org.junit.jupiter.api.Test;

class ShutdownSequenceTest {

    private final ByteArrayOutputStream printed = new ByteArrayOutputStream();
    private final PrintStream out = new PrintStream(printed, true, StandardCharsets.UTF_8);
    private final AtomicInteger haltedWith = new AtomicInteger(-1);

    @Test
    void closesEveryStepInOrderAndGoesOnAfterOneFails() {
        List<String> closed = new ArrayList<>();
        new ShutdownSequence(out, Duration.ofSeconds(30), haltedWith::set)
                .then("first", () -> closed.add("first"))
                .then("broken", () -> {
                    throw new IllegalStateException("cannot close");
                })
                .then("last", () -> closed.add("last"))
                .run();

        assertThat(closed).containsExactly("first", "last");
        assertThat(output()).contains("stopped first in ", "stopping broken failed after ", "cannot close", "stopped last in ");
        assertThat(haltedWith).hasValue(-1);
    }

    @Test
    void haltsPastTheDeadlineNamingTheStuckStepAndPrintingItsStack() throws Exception {
        CountDownLatch never = new CountDownLatch(1);
        Thread shutdown = new Thread(new ShutdownSequence(out, Duration.ofMillis(200), haltedWith::set)
                .then("the stuck service", never::await)::run, "shutdown-under-test");
        shutdown.start();
        try {
            await().atMost(Duration.ofSeconds(10)).until(() -> haltedWith.get() == ShutdownSequence.HALTED);
            assertThat(output()).contains("still stopping the stuck service after 0.2 s; halting", "\"shutdown-under-test\" WAITING",
                    "java.util.concurrent.CountDownLatch.await(");
        } finally {
            never.countDown();
            shutdown.join();
        }
    }

    @Test
    void doesNotHaltWhenEveryStepEndsInTime() throws Exception {
        new ShutdownSequence(out, Duration.ofMillis(300), haltedWith::set).then("quick", () -> { }).run();
        Thread.sleep(600);
        assertThat(haltedWith).hasValue(-1);
    }

    private String output() {
        return printed.toString(StandardCharsets.UTF_8);
    }
}
