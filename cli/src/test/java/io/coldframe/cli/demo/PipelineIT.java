package io.coldframe.cli.demo;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.bson.BsonDateTime;
import org.bson.BsonDocument;
import org.bson.BsonString;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import com.mongodb.client.MongoClient;
import com.mongodb.client.MongoClients;
import com.mongodb.client.MongoCollection;
import com.mongodb.client.model.Filters;
import com.mongodb.client.model.Updates;

import io.coldframe.common.DeadLetters;
import io.coldframe.common.MemoryDocuments;
import io.coldframe.common.MemoryFields;
import io.coldframe.local.EmbeddedPipeline;
import io.coldframe.local.LocalStack;
import io.coldframe.local.PipelineProgress;
import io.coldframe.schemas.AvroSerde;
import io.coldframe.schemas.PurgeResult;
import io.coldframe.schemas.SkipReason;
import io.coldframe.schemas.SkippedMemory;
import io.coldframe.testkit.MemoryGenerator;

/** The whole pipeline on the real broker, the real connector and the MongoDB stand-in. */
class PipelineIT {

    @Test
    void oldMemoriesAreArchivedExactlyAndPurgedWhileRecentAndCriticalOnesStay(@TempDir Path archiveDir) throws Exception {
        Instant now = Instant.now();
        List<BsonDocument> documents = new MemoryGenerator(7, now).generate(1500);
        Demo.Options options = Demo.Options.generated(documents, null, archiveDir, 2, Duration.ofSeconds(2), Duration.ofMinutes(5));

        Demo.Outcome outcome = new Demo(options, System.out).run();

        DemoSummary summary = outcome.summary();
        assertThat(summary.drained()).isTrue();
        assertThat(summary.lost()).isZero();
        assertThat(summary.verifiedSegments()).isEqualTo(summary.segments()).isPositive();
        assertThat(outcome.reconciliation().segmentProblems()).isEmpty();
        int checkedCold = 0;
        for (BsonDocument document : documents) {
            String id = MemoryDocuments.idOf(document.get(MemoryFields.ID));
            Duration age = Duration.between(Instant.ofEpochMilli(document.getDateTime(MemoryFields.CREATED_AT).getValue()), now);
            boolean critical = "CRITICAL".equals(document.getString(MemoryFields.IMPORTANCE).getValue());
            boolean inMongo = outcome.reconciliation().inMongo().contains(id);
            if (!inMongo) {
                var archived = outcome.reconciliation().archived().get(id);
                assertThat(archived).as("purged %s is archived", id).isNotNull();
                assertThat(MemoryDocuments.toBson(archived.document())).as("exact BSON of %s", id).isEqualTo(MemoryDocuments.toBson(document));
            }
            // Whatever the rules in between, a month-old ordinary memory is cold and a days-old or critical one is not.
            if (age.compareTo(Duration.ofDays(31)) > 0 && !critical) {
                checkedCold++;
                assertThat(inMongo).as("old memory %s purged", id).isFalse();
            } else if (age.compareTo(Duration.ofDays(6)) < 0 || critical) {
                assertThat(inMongo).as("recent or critical memory %s kept", id).isTrue();
            }
        }
        assertThat(checkedCold).isGreaterThan(1000);
        assertThat(summary.tiers().cold()).isEqualTo(summary.archived());
    }

