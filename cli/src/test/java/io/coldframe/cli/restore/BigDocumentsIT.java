package io.coldframe.cli.restore;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;
import static org.awaitility.Awaitility.await;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.bson.BsonArray;
import org.bson.BsonDateTime;
import org.bson.BsonDocument;
import org.bson.BsonDouble;
import org.bson.BsonString;
import org.bson.RawBsonDocument;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import com.mongodb.client.MongoClient;
import com.mongodb.client.MongoClients;
import com.mongodb.client.MongoCollection;
import com.mongodb.client.model.Filters;

import io.coldframe.archive.InvariantAudit;
import io.coldframe.common.DeadLetters;
import io.coldframe.common.MemoryDocuments;
import io.coldframe.common.MemoryFields;
import io.coldframe.local.EmbeddedPipeline;
import io.coldframe.local.LocalStack;

import picocli.CommandLine;

/**
 * Issue 11, big documents, end to end with every limit at its default: memories with 3072-float embeddings, one ~15 MB
 * document and ordinary ones go through the real connector, the tier topics, the archiver, the purger and back through
 * {@code coldframe restore}, byte for byte. A hot document whose tier record would be over the tiering limit (its
 * change event is 15 MB of BSON doubles, about 40 MB as the canonical Extended JSON a hot record carries) becomes a
 * dead letter naming it, stays in MongoDB, and the pipeline keeps running. (Cold records carry BSON, so the big cold
 * documents here never come near the limit.)
 */
class BigDocumentsIT {

    private static final int EMBEDDING_DIMENSIONS = 3072;
    private static final String EMBEDDING_AGENT = "agent-embeddings";
    private static final String BIG_AGENT = "agent-big";
    private static final String PLAIN_AGENT = "agent-plain";
    private static final String OVERSIZE_ID = "oversize-doubles";

    @TempDir
    Path work;

    @Test
    void bigDocumentsAreArchivedPurgedAndRestoredExactlyAndAnOversizeOneIsDeadLettered() throws Exception {
        Random random = new Random(11);
        try (LocalStack stack = LocalStack.start();
             MongoClient mongo = MongoClients.create(stack.mongoUri())) {
            MongoCollection<RawBsonDocument> memories = mongo.getDatabase(stack.database()).getCollection(stack.collection(), RawBsonDocument.class);
            Map<String, byte[]> loaded = new LinkedHashMap<>();
            // Copied by the connector at its start: ordinary memories and ones with embeddings.
            for (int i = 0; i < 20; i++) {
                insert(memories, loaded, memory("plain-" + i, PLAIN_AGENT).append("text", new BsonString("an ordinary memory " + i)));
            }
            for (int i = 0; i < 20; i++) {
                insert(memories, loaded, memory("embedding-" + i, EMBEDDING_AGENT).append("embedding", doubles(random, EMBEDDING_DIMENSIONS)));
            }

            EmbeddedPipeline.Settings settings = new EmbeddedPipeline.Settings(stack.bootstrapServers(), stack.topics().prefix(),
                    stack.mongoUri(), stack.database(), stack.collection(), work, work.resolve("archive"), 1,
                    Duration.ofSeconds(2), Duration.ofSeconds(1), Map.of());
            try (EmbeddedPipeline pipeline = new EmbeddedPipeline(settings)) {
                pipeline.start();
                stack.startConnector();
                awaitPurged(stack, memories, loaded.keySet().stream().toList());

                // Published live by the change stream: the oversize document, then the ~15 MB one, then an ordinary one.
                memories.insertOne(new RawBsonDocument(MemoryDocuments.toBson(memory(OVERSIZE_ID, PLAIN_AGENT)
                        .append(MemoryFields.IMPORTANCE, new BsonString("HIGH"))
                        .append(MemoryFields.CREATED_AT, new BsonDateTime(Instant.now().toEpochMilli()))
                        .append("samples", doubles(random, 950_000)))));
                List<String> live = new ArrayList<>();
                live.add(insert(memories, loaded, bigDocument(random)));
                live.add(insert(memories, loaded, memory("plain-after-big", PLAIN_AGENT).append("text", new BsonString("still running"))));
                assertThat(loaded.get(live.get(0)).length).as("the big document's BSON bytes").isBetween(14_500_000, 15_500_000);
                awaitPurged(stack, memories, live);
            }

            List<ConsumerRecord<byte[], byte[]>> letters = InvariantAudit.readCommitted(stack.kafkaConnection(), stack.topics().deadLetter());
            assertThat(letters).as("dead letters").hasSize(1);
            assertThat(DeadLetters.header(letters.get(0).headers(), DeadLetters.REASON))
                    .contains(OVERSIZE_ID).contains("tiering.change.max.bytes");
            assertThat(DeadLetters.header(letters.get(0).headers(), DeadLetters.SOURCE_TOPIC)).isEqualTo(stack.topics().changes());
            assertThat(memories.countDocuments(Filters.eq(MemoryFields.ID, OVERSIZE_ID))).as("the oversize document stays in MongoDB").isOne();

            for (String agent : List.of(PLAIN_AGENT, EMBEDDING_AGENT, BIG_AGENT)) {
                assertThat(restore(stack, agent)).as("restore --agent %s", agent).isZero();
            }
            for (Map.Entry<String, byte[]> memory : loaded.entrySet()) {
                RawBsonDocument restored = memories.find(Filters.eq(MemoryFields.ID, MemoryDocuments.idValue(memory.getKey()))).first();
                assertThat(restored).as("restored %s", memory.getKey()).isNotNull();
                assertThat(MemoryDocuments.toBson(restored)).as("exact BSON of %s", memory.getKey()).isEqualTo(memory.getValue());
            }
        }
    }

