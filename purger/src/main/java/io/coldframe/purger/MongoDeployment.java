package io.coldframe.purger;

import org.bson.BsonDocument;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import com.mongodb.MongoCommandException;
import com.mongodb.client.MongoClient;

/**
 * What the purger's MongoDB deployment can do, asked once at start: multi-document transactions exist on replica
 * sets (the {@code hello} reply names a {@code setName}) and through mongos ({@code msg: "isdbgrid"}), never on a
 * standalone server or the in-JVM stand-in.
 */
final class MongoDeployment {

    private static final Logger LOG = LoggerFactory.getLogger(MongoDeployment.class);

    private MongoDeployment() {
    }

    /** True when the {@code hello} / {@code isMaster} reply describes a replica set member or a mongos router. */
    static boolean supportsTransactions(BsonDocument helloReply) {
        boolean replicaSet = helloReply.isString("setName") && !helloReply.getString("setName").getValue().isEmpty();
        boolean router = helloReply.isString("msg") && "isdbgrid".equals(helloReply.getString("msg").getValue());
        return replicaSet || router;
    }

    /** The server's {@code hello} reply, or its {@code isMaster} reply where {@code hello} is unknown (old servers, the stand-in). */
    static BsonDocument hello(MongoClient client) {
        var admin = client.getDatabase("admin");
        try {
            return admin.runCommand(new BsonDocument("hello", new org.bson.BsonInt32(1)), BsonDocument.class);
        } catch (MongoCommandException e) {
            LOG.debug("hello not supported ({}); asking isMaster", e.getErrorMessage());
            return admin.runCommand(new BsonDocument("isMaster", new org.bson.BsonInt32(1)), BsonDocument.class);
        }
    }

    /** Asks the server and logs the decision: the transactional delete, or the guard alone with a warning naming why. */
    static VersionGuardedDeleter.Mode detect(MongoClient client) {
        BsonDocument reply = hello(client);
        if (supportsTransactions(reply)) {
            LOG.info("MongoDB is a {}: read, version check and delete run in one transaction per batch",
                    reply.containsKey("setName") ? "replica set (" + reply.getString("setName").getValue() + ")" : "sharded cluster");
            return VersionGuardedDeleter.Mode.TRANSACTIONAL;
        }
        LOG.warn("MongoDB supports no multi-document transactions here (its hello reply has no setName and is no mongos: "
                + "a standalone server or the in-JVM stand-in); deletes rely on the $expr guard alone, which compares numbers "
                + "by value and strings by collation, so a type-only or case-only change made between the version read and "
                + "the delete is not caught. Run production on a replica set.");
        return VersionGuardedDeleter.Mode.GUARD_ONLY;
    }
}
