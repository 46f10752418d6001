package io.coldframe.purger;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

import org.apache.kafka.common.config.AbstractConfig;
import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.common.config.ConfigDef.Importance;
import org.apache.kafka.common.config.ConfigDef.Range;
import org.apache.kafka.common.config.ConfigDef.Type;
import org.apache.kafka.common.config.ConfigException;
import org.bson.BsonDocument;
import org.bson.BsonInt32;
import org.bson.BsonValue;
import org.bson.Document;

import com.mongodb.client.MongoCollection;
import com.mongodb.client.model.IndexOptions;

import io.coldframe.common.MemoryFields;

/**
 * The index plan of the memory collection: what agents and coldframe query by (an agent's timeline, importance, the
 * timestamp the tiering rules age memories by) and the optional TTL index. Indexes are matched by their key pattern,
 * not by name, so an index an operator made under another name counts as present; nothing existing is ever dropped
 * or changed.
 */
public final class MemoryIndexes {

    public static final String TIMESTAMP_FIELD = "mongodb.timestamp.field";
    public static final String TTL_FIELD = "mongodb.ttl.field";
    public static final String TTL_EXPIRE_AFTER_SECONDS = "mongodb.ttl.expire.after.seconds";

    /** The keys of the plan, for every component that checks or creates it. */
    public static ConfigDef define(ConfigDef definition) {
        return definition
                .define(TIMESTAMP_FIELD, Type.STRING, MemoryFields.CREATED_AT, new ConfigDef.NonEmptyString(), Importance.MEDIUM,
                        "The document field the tiering rules age memories by (their timestamp_field); the recommended "
                                + "indexes cover it.")
                .define(TTL_FIELD, Type.STRING, "", Importance.LOW,
                        "A date field for an optional TTL index: MongoDB itself then deletes a document once that date plus "
                                + TTL_EXPIRE_AFTER_SECONDS + " has passed, archived or not. Meant for a field agents set only on "
                                + "disposable memories (e.g. expires_at). Empty: no TTL index. It may not be the timestamp "
                                + "field, which every memory has.")
                .define(TTL_EXPIRE_AFTER_SECONDS, Type.LONG, 0L, Range.atLeast(0), Importance.LOW,
                        "Seconds after the TTL field's date that a document expires (0: at that date).");
    }

    /** One index of the plan: its name when created, key pattern, why it exists, and TTL seconds when it is the TTL index. */
    public record Spec(String name, BsonDocument keys, String purpose, Long expireAfterSeconds) {
    }

    /** What the collection has of one planned index. */
    public enum State { PRESENT, MISSING, CONFLICT }

    /** A planned index and what the collection has of it ({@code existingName} when present or conflicting). */
    public record Finding(Spec spec, State state, String existingName, String detail) {
    }

    private final List<Spec> plan;

    private MemoryIndexes(List<Spec> plan) {
        this.plan = List.copyOf(plan);
    }

    /** The plan for the configured keys; a TTL on the timestamp field is a configuration error (it would delete unarchived memories). */
    public static MemoryIndexes of(AbstractConfig config) {
        return of(config.getString(TIMESTAMP_FIELD), config.getString(TTL_FIELD), config.getLong(TTL_EXPIRE_AFTER_SECONDS));
    }

    public static MemoryIndexes of(String timestampField, String ttlField, long ttlExpireAfterSeconds) {
        List<Spec> plan = new ArrayList<>();
        plan.add(new Spec("coldframe_agent_time", keys(MemoryFields.AGENT, 1).append(timestampField, new BsonInt32(-1)),
                "an agent's memories, newest first", null));
        plan.add(new Spec("coldframe_importance", keys(MemoryFields.IMPORTANCE, 1), "memories by importance", null));
        plan.add(new Spec("coldframe_time", keys(timestampField, 1), "memories by " + timestampField + " (age ranges)", null));
        if (!ttlField.isEmpty()) {
            if (ttlField.equals(timestampField)) {
                throw new ConfigException(TTL_FIELD, ttlField, "a TTL index on the timestamp field every memory has would let MongoDB "
                        + "delete memories that were never archived; name a field set only on disposable memories");
            }
            plan.add(new Spec("coldframe_ttl", keys(ttlField, 1), "TTL: MongoDB deletes a document " + ttlExpireAfterSeconds
                    + " s after its " + ttlField, ttlExpireAfterSeconds));
        }
        return new MemoryIndexes(plan);
    }

