package io.coldframe.cli;

import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import org.apache.kafka.common.config.AbstractConfig;
import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.common.config.ConfigException;

import com.mongodb.ConnectionString;
import com.mongodb.MongoClientSettings;
import com.mongodb.client.MongoClient;
import com.mongodb.client.MongoClients;
import com.mongodb.client.MongoCollection;

import io.coldframe.common.CommonConfigKeys;
import io.coldframe.common.ConfigLoader;

import picocli.CommandLine.Option;

/**
 * The MongoDB options of the commands that read or write the memory collection ({@code restore}, {@code mongo init},
 * {@code import}), as a picocli mixin: the same layering as the services (these options, else {@code -c} keys, else
 * {@code COLDFRAME_<KEY>} environment variables and {@code MONGODB_URI}, else defaults).
 */
public final class MongoOptions {

    @Option(names = "--mongo-uri", paramLabel = "URI", description = "MongoDB (e.g. the mongodb: line coldframe up prints). "
            + "Default: $MONGODB_URI, else mongodb.uri.")
    String mongoUri;

    @Option(names = "--database", paramLabel = "DB", description = "Database of the memory collection (default: mongodb.database, coldframe).")
    String database;

    @Option(names = "--collection", paramLabel = "NAME", description = "The memory collection (default: mongodb.collection, memories).")
    String collection;

    @Option(names = "--mongo-timeout", paramLabel = "DURATION", defaultValue = "10s", converter = DurationArgument.class,
            description = "How long to wait for MongoDB to answer before giving up. Default: ${DEFAULT-VALUE}.")
    Duration mongoTimeout;

    /**
     * The keys of {@code definition} (it must hold {@link CommonConfigKeys#withMongo}'s) from these options, the keys
     * of {@code pairs} it defines (others are left to the caller), the environment and the defaults; invalid values as
     * usage errors naming the key.
     */
    /** Whether any MongoDB option was given on the command line. */
    public boolean given() {
        return mongoUri != null || database != null || collection != null;
    }

    public AbstractConfig config(ConfigDef definition, Map<String, String> pairs) {
        Map<String, Object> explicit = new HashMap<>();
        pairs.forEach((key, value) -> {
            if (definition.names().contains(key)) {
                explicit.put(key, value);
            }
        });
        if (!explicit.containsKey(CommonConfigKeys.MONGODB_URI)) {
            StoreOptions.putIfSet(explicit, CommonConfigKeys.MONGODB_URI, System.getenv("MONGODB_URI"));
        }
        StoreOptions.putIfSet(explicit, CommonConfigKeys.MONGODB_URI, mongoUri);
        StoreOptions.putIfSet(explicit, CommonConfigKeys.MONGODB_DATABASE, database);
        StoreOptions.putIfSet(explicit, CommonConfigKeys.MONGODB_COLLECTION, collection);
        try {
            return new AbstractConfig(definition, ConfigLoader.resolve(definition, explicit), false);
        } catch (ConfigException e) {
            throw new ToolCommand.Failure(ToolCommand.USAGE, e.getMessage());
        }
    }

    /** A client that gives up after {@code --mongo-timeout} when MongoDB does not answer, instead of waiting 30 s per call. */
    public MongoClient client(AbstractConfig config) {
        String uri = config.getPassword(CommonConfigKeys.MONGODB_URI).value();
        ConnectionString connection;
        try {
            connection = new ConnectionString(uri);
        } catch (IllegalArgumentException e) {
            throw new ToolCommand.Failure(ToolCommand.USAGE, "mongodb.uri is not a MongoDB connection string");
        }
        long ms = mongoTimeout.toMillis();
        return MongoClients.create(MongoClientSettings.builder().applyConnectionString(connection)
                .applicationName("coldframe-cli")
                .applyToClusterSettings(cluster -> cluster.serverSelectionTimeout(ms, TimeUnit.MILLISECONDS))
                .applyToSocketSettings(socket -> socket.connectTimeout((int) ms, TimeUnit.MILLISECONDS))
                .build());
    }

    /** The memory collection {@code config} names. */
    public static <T> MongoCollection<T> collection(MongoClient client, AbstractConfig config, Class<T> documentClass) {
        return client.getDatabase(config.getString(CommonConfigKeys.MONGODB_DATABASE))
                .getCollection(config.getString(CommonConfigKeys.MONGODB_COLLECTION), documentClass);
    }

    /** Where {@code config} points, for messages: database.collection (never the URI, a secret). */
    public static String describe(AbstractConfig config) {
        return config.getString(CommonConfigKeys.MONGODB_DATABASE) + "." + config.getString(CommonConfigKeys.MONGODB_COLLECTION);
    }
}
