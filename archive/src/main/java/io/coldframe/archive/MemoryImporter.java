package io.coldframe.archive;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import org.bson.BsonDocument;
import org.bson.BsonValue;
import org.bson.RawBsonDocument;

import com.mongodb.MongoBulkWriteException;
import com.mongodb.MongoException;
import com.mongodb.MongoSocketException;
import com.mongodb.MongoTimeoutException;
import com.mongodb.bulk.BulkWriteError;
import com.mongodb.client.MongoCollection;
import com.mongodb.client.model.BulkWriteOptions;
import com.mongodb.client.model.Filters;
import com.mongodb.client.model.ReplaceOneModel;
import com.mongodb.client.model.ReplaceOptions;

import io.coldframe.common.MemoryDocuments;
import io.coldframe.common.MemoryFields;
import io.coldframe.common.Progress;

/**
 * Upserts memory documents into the memory collection by {@code _id}, in batches, and accounts for each one:
 * inserted (no document with its {@code _id}), updated (one with other bytes), unchanged (the same bytes: not written
 * at all, so a second run writes nothing) or rejected (with file, line, field where known and reason).
 *
 * <p>Each document is stored with {@code _id} as its first field, where MongoDB puts it anyway; comparing those bytes
 * with the stored ones is what makes a re-run find everything unchanged. A batch MongoDB refuses as a whole (a
 * dropped connection) is retried document by document, so one bad document is rejected by name and the rest land.
 * At the end the imported documents are read back and compared by count and checksum with the source.
 */
public final class MemoryImporter {

    public static final int DEFAULT_BATCH = 500;

    private final MongoCollection<RawBsonDocument> memories;
    private final int batchSize;
    private final Progress.Factory progress;

    public MemoryImporter(MongoCollection<RawBsonDocument> memories, int batchSize, Progress.Factory progress) {
        if (batchSize < 1) {
            throw new IllegalArgumentException("batch size must be at least 1, not " + batchSize);
        }
        this.memories = memories;
        this.batchSize = batchSize;
        this.progress = progress;
    }

    /** Imports every document of {@code source}; with {@code dryRun} it compares and counts but writes nothing. */
    public ImportReport run(ImportSource source, boolean dryRun) throws IOException {
        Run run = new Run(dryRun);
        try (Progress bar = progress.start("importing", source.totalBytes())) {
            source.read(run, bar);
        }
        run.flush();
        return run.report(parity(run.sourceVersions));
    }

    /** The state of one batch: documents by memory id, each once (a repeated id closes the batch first). */
    private final class Run implements ImportSource.Sink {
        private final boolean dryRun;
        private final LinkedHashMap<String, Pending> batch = new LinkedHashMap<>();
        private final List<ImportReport.Rejection> rejections = new ArrayList<>();
        private final List<ImportReport.FileDigest> files = new ArrayList<>();
        /** Memory id to the version the source leaves it at (the last one read). */
        private final Map<String, String> sourceVersions = new HashMap<>();
        private long read;
        private long inserted;
        private long updated;
        private long unchanged;

        Run(boolean dryRun) {
            this.dryRun = dryRun;
        }

        @Override
        public void accept(ImportSource.Entry entry) {
            read++;
            if (entry.problem() != null) {
                rejections.add(new ImportReport.Rejection(entry.file().toString(), entry.line(), null, entry.field(), entry.problem()));
                return;
            }
            RawBsonDocument document = idFirst(entry.document());
            String id = MemoryDocuments.idOf(document.get(MemoryFields.ID));
            if (batch.containsKey(id)) {
                flush();
            }
            batch.put(id, new Pending(entry, id, document));
            if (batch.size() >= batchSize) {
                flush();
            }
        }

        @Override
        public void fileDone(Path file, long bytes, String sha256) {
            files.add(new ImportReport.FileDigest(file.toString(), bytes, sha256));
        }

        void flush() {
            if (batch.isEmpty()) {
                return;
            }
            Map<String, byte[]> stored = storedBytes(batch.keySet());
            List<Pending> writes = new ArrayList<>();
            for (Pending pending : batch.values()) {
                byte[] current = stored.get(pending.id);
                if (current != null && Arrays.equals(current, pending.bytes())) {
                    unchanged++;
                    sourceVersions.put(pending.id, pending.version());
                } else {
                    pending.existed = current != null;
                    writes.add(pending);
                }
            }
            batch.clear();
            if (!dryRun) {
                write(writes);
            } else {
                writes.forEach(this::landed);
            }
        }

        private void write(List<Pending> writes) {
            if (writes.isEmpty()) {
                return;
            }
            List<ReplaceOneModel<RawBsonDocument>> models = writes.stream().map(MemoryImporter::upsert).toList();
            try {
                memories.bulkWrite(models, new BulkWriteOptions().ordered(false));
                writes.forEach(this::landed);
            } catch (MongoBulkWriteException e) {
                Map<Integer, BulkWriteError> failed = new HashMap<>();
                e.getWriteErrors().forEach(error -> failed.put(error.getIndex(), error));
                for (int i = 0; i < writes.size(); i++) {
                    BulkWriteError error = failed.get(i);
                    if (error == null) {
                        landed(writes.get(i));
                    } else {
                        reject(writes.get(i), "MongoDB refused it: " + error.getMessage());
                    }
                }
            } catch (MongoTimeoutException e) {
                throw e; // MongoDB does not answer at all: nothing to blame on a document
            } catch (MongoException e) {
                writes.forEach(this::writeAlone);
            }
        }