    public List<Spec> plan() {
        return plan;
    }

    /** Compares the plan with the collection's indexes; changes nothing. */
    public List<Finding> inspect(MongoCollection<?> collection) {
        List<Document> existing = collection.listIndexes().into(new ArrayList<>());
        List<Finding> findings = new ArrayList<>();
        for (Spec spec : plan) {
            findings.add(find(spec, existing));
        }
        return findings;
    }

    /** Creates every missing index of the plan; returns what existed before and what was created (state MISSING: created now). */
    public List<Finding> ensure(MongoCollection<?> collection) {
        List<Finding> findings = inspect(collection);
        for (Finding finding : findings) {
            if (finding.state() == State.MISSING) {
                Spec spec = finding.spec();
                IndexOptions options = new IndexOptions().name(spec.name());
                if (spec.expireAfterSeconds() != null) {
                    options.expireAfter(spec.expireAfterSeconds(), TimeUnit.SECONDS);
                }
                collection.createIndex(spec.keys(), options);
            }
        }
        return findings;
    }

    /** Null when every planned index is present, else one sentence naming the missing and conflicting ones. */
    public static String problems(List<Finding> findings) {
        List<String> missing = new ArrayList<>();
        List<String> conflicting = new ArrayList<>();
        for (Finding finding : findings) {
            if (finding.state() == State.MISSING) {
                missing.add(finding.spec().name() + " " + finding.spec().keys().toJson());
            } else if (finding.state() == State.CONFLICT) {
                conflicting.add(finding.existingName() + ": " + finding.detail());
            }
        }
        if (missing.isEmpty() && conflicting.isEmpty()) {
            return null;
        }
        return (missing.isEmpty() ? "" : "missing indexes " + String.join(", ", missing) + " (run coldframe mongo init)")
                + (missing.isEmpty() || conflicting.isEmpty() ? "" : "; ")
                + (conflicting.isEmpty() ? "" : "indexes differing from the plan " + String.join(", ", conflicting));
    }

    private static Finding find(Spec spec, List<Document> existing) {
        for (Document index : existing) {
            BsonDocument key = index.get("key", Document.class).toBsonDocument();
            if (!sameKeys(key, spec.keys())) {
                continue;
            }
            String name = index.getString("name");
            Long ttl = Optional.ofNullable(index.get("expireAfterSeconds")).map(v -> ((Number) v).longValue()).orElse(null);
            if (!Objects.equals(ttl, spec.expireAfterSeconds())) {
                return new Finding(spec, State.CONFLICT, name, "expireAfterSeconds is " + ttl + ", the plan says " + spec.expireAfterSeconds()
                        + " (change it with collMod, or drop it and run coldframe mongo init)");
            }
            return new Finding(spec, State.PRESENT, name, null);
        }
        return new Finding(spec, State.MISSING, null, null);
    }

    /** Same fields in the same order and directions; MongoDB reports 1 as int, long or double depending on how it was made. */
    private static boolean sameKeys(BsonDocument actual, BsonDocument planned) {
        if (!actual.keySet().stream().toList().equals(planned.keySet().stream().toList())) {
            return false;
        }
        for (String field : planned.keySet()) {
            BsonValue value = actual.get(field);
            if (!value.isNumber() || value.asNumber().doubleValue() != planned.get(field).asNumber().doubleValue()) {
                return false;
            }
        }
        return true;
    }

    private static BsonDocument keys(String field, int direction) {
        return new BsonDocument(field, new BsonInt32(direction));
    }
}
