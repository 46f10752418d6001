package io.coldframe.local;

import java.time.Clock;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import de.bwaldvogel.mongo.MongoBackend;
import de.bwaldvogel.mongo.backend.AbstractCursor;
import de.bwaldvogel.mongo.backend.Cursor;
import de.bwaldvogel.mongo.backend.CursorRegistry;
import de.bwaldvogel.mongo.backend.Utils;
import de.bwaldvogel.mongo.backend.aggregation.Aggregation;
import de.bwaldvogel.mongo.bson.BsonTimestamp;
import de.bwaldvogel.mongo.bson.Document;
import de.bwaldvogel.mongo.exception.CursorNotFoundException;
import de.bwaldvogel.mongo.exception.MongoServerError;
import de.bwaldvogel.mongo.oplog.Oplog;

/**
 * The stand-in's oplog, kept like a capped one: entries in time order in memory, each change-stream poll reads only
 * the entries after its cursor's position (mongo-java-server's own {@code CollectionBackedOplog} walks and sorts the
 * whole oplog collection on every poll, so each poll costs more than the last), and old entries are dropped once the
 * oplog holds more than {@link #DEFAULT_RETAINED} of them, but never one an open change stream has not read yet.
 * Resuming from a point that was dropped fails as on MongoDB ({@code ChangeStreamHistoryLost}, code 286) instead of
 * silently skipping events.
 *
 * <p>The change events it produces are those of mongo-java-server 1.47.0, with the same defects (no {@code ns}, an
 * update's {@code documentKey} is the update, a replace is reported as update); only where the events are kept
 * changed. The oplog is not visible as {@code local.oplog.rs}; nothing of coldframe reads it. Local mode only.
 */
final class StandInOplog implements Oplog {

    /** Entries kept beyond what the open change streams still need, as a capped oplog keeps its newest entries. */
    static final int DEFAULT_RETAINED = 20_000;

    private static final int CHANGE_STREAM_HISTORY_LOST = 286;

    /**
     * How long an empty change-stream poll waits for a new entry. MongoDB holds an awaitData getMore up to its
     * maxTimeMS; without a wait the connector's task polled an idle stand-in in a busy loop (about a core). The
     * stand-in answers on its network threads, which serve other connections too, so the wait stays short.
     */
    static final long EMPTY_POLL_WAIT_MS = 25;

    private record Entry(String namespace, Document oplogDocument) {
    }

    private final Clock clock;
    private final MongoBackend backend;
    private final CursorRegistry cursorRegistry;
    private final int retained;
    private final UUID ui = UUID.randomUUID();
    private final ConcurrentSkipListMap<Long, Entry> entries = new ConcurrentSkipListMap<>();
    private final Set<ChangeStreamCursor> cursors = ConcurrentHashMap.newKeySet();
    private int size;
    private int increment;
    /** Timestamp value of the newest dropped entry (0: nothing dropped yet). */
    private volatile long droppedUpTo;

    StandInOplog(MongoBackend backend, CursorRegistry cursorRegistry, int retained) {
        this.clock = backend.getClock();
        this.backend = backend;
        this.cursorRegistry = cursorRegistry;
        this.retained = retained;
    }

    int size() {
        synchronized (this) {
            return size;
        }
    }

    @Override
    public void handleInsert(String namespace, List<Document> documents) {
        append(namespace, documents.stream().map(document -> base("i", namespace).append("o", document.cloneDeeply())).toList());
    }

    @Override
    public void handleUpdate(String namespace, Document selector, Document query, List<Object> modifiedIds) {
        append(namespace, modifiedIds.stream().map(id -> base("u", namespace).append("o", query).append("o2", new Document("_id", id))).toList());
    }

    @Override
    public void handleDelete(String namespace, Document query, List<Object> deletedIds) {
        append(namespace, deletedIds.stream().map(id -> base("d", namespace).append("o", new Document("_id", id))).toList());
    }

    @Override
    public void handleDropCollection(String namespace) {
        String database = Utils.getDatabaseNameFromFullName(namespace);
        String collection = Utils.getCollectionNameFromFullName(namespace);
        String commandNamespace = database + ".$cmd";
        append(commandNamespace, List.of(base("c", commandNamespace).append("o", new Document("drop", collection))));
    }

