package io.coldframe.cli.demo;

import java.io.BufferedReader;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import org.bson.BsonDocument;
import org.bson.json.JsonParseException;

import io.coldframe.common.MemoryFields;

/** A JSONL corpus: one MongoDB Extended JSON document per line; blank lines are skipped. */
final class CorpusFile {

    /** A document and the line it was read from (1-based). */
    record Line(int number, BsonDocument document) {
    }

    private CorpusFile() {
    }

    static List<Line> read(Path file) throws IOException {
        List<Line> documents = new ArrayList<>();
        try (BufferedReader reader = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            String line;
            int lineNumber = 0;
            while ((line = reader.readLine()) != null) {
                lineNumber++;
                if (line.isBlank()) {
                    continue;
                }
                documents.add(new Line(lineNumber, parse(file, lineNumber, line)));
            }
        } catch (NoSuchFileException e) {
            throw new IllegalArgumentException("corpus file not found: " + file);
        }
        return documents;
    }

    private static BsonDocument parse(Path file, int lineNumber, String line) {
        BsonDocument document;
        try {
            document = BsonDocument.parse(line);
        } catch (JsonParseException | IllegalArgumentException | org.bson.BsonInvalidOperationException e) {
            throw new IllegalArgumentException(file + ":" + lineNumber + ": not an Extended JSON document: " + e.getMessage());
        }
        if (!document.containsKey(MemoryFields.ID)) {
            throw new IllegalArgumentException(file + ":" + lineNumber + ": document has no _id; give every memory one so it can be reconciled");
        }
        return document;
    }
}
