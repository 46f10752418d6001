package io.coldframe.testkit;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Supplier;

import org.bson.BsonDocument;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import com.mongodb.client.MongoCollection;

import io.coldframe.archive.MongoPresence;
import io.coldframe.segment.SegmentReader;
import io.coldframe.segment.VerificationReport;
import io.coldframe.store.SegmentStore;

/**
 * Checks "every memory is in MongoDB, in a verified segment, or both" again and again while the pipeline runs (and
 * is killed), not only at the end. A sample reads which loaded memories MongoDB lacks, then lists the stored segments:
 * segments are only ever added, so a memory deleted before its segment was stored would show up as a violation
 * (sampling can miss a short window, it never reports a false one). Each stored segment file is read back and
 * verified once; a rewritten one (a replay stores the same id again) is verified again.
 */
public final class InvariantMonitor implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(InvariantMonitor.class);

    private final MongoCollection<BsonDocument> memories;
    private final SegmentStore store;
    private final Supplier<Map<String, String>> expectedVersions;
    private final Duration interval;
    private final Map<String, VerifiedSegment> verified = new HashMap<>();
    private final List<String> violations = new ArrayList<>();
    private final List<String> segmentProblems = new ArrayList<>();
    private long samples;
    private long violationCount;
    private volatile boolean running = true;
    private Thread thread;

    private record VerifiedSegment(long size, long modified, Set<String> versions) {
    }

    public InvariantMonitor(MongoCollection<BsonDocument> memories, SegmentStore store, Map<String, String> loadedVersions,
                            Duration interval) {
        this(memories, store, fixed(Map.copyOf(loadedVersions)), interval);
    }

    private static Supplier<Map<String, String>> fixed(Map<String, String> versions) {
        return () -> versions;
    }

    /**
     * @param expectedVersions each memory id with the version it must keep now (its latest write), asked anew before
     *                         each sample reads MongoDB
     */
    public InvariantMonitor(MongoCollection<BsonDocument> memories, SegmentStore store, Supplier<Map<String, String>> expectedVersions,
                            Duration interval) {
        this.memories = memories;
        this.store = store;
        this.expectedVersions = expectedVersions;
        this.interval = interval;
    }

    /** Samples every interval on a background thread until {@link #close()}. */
    public InvariantMonitor start() {
        thread = new Thread(() -> {
            while (running) {
                try {
                    sample();
                } catch (IOException | RuntimeException e) {
                    LOG.debug("invariant sample skipped: {}", e.getMessage());
                }
                try {
                    Thread.sleep(interval.toMillis());
                } catch (InterruptedException e) {
                    return;
                }
            }
        }, "invariant-monitor");
        thread.setDaemon(true);
        thread.start();
        return this;
    }

    /** One check now; returns the violations it found (memory ids gone from MongoDB and in no verified segment). */
    public synchronized List<String> sample() throws IOException {
        // The versions before MongoDB: a memory written anew meanwhile was present then, or its earlier version archived.
        Map<String, String> loadedVersions = expectedVersions.get();
        Set<String> present = MongoPresence.presentIds(memories, loadedVersions.keySet());
        Set<String> archivedVersions = new HashSet<>();
        for (String segmentId : store.list()) {
            VerifiedSegment segment = verify(segmentId);
            if (segment != null) {
                archivedVersions.addAll(segment.versions());
            }
        }
        List<String> found = new ArrayList<>();
        loadedVersions.forEach((id, version) -> {
            if (!present.contains(id) && !archivedVersions.contains(id + "@" + version)) {
                found.add(id);
            }
        });
        samples++;
        violationCount += found.size();
        found.stream().limit(Math.max(0, 20 - violations.size())).forEach(id -> violations.add("sample " + samples + ": " + id));
        return found;
    }

    private VerifiedSegment verify(String segmentId) throws IOException {
        Path video = store.fetch(segmentId);
        long size = Files.size(video);
        long modified = Files.getLastModifiedTime(video).toMillis();
        VerifiedSegment known = verified.get(segmentId);
        if (known != null && known.size() == size && known.modified() == modified) {
            return known;
        }
        try (SegmentReader reader = SegmentReader.open(video)) {
            VerificationReport report = reader.verify();
            if (!report.ok()) {
                segmentProblems.add(segmentId + ": " + String.join("; ", report.problems()));
                verified.remove(segmentId);
                return null;
            }
            Set<String> versions = new HashSet<>();
            reader.records().forEach(record -> versions.add(record.memoryId() + "@" + record.version()));
            VerifiedSegment segment = new VerifiedSegment(size, modified, versions);
            verified.put(segmentId, segment);
            return segment;
        }
    }

    public synchronized long samples() {
        return samples;
    }

    /** Violations summed over all samples (a memory missing in three samples counts three times). */
    public synchronized long violationCount() {
        return violationCount;
    }

    /** The first violations, for the report. */
    public synchronized List<String> violations() {
        return List.copyOf(violations);
    }

    public synchronized List<String> segmentProblems() {
        return List.copyOf(segmentProblems);
    }

    @Override
    public void close() throws InterruptedException {
        running = false;
        if (thread != null) {
            thread.interrupt();
            thread.join(60_000);
        }
    }
}
