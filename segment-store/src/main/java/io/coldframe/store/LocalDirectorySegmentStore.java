package io.coldframe.store;

import java.io.IOException;
import java.io.InputStream;
import java.nio.channels.FileChannel;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.security.DigestInputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.nio.file.attribute.FileTime;
import java.time.Instant;
import java.util.HexFormat;
import java.util.List;
import java.util.stream.Stream;

/**
 * Segments as files in one directory: {@code <id>.mkv} beside {@code <id>.manifest.json}. Each file is copied to a
 * hidden temporary name in the directory, fsynced and then linked under its final name; the manifest goes first so that
 * a video is never visible without it, and the video's copy is hashed on the way so that what was stored is what was
 * verified.
 *
 * <p>No replace: the final name is created with a hard link, which fails atomically when the name exists (a rename
 * would silently replace it). An existing file is then compared with the new copy: identical bytes are kept (their
 * modification time refreshed: the replay stored them again), different bytes fail with
 * {@link SegmentConflictException} and the existing file stays. On a file system without hard links the store checks
 * for the name and renames without replacing (not atomic against a concurrent writer of the same id).
 */
public final class LocalDirectorySegmentStore implements SegmentStore {

    public static final String VIDEO_SUFFIX = ".mkv";
    public static final String MANIFEST_SUFFIX = ".manifest.json";

    private final Path root;

    public LocalDirectorySegmentStore(Path root) throws IOException {
        this.root = Files.createDirectories(root);
    }

    @Override
    public String store(String segmentId, Path stagedVideo, Path stagedManifest, String videoSha256) throws IOException {
        checkId(segmentId);
        copyDurably(stagedManifest, root.resolve(segmentId + MANIFEST_SUFFIX), null);
        Path video = root.resolve(segmentId + VIDEO_SUFFIX);
        copyDurably(stagedVideo, video, videoSha256);
        fsync(root, true);
        return video.toUri().toString();
    }

    @Override
    public boolean contains(String segmentId) {
        return Files.isRegularFile(root.resolve(segmentId + VIDEO_SUFFIX));
    }

    @Override
    public Path fetch(String segmentId) throws IOException {
        Path video = root.resolve(segmentId + VIDEO_SUFFIX);
        if (!Files.isRegularFile(video)) {
            throw new NoSuchFileException(video.toString(), null, "no stored segment " + segmentId);
        }
        return video;
    }

    @Override
    public byte[] readVideoRange(String segmentId, long offset, int length) throws IOException {
        if (offset < 0 || length < 0) {
            throw new IllegalArgumentException("range " + offset + "+" + length);
        }
        Path video = root.resolve(segmentId + VIDEO_SUFFIX);
        try (java.nio.channels.FileChannel channel = java.nio.channels.FileChannel.open(video, java.nio.file.StandardOpenOption.READ)) {
            int n = (int) Math.max(0, Math.min(length, channel.size() - offset));
            java.nio.ByteBuffer buffer = java.nio.ByteBuffer.allocate(n);
            while (buffer.hasRemaining()) {
                if (channel.read(buffer, offset + buffer.position()) < 0) {
                    break;
                }
            }
            return buffer.position() == n ? buffer.array() : java.util.Arrays.copyOf(buffer.array(), buffer.position());
        }
    }

    @Override
    public long videoSize(String segmentId) throws IOException {
        return Files.size(root.resolve(segmentId + VIDEO_SUFFIX));
    }

    @Override
    public List<String> list() throws IOException {
        try (Stream<Path> files = Files.list(root)) {
            return files.map(path -> path.getFileName().toString())
                    .filter(name -> name.endsWith(VIDEO_SUFFIX) && !name.startsWith("."))
                    .map(name -> name.substring(0, name.length() - VIDEO_SUFFIX.length()))
                    .sorted()
                    .toList();
        }
    }

    @Override
    public Instant storedAt(String segmentId) throws IOException {
        return Files.getLastModifiedTime(fetch(segmentId)).toInstant();
    }

    @Override
    public void delete(String segmentId) throws IOException {
        checkId(segmentId);
        Files.deleteIfExists(root.resolve(segmentId + VIDEO_SUFFIX));
        Files.deleteIfExists(root.resolve(segmentId + MANIFEST_SUFFIX));
        fsync(root, true);
    }

    private void copyDurably(Path source, Path target, String expectedSha256) throws IOException {
        // a name of its own (not createTempFile: that would make the stored file readable by its owner only)
        Path partial = root.resolve("." + target.getFileName() + "." + java.util.UUID.randomUUID() + ".partial");
        try {
            MessageDigest digest = sha256();
            try (InputStream in = new DigestInputStream(Files.newInputStream(source), digest)) {
                Files.copy(in, partial);
            }
            String actual = HexFormat.of().formatHex(digest.digest());
            if (expectedSha256 != null && !expectedSha256.equals(actual)) {
                throw new IOException("refusing to store " + target.getFileName() + ": it hashes to " + actual + ", verified was " + expectedSha256);
            }
            fsync(partial, false);
            if (!createWithoutReplacing(partial, target)) {
                String existing = sha256Hex(target);
                if (!existing.equals(actual)) {
                    throw new SegmentConflictException(target.toString(), existing, actual);
                }
                // a replay of identical bytes: keep the stored file, but it was stored again now (gc's grace counts from here)
                Files.setLastModifiedTime(target, FileTime.from(Instant.now()));
            }
        } finally {
            Files.deleteIfExists(partial);
        }
    }

    /** Gives {@code partial} the name {@code target} unless that name exists; false when it does. */
    private static boolean createWithoutReplacing(Path partial, Path target) throws IOException {
        try {
            Files.createLink(target, partial);
            return true;
        } catch (FileAlreadyExistsException e) {
            return false;
        } catch (UnsupportedOperationException | FileSystemException e) {
            if (e instanceof FileSystemException && Files.exists(target)) {
                return false;
            }
            // no hard links here: a rename without REPLACE_EXISTING (not ATOMIC_MOVE: on POSIX that replaces silently)
            try {
                Files.move(partial, target);
                return true;
            } catch (FileAlreadyExistsException exists) {
                return false;
            }
        }
    }

    static void checkId(String segmentId) {
        if (segmentId == null || segmentId.isEmpty() || segmentId.contains("/") || segmentId.contains("\\")
                || segmentId.startsWith(".") || segmentId.chars().anyMatch(Character::isISOControl)) {
            throw new IllegalArgumentException("not a segment id: " + segmentId);
        }
    }

    private static String sha256Hex(Path file) throws IOException {
        MessageDigest digest = sha256();
        try (InputStream in = new DigestInputStream(Files.newInputStream(file), digest)) {
            in.transferTo(java.io.OutputStream.nullOutputStream());
        }
        return HexFormat.of().formatHex(digest.digest());
    }

    private static void fsync(Path path, boolean directory) throws IOException {
        try (FileChannel channel = FileChannel.open(path, directory ? StandardOpenOption.READ : StandardOpenOption.WRITE)) {
            channel.force(true);
        }
    }

    private static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JVM ships SHA-256", e);
        }
    }
}
