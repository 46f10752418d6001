package io.coldframe.common;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.stream.Stream;

/** Scratch directories (segment staging), removed whole: contents first, then the directory. */
public final class Directories {

    private Directories() {
    }

    /** Removes {@code dir} and everything below it; nothing to do when it does not exist. */
    public static void deleteRecursively(Path dir) throws IOException {
        if (!Files.exists(dir)) {
            return;
        }
        try (Stream<Path> paths = Files.walk(dir)) {
            for (Path path : paths.sorted(Comparator.reverseOrder()).toList()) {
                Files.delete(path);
            }
        }
    }

    /** {@code dir}, created anew and empty: whatever an earlier, interrupted run left there is removed first. */
    public static Path fresh(Path dir) throws IOException {
        deleteRecursively(dir);
        return Files.createDirectories(dir);
    }
}
