package io.coldframe.testkit.faults;

import static io.coldframe.testkit.faults.FaultRig.NO_FAULT;
import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;

import org.bson.BsonDocument;
import org.bson.BsonString;
import org.bson.RawBsonDocument;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import io.coldframe.archive.ArchiveCatalog;
import io.coldframe.archive.KafkaRestoreMarks;
import io.coldframe.archive.Restorer;
import io.coldframe.archiver.ArchiverConfig;
import io.coldframe.common.ConfigLoader;
import io.coldframe.common.MemoryDocuments;
import io.coldframe.common.Progress;
import io.coldframe.local.LocalStack;
import io.coldframe.schemas.ArchivedMemory;
import io.coldframe.schemas.CatalogEntry;
import io.coldframe.schemas.SegmentCommitted;
import io.coldframe.segment.SegmentReader;
import io.coldframe.testkit.ProcessPipeline;

/**
 * The archiver under a redaction policy, with the purger running: segments hold only redacted documents, the purger
 * still deletes exactly the versions MongoDB held (it finds their redacted form in the stored segment), the
 * independent audit finds nothing lost, and a restore brings the redacted document back and says so.
 */
class RedactedArchiveIT {

    private static final String KEY = "an-archive-redaction-key-of-32-b";
    private static LocalStack stack;

    @BeforeAll
    static void startStack() {
        stack = LocalStack.start();
    }

    @AfterAll
    static void stopStack() {
        if (stack != null) {
            stack.close();
        }
    }

    @Test
    void archivesRedactedPurgesTheOriginalVersionAndRestoresRedacted() throws Exception {
        try (ProcessPipeline pipeline = FaultRig.pipeline(stack, "redacted", s -> s)) {
            Path policy = Files.writeString(pipeline.settings().workDir().resolve("policy.yaml"), """
                    version: 1
                    fields: [contact.email]
                    patterns:
                      - {name: email, regex: '[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\\.[A-Za-z]{2,}'}
                    """);
            List<BsonDocument> documents = new ArrayList<>();
            for (BsonDocument document : FaultRig.documents(400, 31)) {
                String email = "owner-" + documents.size() + "@example.com";
                documents.add(document.append("contact", new BsonDocument("email", new BsonString(email)))
                        .append("note", new BsonString("write to " + email + " when done")));
            }
            FaultRig.loadAndTier(pipeline, documents);
            pipeline.startPurger(NO_FAULT);
            pipeline.startArchiver(0, Map.of(
                    ConfigLoader.envName(ArchiverConfig.REDACTION_POLICY_FILE), policy.toString(),
                    ConfigLoader.envName(ArchiverConfig.REDACTION_KEY), KEY));
            FaultRig.drain(pipeline, Duration.ofMinutes(3));
            pipeline.stopServices();

            FaultRig.auditAndAssert(pipeline);

            List<SegmentCommitted> commits = FaultRig.commitEvents(pipeline);
            assertThat(commits).isNotEmpty().allSatisfy(commit -> assertThat(commit.getRedactionPolicy()).startsWith("sha256:"));
            for (SegmentCommitted commit : commits) {
                try (SegmentReader reader = SegmentReader.open(pipeline.store().fetch(commit.getSegmentId()))) {
                    assertThat(reader.verify().ok()).isTrue();
                    reader.records().forEach(record -> {
                        assertThat(MemoryDocuments.toCanonicalJson(record.document())).as("archived %s", record.memoryId())
                                .doesNotContain("@example.com").contains("redacted:");
                    });
                }
                for (ArchivedMemory memory : commit.getMemories()) {
                    assertThat(memory.getStoredVersion()).as("%s is stored redacted", memory.getId()).isNotNull()
                            .isNotEqualTo(memory.getVersion());
                    assertThat(memory.getVersion()).as("the version deleted is the one MongoDB held")
                            .isEqualTo(pipeline.loadedVersions().get(memory.getId()));
                }
            }

            ArchiveCatalog catalog = ArchiveCatalog.load(stack.kafkaConnection(), pipeline.topics(), Duration.ofSeconds(30));
            CatalogEntry entry = catalog.entries().iterator().next();
            assertThat(entry.getRedactionPolicy()).isEqualTo(commits.get(0).getRedactionPolicy());
            assertThat(FaultRig.presentInMongo(pipeline, Set.of(entry.getMemoryId()))).as("purged").isZero();
            try (KafkaRestoreMarks marks = new KafkaRestoreMarks(stack.kafkaConnection(), pipeline.topics().restores(), Duration.ofSeconds(20))) {
                Restorer restorer = new Restorer(pipeline.store(), pipeline.memories().withDocumentClass(RawBsonDocument.class), marks,
                        Duration.ofDays(7), false, note -> { }, Progress.SILENT, Clock.systemUTC());
                Restorer.Result result = restorer.restore(List.of(Restorer.target(entry)), new Restorer.Result());
                assertThat(result.restored()).isEqualTo(1);
                assertThat(result.redacted()).isEqualTo(1);
                assertThat(result.redactionPolicies()).containsExactly(entry.getRedactionPolicy());
            }
            BsonDocument restored = pipeline.memories().find(new BsonDocument("_id", MemoryDocuments.idValue(entry.getMemoryId()))).first();
            assertThat(restored.getDocument("contact").getString("email").getValue()).startsWith("redacted:");
            assertThat(MemoryDocuments.versionOf(restored)).as("restored byte for byte as archived").isEqualTo(entry.getVersion());
        }
    }
}
