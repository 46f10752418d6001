package io.coldframe.connectors.ops;

import java.util.Map;

import org.apache.kafka.common.config.AbstractConfig;
import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.common.config.ConfigDef.Importance;
import org.apache.kafka.common.config.ConfigDef.Type;

import io.coldframe.common.CommonConfigKeys;
import io.coldframe.common.ConfigLoader;
import io.coldframe.connectors.MongoSourceConnectorConfig;

/**
 * Configuration of the coldframe Connect image's ops endpoint ({@link ConnectOpsExtension}), read like every
 * coldframe service's: {@code COLDFRAME_<KEY>} from the environment. The worker itself is configured by the image's
 * worker properties, which read {@code COLDFRAME_KAFKA_BOOTSTRAP_SERVERS} too; the connector reads its MongoDB
 * connection string from {@value #MONGODB_URI_ENV} (see connectors/README.md).
 */
public final class ConnectOpsConfig extends AbstractConfig {

    /** The environment variable the deployed connector config resolves its {@code connection.uri} from. */
    public static final String MONGODB_URI_ENV = "MONGODB_URI";
    public static final String CONNECTOR_NAME = "connect.connector.name";

    public static final ConfigDef DEFINITION = CommonConfigKeys.withOps(CommonConfigKeys.withKafka(new ConfigDef()))
            .define(CONNECTOR_NAME, Type.STRING, MongoSourceConnectorConfig.load().name(), new ConfigDef.NonEmptyString(),
                    Importance.LOW, "The connector whose state the ops endpoint reports as metrics "
                            + "(coldframe_connect_connector_running, coldframe_connect_tasks).");

    public ConnectOpsConfig(Map<String, ?> values) {
        super(DEFINITION, values, false);
    }

    public static ConnectOpsConfig load(Map<String, ?> explicit, Map<String, String> environment) {
        return new ConnectOpsConfig(ConfigLoader.resolve(DEFINITION, explicit, environment));
    }

    public int opsPort() {
        return getInt(CommonConfigKeys.OPS_PORT);
    }

    public String opsBindAddress() {
        return getString(CommonConfigKeys.OPS_BIND_ADDRESS);
    }

    public String connectorName() {
        return getString(CONNECTOR_NAME);
    }
}
