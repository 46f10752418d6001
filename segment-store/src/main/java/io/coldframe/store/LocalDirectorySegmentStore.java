package io.coldframe.store;

import java.io.IOException;
import java.io.InputStream;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.security.DigestInputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;
import java.util.stream.Stream;

/**
 * Segments as files in one directory: {@code <id>.mkv} beside {@code <id>.manifest.json}. Each file is copied to a
 * hidden temporary name in the directory, fsynced and renamed atomically; the manifest goes first so that a video is
 * never visible without it, and the video's copy is hashed on the way so that what was stored is what was verified.
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
    public List<String> list() throws IOException {
        try (Stream<Path> files = Files.list(root)) {
            return files.map(path -> path.getFileName().toString())
                    .filter(name -> name.endsWith(VIDEO_SUFFIX) && !name.startsWith("."))
                    .map(name -> name.substring(0, name.length() - VIDEO_SUFFIX.length()))
                    .sorted()
                    .toList();
        }
    }

    private void copyDurably(Path source, Path target, String expectedSha256) throws IOException {
        Path partial = root.resolve("." + target.getFileName() + ".partial");
        MessageDigest digest = sha256();
        try (InputStream in = new DigestInputStream(Files.newInputStream(source), digest)) {
            Files.copy(in, partial, StandardCopyOption.REPLACE_EXISTING);
        }
        String actual = HexFormat.of().formatHex(digest.digest());
        if (expectedSha256 != null && !expectedSha256.equals(actual)) {
            Files.deleteIfExists(partial);
            throw new IOException("refusing to store " + target.getFileName() + ": it hashes to " + actual + ", verified was " + expectedSha256);
        }
        fsync(partial, false);
        Files.move(partial, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
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
