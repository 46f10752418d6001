package io.coldframe.archiver;

import java.io.IOException;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import io.coldframe.common.Directories;
import io.coldframe.common.MemoryDocuments;
import io.coldframe.segment.SegmentManifest;
import io.coldframe.segment.SegmentReader;
import io.coldframe.segment.SegmentRecord;
import io.coldframe.segment.SegmentWriter;
import io.coldframe.segment.VerificationReport;
import io.coldframe.store.LocalDirectorySegmentStore;
import io.coldframe.store.SegmentStore;

/**
 * Turns a batch of cold memories into a stored segment, each step only after the previous one succeeded:
 * write to staging, read every frame back and compare every record with what was written, then store durably
 * (the store checks that what it stored hashes to what was verified).
 */
final class BatchArchiver {

    private final SegmentWriter writer;
    private final SegmentStore store;
    private final Path stagingRoot;
    private final ArchiveProgressListener listener;

    BatchArchiver(SegmentWriter writer, SegmentStore store, Path stagingRoot) {
        this(writer, store, stagingRoot, ArchiveProgressListener.NONE);
    }

    BatchArchiver(SegmentWriter writer, SegmentStore store, Path stagingRoot, ArchiveProgressListener listener) {
        this.writer = writer;
        this.store = store;
        this.stagingRoot = stagingRoot;
        this.listener = listener;
    }

    StoredSegment archive(String segmentId, List<SegmentRecord> records) throws IOException {
        Path staging = Directories.fresh(stagingRoot.resolve(segmentId));
        try {
            listener.segmentWriting(segmentId, records.size());
            SegmentManifest manifest = writer.write(segmentId, records, staging);
            Path video = staging.resolve(segmentId + LocalDirectorySegmentStore.VIDEO_SUFFIX);
            Path manifestFile = staging.resolve(segmentId + LocalDirectorySegmentStore.MANIFEST_SUFFIX);
            verifyReadBack(segmentId, video, records);
            listener.segmentVerified(segmentId);
            String location = store.store(segmentId, video, manifestFile, manifest.videoSha256());
            listener.segmentStored(segmentId, location);
            return new StoredSegment(location, manifest);
        } finally {
            Directories.deleteRecursively(staging);
        }
    }

    /**
     * Removes whatever a killed predecessor left half written under this worker's staging root (its own, by instance
     * id). Nothing there was ever stored or committed, so nothing there is needed again.
     */
    void clearStaging() throws IOException {
        Directories.deleteRecursively(stagingRoot);
    }

    private static void verifyReadBack(String segmentId, Path video, List<SegmentRecord> written) throws IOException {
        try (SegmentReader reader = SegmentReader.open(video)) {
            VerificationReport report = reader.verify();
            if (!report.ok()) {
                throw new SegmentVerificationException(segmentId, String.join("; ", report.problems()));
            }
            Map<String, SegmentRecord> readBack = new HashMap<>();
            reader.records().forEach(record -> readBack.put(record.memoryId() + "@" + record.version(), record));
            for (SegmentRecord expected : written) {
                SegmentRecord actual = readBack.get(expected.memoryId() + "@" + expected.version());
                if (actual == null) {
                    throw new SegmentVerificationException(segmentId, "record " + expected.memoryId() + " missing");
                }
                if (!java.util.Arrays.equals(MemoryDocuments.toBson(actual.document()), MemoryDocuments.toBson(expected.document()))) {
                    throw new SegmentVerificationException(segmentId, "record " + expected.memoryId() + " differs from what was written");
                }
            }
        }
    }

    record StoredSegment(String location, SegmentManifest manifest) {
    }
}
