package io.coldframe.archive;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.HexFormat;

import org.bson.BsonDocument;
import org.bson.RawBsonDocument;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import com.mongodb.client.MongoClient;
import com.mongodb.client.MongoClients;
import com.mongodb.client.MongoCollection;
import com.mongodb.client.model.Filters;

import de.bwaldvogel.mongo.MongoServer;
import de.bwaldvogel.mongo.backend.memory.MemoryBackend;
import io.coldframe.common.MemoryDocuments;
import io.coldframe.common.Progress;

class MemoryImporterTest {

    private static MongoServer server;
    private static MongoClient client;
    private MongoCollection<RawBsonDocument> memories;

    @TempDir
    Path dir;

    @BeforeAll
    static void startMongo() {
        server = new MongoServer(new MemoryBackend());
        InetSocketAddress address = server.bind();
        client = MongoClients.create("mongodb://" + address.getHostString() + ":" + address.getPort());
    }

    @AfterAll
    static void stopMongo() {
        client.close();
        server.shutdown();
    }

    @BeforeEach
    void emptyCollection() {
        memories = client.getDatabase("coldframe").getCollection("memories", RawBsonDocument.class);
        memories.drop();
    }

    private ImportReport importOnce(Path input) throws Exception {
        return new MemoryImporter(memories, 2, Progress.SILENT).run(ImportSource.of(input), false);
    }

    @Test
    void aDirectoryOfJsonlAndJsonLandsOnceAndASecondRunChangesNothing() throws Exception {
        Files.writeString(dir.resolve("a.jsonl"), String.join("\n",
                "{\"agent_id\": \"a\", \"_id\": {\"$oid\": \"65f0a1b2c3d4e5f6a7b8c9d0\"}, \"n\": {\"$numberLong\": \"7\"}}",
                "",
                "{\"_id\": \"m-2\", \"created_at\": {\"$date\": \"2025-01-01T00:00:00Z\"}, \"score\": 1.0}",
                "{\"_id\": \"m-3\", \"d\": {\"$numberDecimal\": \"1.10\"}}") + "\n");
        Files.writeString(dir.resolve("b.json"), "[\n  {\"_id\": \"m-4\", \"x\": 1},\n  {\"_id\": \"m-5\", \"x\": 2}\n]\n");
        Files.writeString(dir.resolve("notes.txt"), "not imported");

        ImportReport first = importOnce(dir);
        assertThat(first.read()).isEqualTo(5);
        assertThat(first.inserted()).isEqualTo(5);
        assertThat(first.rejected()).isZero();
        assertThat(first.files()).extracting(ImportReport.FileDigest::file).containsExactly(dir.resolve("a.jsonl").toString(), dir.resolve("b.json").toString());
        assertThat(first.files().get(1).sha256()).isEqualTo(sha256(dir.resolve("b.json")));
        assertThat(first.parity().match()).isTrue();
        assertThat(first.parity().sourceDocuments()).isEqualTo(5);

        // _id moves first (where MongoDB keeps it); every value keeps its type
        RawBsonDocument stored = memories.find(Filters.eq("_id", MemoryDocuments.idValue("{\"$oid\": \"65f0a1b2c3d4e5f6a7b8c9d0\"}"))).first();
        assertThat(stored.keySet()).containsExactly("_id", "agent_id", "n");
        assertThat(stored.get("n").isInt64()).isTrue();
        assertThat(memories.find(Filters.eq("_id", "m-3")).first().getDecimal128("d").getValue().toString()).isEqualTo("1.10");

        ImportReport second = importOnce(dir);
        assertThat(second.changedNothing()).isTrue();
        assertThat(second.unchanged()).isEqualTo(5);
        assertThat(second.parity().sourceChecksum()).isEqualTo(first.parity().sourceChecksum());
        assertThat(second.parity().match()).isTrue();
    }

    @Test
    void aChangedDocumentIsUpdatedAndARepeatedIdKeepsTheLastVersion() throws Exception {
        memories.insertOne(new RawBsonDocument(MemoryDocuments.toBson(BsonDocument.parse("{_id: 'm-1', v: 1}"))));
        Path file = Files.writeString(dir.resolve("m.jsonl"), "{\"_id\": \"m-1\", \"v\": 2}\n{\"_id\": \"m-2\", \"v\": 1}\n{\"_id\": \"m-2\", \"v\": 3}\n");
        ImportReport report = importOnce(file);
        assertThat(report.updated()).isEqualTo(2);
        assertThat(report.inserted()).isEqualTo(1);
        assertThat(memories.find(Filters.eq("_id", "m-2")).first().getInt32("v").getValue()).isEqualTo(3);
        assertThat(report.parity().match()).isTrue();
        assertThat(report.parity().sourceDocuments()).isEqualTo(2);
    }

    @Test
    void badInputIsRejectedNamingFileLineAndFieldAndTheRestLands() throws Exception {
        Path jsonl = Files.writeString(dir.resolve("bad.jsonl"), String.join("\n",
                "{\"_id\": \"ok-1\"}",
                "{\"agent_id\": \"a\"}",
                "{not json",
                "{\"_id\": [1, 2]}",
                "{\"_id\": \"ok-2\"}") + "\n");
        ImportReport report = importOnce(jsonl);
        assertThat(report.read()).isEqualTo(5);
        assertThat(report.inserted()).isEqualTo(2);
        assertThat(report.rejected()).isEqualTo(3);
        assertThat(report.rejections()).extracting(ImportReport.Rejection::line).containsExactly(2L, 3L, 4L);
        assertThat(report.rejections()).extracting(ImportReport.Rejection::field).containsExactly("_id", null, "_id");
        assertThat(report.rejections()).allSatisfy(r -> assertThat(r.file()).isEqualTo(jsonl.toString()));
        assertThat(report.rejections().get(1).reason()).contains("not an Extended JSON document");

        Path json = Files.writeString(dir.resolve("bad.json"), "[\n {\"_id\": \"j-1\"},\n 7,\n {\"_id\": \"j-2\"\n");
        ImportReport truncated = importOnce(json);
        assertThat(truncated.inserted()).isEqualTo(1);
        assertThat(truncated.rejections()).extracting(ImportReport.Rejection::line).containsExactly(3L, 5L);
        assertThat(truncated.rejections().get(1).reason()).contains("the rest of the file was not read");
    }

    @Test
    void aDryRunWritesNothing() throws Exception {
        Path file = Files.writeString(dir.resolve("m.jsonl"), "{\"_id\": \"m-1\"}\n");
        ImportReport report = new MemoryImporter(memories, 10, Progress.SILENT).run(ImportSource.of(file), true);
        assertThat(report.inserted()).isEqualTo(1);
        assertThat(memories.countDocuments()).isZero();
        assertThat(report.parity().missing()).isEqualTo(1);
        assertThat(report.parity().match()).isFalse();
    }

    @Test
    void inputThatIsNotImportableIsAUsageError() {
        assertThatThrownBy(() -> ImportSource.of(dir.resolve("missing.jsonl"))).isInstanceOf(IllegalArgumentException.class).hasMessageContaining("not found");
        assertThatThrownBy(() -> ImportSource.of(dir)).isInstanceOf(IllegalArgumentException.class).hasMessageContaining("no .jsonl or .json files");
    }

    private static String sha256(Path file) throws Exception {
        return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(Files.readAllBytes(file)));
    }
}
