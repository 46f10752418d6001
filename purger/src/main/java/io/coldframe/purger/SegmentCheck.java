package io.coldframe.purger;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.security.DigestInputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Set;

import io.coldframe.common.SegmentIds;
import io.coldframe.schemas.ArchivedMemory;
import io.coldframe.schemas.SegmentCommitted;
import io.coldframe.segment.SegmentFormatException;
import io.coldframe.segment.SegmentManifest;
import io.coldframe.segment.SegmentReader;
import io.coldframe.store.SegmentStore;

/**
 * Confirms, before any delete, that a commit event describes a segment that is really stored: the store holds the
 * segment, its video hashes to the commit's SHA-256 (so it is byte for byte the video the archiver verified before
 * committing), the segment's own index names that same video hash, and it records every {@code id@version} the
 * commit asks to delete. Under a redaction policy the segment holds the redacted document: the check then looks for
 * {@code id@stored_version}, the version the commit binds to the original one it deletes. The index answers the last question without decoding the video; the hash binds the video
 * the archiver read back record by record. Anything else is a problem: the commit deletes nothing.
 */
final class SegmentCheck {

    /**
     * What a commit may delete: the memories {@code held} by the stored segment {@code segmentId} (the committed one, or
     * its rewrite), or nothing, with the {@code problem}. {@code dropped} are the commit's memories a rewrite left out
     * (erased or past retention): the segment no longer holds them, so the purger must not delete them.
     */
    record Confirmation(String segmentId, List<ArchivedMemory> held, List<ArchivedMemory> dropped, String problem) {
        static Confirmation refused(String segmentId, String problem) {
            return new Confirmation(segmentId, List.of(), List.of(), problem);
        }
    }

    private final SegmentStore store;

    SegmentCheck(SegmentStore store) {
        this.store = store;
    }

    /**
     * Confirms the commit's segment as {@link #problem} does; a segment no longer stored is confirmed in its stored
     * rewrite ({@link SegmentIds#rewritten}: retention or erasure replaced it before the purger came to its commit), for
     * the memories the rewrite kept at exactly the committed version. The rewrite's stored video must hash to what its
     * own index describes; the rewrite verified every record before it was stored, and deletes the original only after
     * the catalog moved to the rewrite, so a rewrite found here is one the catalog points at, or a later rewrite of it.
     *
     * @throws IOException when the store did not answer (retry)
     */
    Confirmation confirm(SegmentCommitted commit) throws IOException {
        String segmentId = commit.getSegmentId();
        String problem = problem(commit);
        if (problem == null) {
            return new Confirmation(segmentId, commit.getMemories(), List.of(), null);
        }
        if (store.contains(segmentId)) {
            return Confirmation.refused(segmentId, problem);
        }
        List<String> rewrites = store.list().stream()
                .filter(id -> !id.equals(segmentId) && SegmentIds.original(id).equals(SegmentIds.original(segmentId))).sorted().toList();
        List<String> refusals = new ArrayList<>();
        for (String rewrite : rewrites) {
            Confirmation confirmation = inRewrite(commit, rewrite);
            if (confirmation.problem() == null) {
                return confirmation;
            }
            refusals.add(confirmation.problem());
        }
        return Confirmation.refused(segmentId, problem + (refusals.isEmpty() ? ", nor is any rewrite of it" : "; its rewrites: " + String.join("; ", refusals)));
    }

    private Confirmation inRewrite(SegmentCommitted commit, String rewrite) throws IOException {
        Path video;
        try {
            video = store.fetch(rewrite);
        } catch (NoSuchFileException e) {
            return Confirmation.refused(rewrite, "rewrite " + rewrite + " is gone: " + e.getMessage());
        }
        String stored = sha256(video);
        try (SegmentReader reader = SegmentReader.open(video)) {
            SegmentManifest manifest = reader.manifest();
            if (!stored.equals(manifest.videoSha256())) {
                return Confirmation.refused(rewrite, "stored video of rewrite " + rewrite + " hashes to " + stored + ", its index describes "
                        + manifest.videoSha256());
            }
            Map<String, Set<String>> recorded = versions(manifest);
            List<ArchivedMemory> held = new ArrayList<>();
            List<ArchivedMemory> dropped = new ArrayList<>();
            for (ArchivedMemory memory : commit.getMemories()) {
                (recorded.getOrDefault(memory.getId(), Set.of()).contains(heldVersion(memory)) ? held : dropped).add(memory);
            }
            return new Confirmation(rewrite, held, dropped, null);
        } catch (SegmentFormatException e) {
            return Confirmation.refused(rewrite, "rewrite " + rewrite + " does not open: " + e.getMessage());
        }
    }

    private static Map<String, Set<String>> versions(SegmentManifest manifest) {
        Map<String, Set<String>> recorded = new HashMap<>();
        for (SegmentManifest.Entry entry : manifest.entries()) {
            recorded.computeIfAbsent(entry.memoryId(), id -> new HashSet<>()).add(entry.version());
        }
        return recorded;
    }

    /** The version the segment holds for a memory: under a redaction policy the redacted form's. */
    private static String heldVersion(ArchivedMemory memory) {
        return memory.getStoredVersion() != null ? memory.getStoredVersion() : memory.getVersion();
    }

    /**
     * Null when the segment is confirmed, else why not.
     *
     * @throws IOException when the store did not answer (retry; a missing segment is a problem, not an exception)
     */
    String problem(SegmentCommitted commit) throws IOException {
        String segmentId = commit.getSegmentId();
        if (!store.contains(segmentId)) {
            return "segment " + segmentId + " is not in the store";
        }
        Path video;
        try {
            video = store.fetch(segmentId);
        } catch (NoSuchFileException e) {
            return "segment " + segmentId + " is not in the store: " + e.getMessage();
        }
        String stored = sha256(video);
        if (!stored.equals(commit.getSha256())) {
            return "stored video of " + segmentId + " hashes to " + stored + ", the commit says " + commit.getSha256();
        }
        try (SegmentReader reader = SegmentReader.open(video)) {
            SegmentManifest manifest = reader.manifest();
            if (!commit.getSha256().equals(manifest.videoSha256())) {
                return "the index of " + segmentId + " describes video " + manifest.videoSha256() + ", the commit says " + commit.getSha256();
            }
            Map<String, Set<String>> recorded = versions(manifest);
            for (ArchivedMemory memory : commit.getMemories()) {
                String held = heldVersion(memory);
                if (!recorded.getOrDefault(memory.getId(), Set.of()).contains(held)) {
                    return "segment " + segmentId + " does not hold " + memory.getId() + "@" + held
                            + (held.equals(memory.getVersion()) ? "" : " (the redacted form of version " + memory.getVersion() + ")");
                }
            }
        } catch (SegmentFormatException e) {
            return "segment " + segmentId + " does not open: " + e.getMessage();
        }
        return null;
    }

    static String sha256(Path file) throws IOException {
        MessageDigest digest;
        try {
            digest = MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JVM ships SHA-256", e);
        }
        try (InputStream in = new DigestInputStream(Files.newInputStream(file), digest)) {
            in.transferTo(java.io.OutputStream.nullOutputStream());
        }
        return HexFormat.of().formatHex(digest.digest());
    }
}
