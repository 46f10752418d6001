package io.coldframe.cli;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import org.bson.BsonDocument;
import org.bson.json.JsonParseException;

import io.coldframe.common.MemoryDocuments;
import io.coldframe.common.MemoryFields;
import io.coldframe.common.Progress;
import io.coldframe.segment.SegmentRecord;

/**
 * Reads a JSONL file of memory documents: one MongoDB Extended JSON document (canonical or relaxed) per line, each
 * with an {@code _id}; blank lines are skipped. Each document becomes a segment record whose memory id is the
 * canonical Extended JSON of its {@code _id} and whose version is the SHA-256 of its BSON (key order as in the line).
 * Reads incrementally ({@link #next}), so a large file need not fit in memory.
 */
public final class JsonlDocuments implements AutoCloseable {

    /** The records read and the size of the input in bytes. */
    public record Read(List<SegmentRecord> records, long bytes) {
    }

    private final Path file;
    private final boolean fromStdin;
    private final long size;
    private final BufferedReader reader;
    private final Progress bar;
    private long bytes;
    private int lineNumber;

    private JsonlDocuments(Path file, boolean fromStdin, long size, BufferedReader reader, Progress bar) {
        this.file = file;
        this.fromStdin = fromStdin;
        this.size = size;
        this.reader = reader;
        this.bar = bar;
    }

    /**
     * @param file a file, or {@code -} for stdin
     * @throws ToolCommand.Failure (exit code 2) for a missing file
     */
    public static JsonlDocuments open(Path file, InputStream stdin) throws IOException {
        boolean fromStdin = file.toString().equals("-");
        long size = fromStdin ? 0 : sizeOf(file);
        BufferedReader reader = fromStdin ? new BufferedReader(new InputStreamReader(stdin, StandardCharsets.UTF_8))
                : Files.newBufferedReader(file, StandardCharsets.UTF_8);
        return new JsonlDocuments(file, fromStdin, size, reader,
                TerminalProgress.start("reading " + file.getFileName(), size, 64L << 20));
    }

    /** Reads the whole input. */
    public static Read read(Path file, InputStream stdin) throws IOException {
        try (JsonlDocuments in = open(file, stdin)) {
            List<SegmentRecord> all = in.next(Integer.MAX_VALUE);
            return new Read(all, in.size());
        }
    }

    /**
     * The next records, at most {@code max}; empty at the end of the input.
     *
     * @throws ToolCommand.Failure (exit code 2) for a line that is not a document or a document without {@code _id};
     *                             the message names file and line
     */
    public List<SegmentRecord> next(int max) throws IOException {
        List<SegmentRecord> records = new ArrayList<>();
        String line;
        while (records.size() < max && (line = reader.readLine()) != null) {
            lineNumber++;
            long lineBytes = utf8Length(line) + 1L;
            bytes += lineBytes;
            bar.advance(lineBytes);
            if (line.isBlank()) {
                continue;
            }
            BsonDocument document = parse(file, lineNumber, line);
            records.add(SegmentRecord.of(MemoryDocuments.idOf(document.get(MemoryFields.ID)), document));
        }
        return records;
    }

    /** The input's size: the file's, or for stdin the bytes read so far. */
    public long size() {
        return fromStdin ? bytes : size;
    }

    @Override
    public void close() throws IOException {
        bar.close();
        reader.close();
    }

    private static long utf8Length(String s) {
        long n = 0;
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c < 0x80) {
                n += 1;
            } else if (c < 0x800) {
                n += 2;
            } else if (Character.isHighSurrogate(c) && i + 1 < s.length() && Character.isLowSurrogate(s.charAt(i + 1))) {
                n += 4;
                i++;
            } else {
                n += 3;
            }
        }
        return n;
    }

    private static long sizeOf(Path file) throws IOException {
        try {
            if (Files.isDirectory(file)) {
                throw new ToolCommand.Failure(ToolCommand.USAGE, "input is a directory, expected a JSONL file: " + file);
            }
            return Files.size(file);
        } catch (NoSuchFileException e) {
            throw new ToolCommand.Failure(ToolCommand.USAGE, "input file not found: " + file);
        }
    }

    public static BsonDocument parse(Path file, int lineNumber, String line) {
        BsonDocument document;
        try {
            document = BsonDocument.parse(line);
        } catch (JsonParseException | IllegalArgumentException | org.bson.BsonInvalidOperationException e) {
            throw new ToolCommand.Failure(ToolCommand.USAGE,
                    file + ":" + lineNumber + ": not an Extended JSON document: " + e.getMessage());
        }
        if (!document.containsKey(MemoryFields.ID)) {
            throw new ToolCommand.Failure(ToolCommand.USAGE, file + ":" + lineNumber
                    + ": document has no _id (a memory's id is the canonical Extended JSON of its _id)");
        }
        return document;
    }
}