    /** Waits until MongoDB holds none of {@code ids}, failing at once with the connector's error if its task died. */
    private static void awaitPurged(LocalStack stack, MongoCollection<RawBsonDocument> memories, List<String> ids) {
        List<?> idValues = ids.stream().map(MemoryDocuments::idValue).toList();
        await().atMost(Duration.ofMinutes(6)).pollInterval(Duration.ofSeconds(1)).until(() -> {
            stack.connectorFailure().ifPresent(failure -> fail("the connector failed: " + failure));
            return memories.countDocuments(Filters.in(MemoryFields.ID, idValues)) == 0;
        });
    }

    private static BsonDocument memory(String id, String agent) {
        return new BsonDocument(MemoryFields.ID, new BsonString(id))
                .append(MemoryFields.AGENT, new BsonString(agent))
                .append(MemoryFields.IMPORTANCE, new BsonString("LOW"))
                .append(MemoryFields.CREATED_AT, new BsonDateTime(Instant.now().minus(Duration.ofDays(90)).toEpochMilli()));
    }

    /** A ~15 MB transcript (words drawn from a small vocabulary, so it compresses as text does) with an embedding. */
    private static BsonDocument bigDocument(Random random) {
        String[] words = ("the agent read checked wrote build log test failed passed retry plan step user asked answer file "
                + "module error warning fixed commit branch merge review tool call result memory context token").split(" ");
        StringBuilder transcript = new StringBuilder(15_100_000);
        for (int turn = 0; transcript.length() < 15_000_000; turn++) {
            transcript.append("turn ").append(turn).append(':');
            for (int w = 0; w < 12; w++) {
                transcript.append(' ').append(words[random.nextInt(words.length)]);
            }
            transcript.append('\n');
        }
        return memory("big-15mb", BIG_AGENT).append("transcript", new BsonString(transcript.toString()))
                .append("embedding", doubles(random, EMBEDDING_DIMENSIONS));
    }

    private static BsonArray doubles(Random random, int count) {
        BsonArray values = new BsonArray(new ArrayList<>(count));
        for (int i = 0; i < count; i++) {
            values.add(new BsonDouble(random.nextGaussian()));
        }
        return values;
    }

    /** Inserts the document and keeps its exact bytes as MongoDB holds them: what must come back. */
    private static String insert(MongoCollection<RawBsonDocument> memories, Map<String, byte[]> loaded, BsonDocument document) {
        memories.insertOne(new RawBsonDocument(MemoryDocuments.toBson(document)));
        RawBsonDocument stored = memories.find(Filters.eq(MemoryFields.ID, document.get(MemoryFields.ID))).first();
        String id = MemoryDocuments.idOf(stored.get(MemoryFields.ID));
        loaded.put(id, MemoryDocuments.toBson(stored));
        return id;
    }

    private int restore(LocalStack stack, String agent) {
        StringWriter out = new StringWriter();
        int code = new CommandLine(new RestoreCommand()).setOut(new PrintWriter(out, true)).setErr(new PrintWriter(out, true))
                .execute("--agent", agent, "--mongo-uri", stack.mongoUri(), "--database", stack.database(),
                        "--collection", stack.collection(), "--topic-prefix", stack.topics().prefix(),
                        "--bootstrap-servers", stack.bootstrapServers(), "--archive-dir", work.resolve("archive").toString());
        System.out.println("restore --agent " + agent + " -> " + code + "\n" + out);
        return code;
    }
}
