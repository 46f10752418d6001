package io.coldframe.local;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;

import de.bwaldvogel.mongo.backend.AbstractCursor;
import de.bwaldvogel.mongo.backend.CursorRegistry;
import de.bwaldvogel.mongo.bson.Document;
import de.bwaldvogel.mongo.wire.bson.BsonEncoder;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;

/**
 * Answers a stand-in aggregation in batches of at most 16 MiB, as MongoDB does. mongo-java-server puts the whole result
 * in the first batch; a driver refuses any reply above 48 MB, so the connector's copy of existing documents (one
 * aggregation over the whole collection) failed once the collection passed that size.
 */
final class ByteBoundedBatches {

    static final int MAX_BATCH_BYTES = 16 * 1024 * 1024;
    private static final int SCRATCH_BYTES = 64 * 1024;

    private ByteBoundedBatches() {
    }

    /** The reply with a first batch of at most {@link #MAX_BATCH_BYTES}, the rest behind a registered cursor. */
    @SuppressWarnings("unchecked")
    static Document bound(Document reply, CursorRegistry cursors) {
        if (!(reply.get("cursor") instanceof Document cursor)
                || !(cursor.get("firstBatch") instanceof List<?> firstBatch)
                || !(cursor.get("id") instanceof Number id) || id.longValue() != 0) {
            return reply;
        }
        Remaining remaining = new Remaining(cursors.generateCursorId(), (List<Document>) firstBatch);
        List<Document> first = remaining.takeDocuments(0);
        if (remaining.isEmpty()) {
            return reply;
        }
        cursors.add(remaining);
        cursor.put("id", remaining.getId());
        cursor.put("firstBatch", first);
        return reply;
    }

    /** What a reply left out, served by getMore a batch at a time. */
    static final class Remaining extends AbstractCursor {
        private final Deque<Document> documents;

        Remaining(long id, List<Document> documents) {
            super(id);
            this.documents = new ArrayDeque<>(documents);
        }

        @Override
        public boolean isEmpty() {
            return documents.isEmpty();
        }

        /** Up to {@code count} documents (0: no count limit) and at most 16 MiB, but always at least one. */
        @Override
        public synchronized List<Document> takeDocuments(int count) {
            int limit = count > 0 ? count : Integer.MAX_VALUE;
            List<Document> batch = new ArrayList<>();
            long bytes = 0;
            // One buffer for the whole batch: grown once to the largest document, not once per document.
            ByteBuf scratch = Unpooled.buffer(SCRATCH_BYTES);
            try {
                while (!documents.isEmpty() && batch.size() < limit) {
                    long size = encodedSize(documents.peekFirst(), scratch);
                    if (!batch.isEmpty() && bytes + size > MAX_BATCH_BYTES) {
                        break;
                    }
                    bytes += size;
                    batch.add(documents.pollFirst());
                }
            } finally {
                scratch.release();
            }
            return batch;
        }
    }

    private static int encodedSize(Document document, ByteBuf scratch) {
        scratch.clear();
        BsonEncoder.encodeDocument(document, scratch);
        return scratch.readableBytes();
    }
}
