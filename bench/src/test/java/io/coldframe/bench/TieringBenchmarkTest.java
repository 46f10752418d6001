package io.coldframe.bench;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;

import org.bson.BsonDocument;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TieringBenchmarkTest {

    @Test
    void smallRunVerifiesItselfAndWritesTheJsonFields(@TempDir Path dir) throws Exception {
        TieringBenchmark.Result result = TieringBenchmark.run(3_000, 0.01);
        assertThat(result.verified()).isTrue();
        assertThat(result.due()).isEqualTo(30);
        assertThat(result.transitionsPerRound()).isEqualTo(30);
        assertThat(result.dueIndexEntries()).isEqualTo(3_000);
        assertThat(result.ingestRecordsPerS()).isPositive();

        Path out = dir.resolve("nested/tiering.json");
        Results.write(out, result.toMap());
        BsonDocument json = BsonDocument.parse(Files.readString(out));
        assertThat(json.getNumber("records").longValue()).isEqualTo(3_000);
        assertThat(json.getNumber("due").longValue()).isEqualTo(30);
        for (String field : new String[] {"ingest_records_per_s", "punctuation_ms", "punctuation_records_per_s"}) {
            assertThat(json.getNumber(field).doubleValue()).as(field).isPositive();
        }
        assertThat(json.getArray("punctuation_ms_rounds")).hasSize(9);
    }
}
