package io.coldframe.cli.segment;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

import io.coldframe.cli.ToolCommand;
import io.coldframe.segment.SegmentManifest;

/**
 * What the segment commands accept as a segment: its video ({@code S.mkv}), its manifest ({@code S.manifest.json}),
 * or a directory, meaning every segment in it (every {@code *.manifest.json}, in name order: a manifest only exists
 * beside a complete video).
 */
final class SegmentPaths {

    static final String MANIFEST_SUFFIX = ".manifest.json";

    private SegmentPaths() {
    }

    /** The video a path names: the path itself, or for a manifest the {@code .mkv} beside it. */
    static Path videoOf(Path path) {
        String name = path.getFileName() == null ? "" : path.getFileName().toString();
        if (name.endsWith(MANIFEST_SUFFIX)) {
            return path.resolveSibling(name.substring(0, name.length() - MANIFEST_SUFFIX.length()) + ".mkv");
        }
        return path;
    }

    static Path manifestOf(Path video) {
        return SegmentManifest.pathBeside(video);
    }

    /**
     * Expands the arguments to segment videos, checking up front that each exists.
     *
     * @param needVideo false where the manifest alone will do ({@code inspect})
     * @throws ToolCommand.Failure (exit code 2) naming the first missing file, or an empty directory
     */
    static List<Path> expand(List<Path> paths, boolean needVideo) throws IOException {
        List<Path> videos = new ArrayList<>();
        for (Path p : paths) {
            if (Files.isDirectory(p)) {
                List<Path> inDir;
                try (Stream<Path> list = Files.list(p)) {
                    inDir = list.filter(f -> f.getFileName().toString().endsWith(MANIFEST_SUFFIX))
                            .filter(Files::isRegularFile).sorted().map(SegmentPaths::videoOf).toList();
                }
                if (inDir.isEmpty()) {
                    throw new ToolCommand.Failure(ToolCommand.USAGE, "no segments (*" + MANIFEST_SUFFIX + ") in directory " + p);
                }
                for (Path v : inDir) {
                    check(v, needVideo);
                }
                videos.addAll(inDir);
            } else {
                Path v = videoOf(p);
                check(v, needVideo);
                videos.add(v);
            }
        }
        return videos;
    }

    private static void check(Path video, boolean needVideo) {
        Path manifest = manifestOf(video);
        if (needVideo && !Files.isRegularFile(video)) {
            throw new ToolCommand.Failure(ToolCommand.USAGE, "segment video not found: " + video);
        }
        if (!Files.isRegularFile(manifest)) {
            throw new ToolCommand.Failure(ToolCommand.USAGE, needVideo
                    ? "segment manifest not found beside " + video + ": " + manifest
                    : "segment manifest not found: " + manifest);
        }
    }
}