        /** After a batch failed as a whole: this document by itself, rejected if it fails again. */
        private void writeAlone(Pending pending) {
            try {
                memories.replaceOne(Filters.eq(MemoryFields.ID, pending.document.get(MemoryFields.ID)), pending.document,
                        new ReplaceOptions().upsert(true));
                landed(pending);
            } catch (MongoTimeoutException e) {
                throw e;
            } catch (MongoSocketException e) {
                reject(pending, "MongoDB dropped the connection on this document (" + e.getMessage() + ")");
            } catch (MongoException e) {
                reject(pending, "MongoDB refused it: " + e.getMessage());
            }
        }

        private void landed(Pending pending) {
            if (pending.existed) {
                updated++;
            } else {
                inserted++;
            }
            sourceVersions.put(pending.id, pending.version());
        }

        private void reject(Pending pending, String reason) {
            rejections.add(new ImportReport.Rejection(pending.entry.file().toString(), pending.entry.line(), pending.id, null, reason));
        }

        ImportReport report(ImportReport.Parity parity) {
            return new ImportReport(dryRun, read, inserted, updated, unchanged, rejections.size(), List.copyOf(rejections),
                    List.copyOf(files), parity);
        }
    }

    /** A document waiting for its batch; {@code existed}: MongoDB held other bytes under its _id. */
    private static final class Pending {
        final ImportSource.Entry entry;
        final String id;
        final RawBsonDocument document;
        boolean existed;

        Pending(ImportSource.Entry entry, String id, RawBsonDocument document) {
            this.entry = entry;
            this.id = id;
            this.document = document;
        }

        byte[] bytes() {
            return MemoryDocuments.toBson(document);
        }

        String version() {
            return MemoryDocuments.versionOf(document);
        }
    }

    private static ReplaceOneModel<RawBsonDocument> upsert(Pending pending) {
        return new ReplaceOneModel<>(Filters.eq(MemoryFields.ID, pending.document.get(MemoryFields.ID)), pending.document,
                new ReplaceOptions().upsert(true));
    }

    /** The stored bytes of those ids that MongoDB holds. */
    private Map<String, byte[]> storedBytes(Iterable<String> ids) {
        List<BsonValue> values = new ArrayList<>();
        ids.forEach(id -> values.add(MemoryDocuments.idValue(id)));
        Map<String, byte[]> stored = new HashMap<>();
        for (RawBsonDocument document : memories.find(Filters.in(MemoryFields.ID, values))) {
            stored.put(MemoryDocuments.idOf(document.get(MemoryFields.ID)), MemoryDocuments.toBson(document));
        }
        return stored;
    }

    /** Count and checksum of the source's documents (last version of each id) against what the collection now holds. */
    private ImportReport.Parity parity(Map<String, String> sourceVersions) {
        TreeMap<String, String> collectionVersions = new TreeMap<>();
        List<String> ids = new ArrayList<>(sourceVersions.keySet());
        for (int from = 0; from < ids.size(); from += batchSize) {
            storedBytes(ids.subList(from, Math.min(ids.size(), from + batchSize)))
                    .forEach((id, bytes) -> collectionVersions.put(id, MemoryDocuments.sha256Hex(bytes)));
        }
        long missing = sourceVersions.keySet().stream().filter(id -> !collectionVersions.containsKey(id)).count();
        long different = sourceVersions.entrySet().stream()
                .filter(e -> collectionVersions.containsKey(e.getKey()) && !collectionVersions.get(e.getKey()).equals(e.getValue())).count();
        String sourceChecksum = checksum(new TreeMap<>(sourceVersions));
        String collectionChecksum = checksum(collectionVersions);
        return new ImportReport.Parity(sourceVersions.size(), sourceChecksum, collectionVersions.size(), collectionChecksum,
                missing, different, missing == 0 && different == 0 && sourceChecksum.equals(collectionChecksum));
    }

    /** SHA-256 over "id version\n" of every document, by id: the same documents give the same checksum in any order. */
    static String checksum(TreeMap<String, String> versions) {
        MessageDigest digest;
        try {
            digest = MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JVM ships SHA-256", e);
        }
        versions.forEach((id, version) -> digest.update((id + " " + version + "\n").getBytes(StandardCharsets.UTF_8)));
        return HexFormat.of().formatHex(digest.digest());
    }

    /** The document with _id first, as MongoDB stores it; the rest in the order given. */
    static RawBsonDocument idFirst(BsonDocument document) {
        BsonDocument ordered = new BsonDocument(MemoryFields.ID, document.get(MemoryFields.ID));
        document.forEach((key, value) -> {
            if (!key.equals(MemoryFields.ID)) {
                ordered.put(key, value);
            }
        });
        return new RawBsonDocument(MemoryDocuments.toBson(ordered));
    }
}
