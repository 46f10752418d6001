package io.coldframe.streams;

import org.bson.BsonDocument;

/**
 * One change of the memory collection as the tiering engine needs it.
 *
 * @param memoryId     canonical Extended JSON of the document's _id
 * @param fullDocument the document after the change; null for a delete
 */
record ChangeEvent(Operation operation, String memoryId, BsonDocument fullDocument) {

    enum Operation { UPSERT, DELETE, IGNORED }

    static ChangeEvent ignored() {
        return new ChangeEvent(Operation.IGNORED, null, null);
    }
}
