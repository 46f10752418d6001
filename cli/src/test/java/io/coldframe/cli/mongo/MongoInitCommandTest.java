package io.coldframe.cli.mongo;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;

import org.bson.BsonDocument;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.coldframe.local.EmbeddedMongo;

import picocli.CommandLine;

class MongoInitCommandTest {

    private static EmbeddedMongo mongo;

    @BeforeAll
    static void startMongo() {
        mongo = EmbeddedMongo.start();
    }

    @AfterAll
    static void stopMongo() {
        mongo.close();
    }

    @Test
    void createsThePlanOnceThenReportsEverythingExisted(@TempDir Path dir) throws Exception {
        Path rules = Files.writeString(dir.resolve("rules.yaml"), "version: 1\ntimestamp_field: timestamp\nrules:\n  - name: all\n    tier: HOT\n");
        String[] args = {"--mongo-uri", mongo.connectionString(), "--collection", "init_test", "--rules", rules.toString(),
            "--ttl-field", "expires_at", "--ttl-expire-after", "1h"};

        Run dry = run(append(args, "--dry-run"));
        assertThat(dry.code()).isZero();
        assertThat(BsonDocument.parse(dry.out()).getInt32("missing").getValue()).isEqualTo(4);

        Run first = run(args);
        assertThat(first.code()).as(first.err()).isZero();
        BsonDocument created = BsonDocument.parse(first.out());
        assertThat(created.getString("timestamp_field").getValue()).isEqualTo("timestamp");
        assertThat(created.getInt32("created").getValue()).isEqualTo(4);
        assertThat(created.getArray("indexes").get(0).asDocument().getDocument("keys")).isEqualTo(BsonDocument.parse("{agent_id: 1, timestamp: -1}"));

        Path report = dir.resolve("report.json");
        Run second = run(append(args, "--report", report.toString()));
        assertThat(second.code()).isZero();
        BsonDocument existed = BsonDocument.parse(Files.readString(report));
        assertThat(existed.getInt32("existed").getValue()).isEqualTo(4);
        assertThat(existed.getInt32("created").getValue()).isZero();
    }

    @Test
    void aTtlOnTheTimestampFieldIsAUsageError() {
        Run run = run("--mongo-uri", mongo.connectionString(), "--timestamp-field", "ts", "--ttl-field", "ts");
        assertThat(run.code()).isEqualTo(2);
        assertThat(run.err()).contains("mongodb.ttl.field", "never archived");
    }

    @Test
    void anUnreachableMongoFailsWithinTheTimeoutAndSaysSo() {
        Run run = run("--mongo-uri", "mongodb://127.0.0.1:1", "--mongo-timeout", "1s");
        assertThat(run.code()).isEqualTo(1);
        assertThat(run.err()).contains("init: MongoDB did not answer in time");
    }

    private record Run(int code, String out, String err) {
    }

    private static Run run(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int code = new CommandLine(new MongoInitCommand()).setOut(new PrintWriter(out, true)).setErr(new PrintWriter(err, true)).execute(args);
        return new Run(code, out.toString(), err.toString());
    }

    private static String[] append(String[] args, String... more) {
        String[] all = java.util.Arrays.copyOf(args, args.length + more.length);
        System.arraycopy(more, 0, all, args.length, more.length);
        return all;
    }
}