    @Test
    void documentChangedAfterReachingColdSurvivesAndBadEventsAreDeadLettered(@TempDir Path workDir) throws Exception {
        try (LocalStack stack = LocalStack.start();
             MongoClient mongo = MongoClients.create(stack.mongoUri());
             Admin admin = Admin.create(Map.of("bootstrap.servers", stack.bootstrapServers()))) {
            MongoCollection<BsonDocument> memories = mongo.getDatabase(stack.database()).getCollection(stack.collection(), BsonDocument.class);
            BsonDocument changedLater = memory("changed-later", Duration.ofDays(90));
            BsonDocument unchanged = memory("unchanged", Duration.ofDays(90));
            memories.insertMany(List.of(changedLater, unchanged));
            EmbeddedPipeline.Settings settings = new EmbeddedPipeline.Settings(stack.bootstrapServers(), stack.topics().prefix(),
                    stack.mongoUri(), stack.database(), stack.collection(), workDir, workDir.resolve("archive"), 1,
                    Duration.ofSeconds(1), Duration.ofSeconds(1), Map.of());
            try (EmbeddedPipeline pipeline = new EmbeddedPipeline(settings)) {
                pipeline.startTiering();
                stack.startConnector();
                await().atMost(Duration.ofMinutes(1)).until(() -> recordsIn(stack, stack.topics().cold()).size() == 2);

                // Marked critical after it was queued for archiving: the archived version must not be purged.
                memories.updateOne(Filters.eq("_id", "changed-later"), Updates.set(MemoryFields.IMPORTANCE, "CRITICAL"));
                try (KafkaProducer<String, String> producer = new KafkaProducer<>(Map.of("bootstrap.servers", stack.bootstrapServers()),
                        new StringSerializer(), new StringSerializer())) {
                    producer.send(new ProducerRecord<>(stack.topics().changes(), "k", "this is not json"));
                    producer.send(new ProducerRecord<>(stack.topics().changes(), "k",
                            "{\"operationType\": \"insert\", \"fullDocument\": {\"agent_id\": \"a\"}}"));
                }
                memories.insertOne(memory("after-bad-input", Duration.ofDays(90)));
                pipeline.startArchivingAndPurging();

                PipelineProgress progress = new PipelineProgress(admin, stack.topics().changes(), pipeline.stages());
                assertThat(progress.awaitDrained(3, Duration.ofSeconds(3), Duration.ofMinutes(2), snapshot -> { })).isTrue();
                await().atMost(Duration.ofMinutes(1)).until(() -> memories.countDocuments(Filters.eq("_id", "after-bad-input")) == 0);
            }

            BsonDocument survivor = memories.find(Filters.eq("_id", "changed-later")).first();
            assertThat(survivor).isNotNull();
            assertThat(survivor.getString(MemoryFields.IMPORTANCE).getValue()).isEqualTo("CRITICAL");
            assertThat(memories.countDocuments(Filters.eq("_id", "unchanged"))).isZero();

            List<SkippedMemory> skipped = new ArrayList<>();
            AvroSerde<PurgeResult> results = AvroSerde.of(PurgeResult.class);
            recordsIn(stack, stack.topics().purgeResults()).forEach(r -> skipped.addAll(results.decode(r.value()).getSkipped()));
            assertThat(skipped).contains(new SkippedMemory("\"changed-later\"", SkipReason.CHANGED_SINCE_ARCHIVED));

            List<ConsumerRecord<byte[], byte[]>> letters = recordsIn(stack, stack.topics().deadLetter());
            assertThat(letters).hasSize(2);
            assertThat(DeadLetters.header(letters.get(0).headers(), DeadLetters.REASON)).contains("not a change event");
            assertThat(DeadLetters.header(letters.get(1).headers(), DeadLetters.REASON)).contains("fullDocument._id");
            assertThat(new String(letters.get(0).value(), StandardCharsets.UTF_8)).isEqualTo("this is not json");
        }
    }

    private static BsonDocument memory(String id, Duration age) {
        return new BsonDocument("_id", new BsonString(id))
                .append(MemoryFields.AGENT, new BsonString("agent-1"))
                .append(MemoryFields.IMPORTANCE, new BsonString("LOW"))
                .append(MemoryFields.CREATED_AT, new BsonDateTime(Instant.now().minus(age).toEpochMilli()));
    }

    private static List<ConsumerRecord<byte[], byte[]>> recordsIn(LocalStack stack, String topic) {
        Properties props = new Properties();
        props.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, stack.bootstrapServers());
        props.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        List<ConsumerRecord<byte[], byte[]>> records = new ArrayList<>();
        try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(props, new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
            var partitions = consumer.partitionsFor(topic).stream()
                    .map(p -> new org.apache.kafka.common.TopicPartition(topic, p.partition())).toList();
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            Map<org.apache.kafka.common.TopicPartition, Long> end = new HashMap<>(consumer.endOffsets(partitions));
            while (partitions.stream().anyMatch(p -> consumer.position(p) < end.get(p))) {
                consumer.poll(Duration.ofMillis(200)).forEach(records::add);
            }
        }
        return records;
    }
}
