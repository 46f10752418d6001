package io.coldframe.cli.imports;

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

class ImportCommandTest {

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
    void writesTheParityReportAndSaysWhenNothingChanged(@TempDir Path dir) throws Exception {
        Path file = Files.writeString(dir.resolve("m.jsonl"), "{\"_id\": \"m-1\", \"v\": 1}\n{\"_id\": \"m-2\", \"v\": 2}\n");
        Path report = dir.resolve("parity.json");
        String[] args = {file.toString(), "--mongo-uri", mongo.connectionString(), "--collection", "import_test", "--report", report.toString()};

        Run first = run(args);
        assertThat(first.code()).as(first.err()).isZero();
        assertThat(first.out()).contains("read 2, inserted 2, updated 0, unchanged 0, rejected 0", "checksums match");
        BsonDocument json = BsonDocument.parse(Files.readString(report));
        assertThat(json.getString("collection").getValue()).isEqualTo("coldframe.import_test");
        assertThat(json.getDocument("parity").getBoolean("match").getValue()).isTrue();
        assertThat(json.getArray("files").get(0).asDocument().getString("sha256").getValue()).hasSize(64);

        Run second = run(args);
        assertThat(second.code()).isZero();
        assertThat(second.out()).contains("unchanged 2", "nothing changed");
        assertThat(BsonDocument.parse(Files.readString(report)).getBoolean("changed_nothing").getValue()).isTrue();
    }

    @Test
    void rejectedDocumentsAreNamedAndMakeItExitOne(@TempDir Path dir) throws Exception {
        Path file = Files.writeString(dir.resolve("bad.jsonl"), "{\"_id\": \"ok\"}\n{\"agent_id\": \"a\"}\n");
        Run run = run(file.toString(), "--mongo-uri", mongo.connectionString(), "--collection", "import_bad");
        assertThat(run.code()).isEqualTo(1);
        assertThat(run.err()).contains("rejected " + file + ":2 field _id: no _id");
        assertThat(run.out()).contains("inserted 1", "rejected 1");
    }

    @Test
    void aMissingInputIsAUsageError(@TempDir Path dir) {
        Run run = run(dir.resolve("none.jsonl").toString(), "--mongo-uri", mongo.connectionString());
        assertThat(run.code()).isEqualTo(2);
        assertThat(run.err()).contains("input not found");
    }

    private record Run(int code, String out, String err) {
    }

    private static Run run(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int code = new CommandLine(new ImportCommand()).setOut(new PrintWriter(out, true)).setErr(new PrintWriter(err, true)).execute(args);
        return new Run(code, out.toString(), err.toString());
    }
}
