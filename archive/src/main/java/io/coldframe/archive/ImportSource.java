package io.coldframe.archive;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.security.DigestInputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.stream.Stream;

import org.bson.BsonDocument;
import org.bson.BsonInvalidOperationException;
import org.bson.BsonValue;
import org.bson.json.JsonParseException;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;

import io.coldframe.common.MemoryFields;
import io.coldframe.common.Progress;

/**
 * The memory documents of the files {@code coldframe import} reads, in order: a {@code .jsonl} file (one Extended JSON
 * document per line, canonical or relaxed; blank lines skipped), a {@code .json} file (one document or an array of
 * them), or a directory (its {@code .jsonl} and {@code .json} files, by name). Each document is parsed exactly as
 * MongoDB's Extended JSON says (the {@code bson} library's parser), so every BSON type comes through. Each file's
 * SHA-256 is computed from the bytes read.
 */
public final class ImportSource {

    /** One document read, or why a piece of input is not one; {@code line} is where it starts (1-based). */
    public record Entry(Path file, long line, BsonDocument document, String field, String problem) {

        boolean rejected() {
            return problem != null;
        }
    }

    /** Receives what is read, file by file. */
    public interface Sink {
        void accept(Entry entry);

        /** A file was read to its end (or as far as it could be parsed). */
        void fileDone(Path file, long bytes, String sha256);
    }

    private final List<Path> files;

    private ImportSource(List<Path> files) {
        this.files = List.copyOf(files);
    }

    /**
     * The files {@code path} names.
     *
     * @throws IllegalArgumentException when it is missing, of another kind, or a directory without such files
     */
    public static ImportSource of(Path path) throws IOException {
        if (Files.isDirectory(path)) {
            List<Path> files;
            try (Stream<Path> listed = Files.list(path)) {
                files = listed.filter(file -> Files.isRegularFile(file) && isImportable(file)).sorted().toList();
            }
            if (files.isEmpty()) {
                throw new IllegalArgumentException("no .jsonl or .json files in " + path);
            }
            return new ImportSource(files);
        }
        if (!Files.isRegularFile(path)) {
            throw new IllegalArgumentException("input not found: " + path);
        }
        if (!isImportable(path)) {
            throw new IllegalArgumentException(path + ": expected a .jsonl or .json file, or a directory of them");
        }
        return new ImportSource(List.of(path));
    }

    public List<Path> files() {
        return files;
    }

    /** Bytes of all files, for progress. */
    public long totalBytes() throws IOException {
        long total = 0;
        for (Path file : files) {
            total += Files.size(file);
        }
        return total;
    }

    /** Reads every file, in order, into {@code sink}; {@code progress} advances by bytes read. */
    public void read(Sink sink, Progress progress) throws IOException {
        for (Path file : files) {
            if (name(file).endsWith(".jsonl")) {
                readLines(file, sink, progress);
            } else {
                readJson(file, sink, progress);
            }
        }
    }

    private static void readLines(Path file, Sink sink, Progress progress) throws IOException {
        MessageDigest digest = sha256();
        long bytes = 0;
        try (BufferedReader reader = new BufferedReader(new InputStreamReader(
                new DigestInputStream(openFile(file), digest), StandardCharsets.UTF_8))) {
            String text;
            long line = 0;
            while ((text = reader.readLine()) != null) {
                line++;
                long lineBytes = text.getBytes(StandardCharsets.UTF_8).length + 1L;
                bytes += lineBytes;
                progress.advance(lineBytes);
                if (!text.isBlank()) {
                    sink.accept(parse(file, line, text));
                }
            }
        }
        sink.fileDone(file, Files.size(file), HexFormat.of().formatHex(digest.digest()));
    }

    /** A .json file: one document, or an array of documents; Jackson's streaming parser says where each one starts. */
    private static void readJson(Path file, Sink sink, Progress progress) throws IOException {
        byte[] bytes = Files.readAllBytes(file);
        progress.advance(bytes.length);
        String text = new String(bytes, StandardCharsets.UTF_8);
        try (JsonParser parser = new JsonFactory().createParser(text)) {
            JsonToken first = parser.nextToken();
            if (first == JsonToken.START_OBJECT) {
                element(file, text, parser, sink);
            } else if (first == JsonToken.START_ARRAY) {
                JsonToken token;
                while ((token = parser.nextToken()) != JsonToken.END_ARRAY && token != null) {
                    if (token == JsonToken.START_OBJECT) {
                        element(file, text, parser, sink);
                    } else {
                        parser.skipChildren();
                        sink.accept(new Entry(file, parser.currentTokenLocation().getLineNr(), null, null,
                                "an array element that is not a document (" + token.asString() + ")"));
                    }
                }
            } else if (first != null) {
                sink.accept(new Entry(file, 1, null, null, "expected a document or an array of documents"));
            }
        } catch (JsonProcessingException e) {
            long line = e.getLocation() == null ? 0 : e.getLocation().getLineNr();
            sink.accept(new Entry(file, line, null, null, "not JSON from here on, the rest of the file was not read: " + e.getOriginalMessage()));
        }
        sink.fileDone(file, bytes.length, HexFormat.of().formatHex(sha256().digest(bytes)));
    }

    private static void element(Path file, String text, JsonParser parser, Sink sink) throws IOException {
        long line = parser.currentTokenLocation().getLineNr();
        int start = (int) parser.currentTokenLocation().getCharOffset();
        parser.skipChildren();
        int end = (int) parser.currentLocation().getCharOffset();
        sink.accept(parse(file, line, text.substring(start, end)));
    }

    /** The document in {@code json}, or a rejection naming the field when one is at fault. */
    static Entry parse(Path file, long line, String json) {
        BsonDocument document;
        try {
            document = BsonDocument.parse(json);
        } catch (JsonParseException | BsonInvalidOperationException | IllegalArgumentException e) {
            return new Entry(file, line, null, null, "not an Extended JSON document: " + e.getMessage());
        }
        BsonValue id = document.get(MemoryFields.ID);
        if (id == null) {
            return new Entry(file, line, null, MemoryFields.ID, "no _id (import upserts by _id)");
        }
        if (id.isArray()) {
            return new Entry(file, line, null, MemoryFields.ID, "an array, which MongoDB does not take as _id");
        }
        return new Entry(file, line, document, null, null);
    }

    private static boolean isImportable(Path file) {
        String name = name(file);
        return name.endsWith(".jsonl") || name.endsWith(".json");
    }

    private static String name(Path file) {
        return file.getFileName().toString().toLowerCase(Locale.ROOT);
    }

    private static InputStream openFile(Path file) throws IOException {
        try {
            return Files.newInputStream(file);
        } catch (NoSuchFileException e) {
            throw new IllegalArgumentException("input not found: " + file, e);
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