    private Document base(String op, String namespace) {
        return new Document().append("t", 1L).append("h", 0L).append("v", 2L).append("op", op).append("ns", namespace)
                .append("ui", ui).append("wall", clock.instant());
    }

    /** Timestamps are taken and entries added under one lock, so a reader never sees a later entry before an earlier one. */
    private synchronized void append(String namespace, List<Document> oplogDocuments) {
        for (Document document : oplogDocuments) {
            BsonTimestamp timestamp = new BsonTimestamp(clock.instant(), ++increment);
            document.put("ts", timestamp);
            entries.put(timestamp.getValue(), new Entry(namespace, document));
            size++;
        }
        trim();
        notifyAll(); // change streams waiting in an empty poll
    }

    private long newestEntry() {
        Map.Entry<Long, Entry> last = entries.lastEntry();
        return last == null ? 0 : last.getKey();
    }

    /** Waits, at most {@link #EMPTY_POLL_WAIT_MS}, until the oplog holds an entry newer than {@code newest}. */
    private synchronized void awaitEntryAfter(long newest) {
        long deadline = System.nanoTime() + EMPTY_POLL_WAIT_MS * 1_000_000;
        try {
            for (long left = EMPTY_POLL_WAIT_MS; newestEntry() == newest && left > 0;
                    left = (deadline - System.nanoTime()) / 1_000_000) {
                wait(left);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private void trim() {
        if (size <= retained) {
            return;
        }
        long keepFrom = Long.MAX_VALUE;
        for (ChangeStreamCursor cursor : cursors) {
            if (isOpen(cursor)) {
                keepFrom = Math.min(keepFrom, cursor.position);
            } else {
                cursors.remove(cursor);
            }
        }
        while (size > retained) {
            Map.Entry<Long, Entry> oldest = entries.firstEntry();
            if (oldest == null || oldest.getKey() > keepFrom) {
                return;
            }
            entries.pollFirstEntry();
            size--;
            droppedUpTo = oldest.getKey();
        }
    }

    private boolean isOpen(ChangeStreamCursor cursor) {
        try {
            return cursorRegistry.getCursor(cursor.getId()) == cursor;
        } catch (CursorNotFoundException e) {
            return false;
        }
    }

    @Override
    public Cursor createCursor(Document changeStreamDocument, String namespace, Aggregation aggregation) {
        Document startAfter = (Document) changeStreamDocument.get("startAfter");
        Document resumeAfter = (Document) changeStreamDocument.get("resumeAfter");
        BsonTimestamp startAtOperationTime = (BsonTimestamp) changeStreamDocument.get("startAtOperationTime");
        long position;
        boolean inclusive = false;
        if (startAfter != null || resumeAfter != null) {
            position = Long.parseLong((String) (startAfter != null ? startAfter : resumeAfter).get("_data"), 16);
        } else if (startAtOperationTime != null) {
            position = startAtOperationTime.getValue();
            inclusive = true;
        } else {
            synchronized (this) {
                position = new BsonTimestamp(clock.instant(), increment).getValue();
            }
        }
        if ((startAfter != null || resumeAfter != null || startAtOperationTime != null) && position < droppedUpTo) {
            throw new MongoServerError(CHANGE_STREAM_HISTORY_LOST, "ChangeStreamHistoryLost",
                    "Resume of change stream was not possible, as the resume point may no longer be in the oplog.");
        }
        ChangeStreamCursor cursor = new ChangeStreamCursor(cursorRegistry.generateCursorId(), changeStreamDocument, namespace,
                aggregation, inclusive ? position - 1 : position);
        cursors.add(cursor);
        cursorRegistry.add(cursor);
        return cursor;
    }

    private final class ChangeStreamCursor extends AbstractCursor {
        private final Document changeStreamDocument;
        private final String namespace;
        private final Aggregation aggregation;
        /** Timestamp value of the last entry returned: the next poll reads the entries after it. */
        private volatile long position;

        ChangeStreamCursor(long id, Document changeStreamDocument, String namespace, Aggregation aggregation, long position) {
            super(id);
            this.changeStreamDocument = changeStreamDocument;
            this.namespace = namespace;
            this.aggregation = aggregation;
            this.position = position;
        }

        @Override
        public boolean isEmpty() {
            return false;
        }

        @Override
        public List<Document> takeDocuments(int numberToReturn) {
            long newest = newestEntry();
            List<Document> documents = read(numberToReturn);
            if (documents.isEmpty()) { // nothing new for this stream: wait as an awaitData cursor does, then look once more
                awaitEntryAfter(newest);
                documents = read(numberToReturn);
            }
            return documents;
        }

        private List<Document> read(int numberToReturn) {
            NavigableMap<Long, Entry> after = entries.tailMap(position, false);
            Stream<Document> events = after.values().stream()
                    .filter(entry -> inNamespace(entry.namespace(), namespace))
                    .map(entry -> toChangeEvent(entry.oplogDocument(), changeStreamDocument));
            Stream<Document> stream = aggregation.runStagesAsStream(events);
            if (numberToReturn > 0) {
                stream = stream.limit(numberToReturn);
            }
            List<Document> documents = stream.collect(Collectors.toList());
            if (!documents.isEmpty()) {
                Document last = documents.get(documents.size() - 1);
                position = Long.parseLong((String) ((Document) last.get("_id")).get("_data"), 16);
            }
            return documents;
        }
    }

    private static boolean inNamespace(String entryNamespace, String namespace) {
        if (entryNamespace.equals(namespace)) {
            return true;
        }
        return Utils.getDatabaseNameFromFullName(namespace).equals(Utils.getDatabaseNameFromFullName(entryNamespace))
                && Utils.getCollectionNameFromFullName(entryNamespace).equals("$cmd");
    }

    private Document toChangeEvent(Document oplogDocument, Document changeStreamDocument) {
        String op = (String) oplogDocument.get("op");
        Document o = (Document) oplogDocument.get("o");
        BsonTimestamp timestamp = (BsonTimestamp) oplogDocument.get("ts");
        Document id = new Document("_data", Long.toHexString(timestamp.getValue()));
        if (op.equals("c")) {
            String command = o.keySet().stream().findFirst().orElseThrow();
            return new Document().append("_id", id).append("operationType", command).append("clusterTime", timestamp);
        }
        String operationType;
        Document documentKey;
        Document fullDocument;
        switch (op) {
            case "i" -> {
                operationType = "insert";
                documentKey = new Document("_id", o.get("_id"));
                fullDocument = o;
            }
            case "u" -> {
                operationType = "update";
                documentKey = o;
                fullDocument = lookUp(changeStreamDocument, oplogDocument);
            }
            case "d" -> {
                operationType = "delete";
                documentKey = o;
                fullDocument = null;
            }
            default -> throw new IllegalArgumentException("unexpected oplog operation: " + op);
        }
        return new Document().append("_id", id).append("operationType", operationType).append("fullDocument", fullDocument)
                .append("documentKey", documentKey).append("clusterTime", timestamp);
    }

    /** As mongo-java-server does: the current document (by an _id lookup here, not a scan), else the update's delta. */
    private Document lookUp(Document changeStreamDocument, Document oplogDocument) {
        Document update = (Document) oplogDocument.get("o");
        Document delta = new Document();
        if (update.containsKey("$set")) {
            delta.appendAll((Document) update.get("$set"));
        }
        if (update.containsKey("$unset")) {
            delta.appendAll((Document) update.get("$unset"));
        }
        if (!"updateLookup".equals(changeStreamDocument.get("fullDocument"))) {
            return delta;
        }
        String namespace = (String) oplogDocument.get("ns");
        Object id = ((Document) oplogDocument.get("o2")).get("_id");
        de.bwaldvogel.mongo.MongoCollection<?> collection = backend.resolveDatabase(Utils.getDatabaseNameFromFullName(namespace))
                .resolveCollection(Utils.getCollectionNameFromFullName(namespace), true);
        for (Document document : collection.handleQueryAsStream(new Document("_id", id)).toList()) {
            return document;
        }
        return delta;
    }
}
