package io.coldframe.connectors;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;

/**
 * The MongoDB Kafka connector (mongo-kafka-connect, "all" jar) ships inside this jar as a resource. It pins its own
 * MongoDB driver, so it must run as an isolated Connect plugin loaded from {@code plugin.path}, never from the
 * application classpath. This helper lays it out as a Connect plugin directory.
 */
public final class ConnectorPlugins {

    /** Plugin directory name under {@code plugin.path}. */
    public static final String MONGO_PLUGIN_DIR = "mongo-kafka-connect";
    public static final String MONGO_PLUGIN_JAR = "mongo-kafka-connect-all.jar";
    public static final String MONGO_PLUGIN_RESOURCE = "coldframe/connect-plugins/" + MONGO_PLUGIN_DIR + "/" + MONGO_PLUGIN_JAR;

    /**
     * mongo-kafka-connect 2.0.1 declares its connector in no {@code META-INF/services} file, so Connect finds it only
     * by scanning every class on the classpath and plugin path reflectively (3-7 s per worker start on our 2-core
     * machines). This jar, written into the plugin's own directory, holds the ServiceLoader manifest that Connect's
     * {@code connect-plugin-path sync-manifests} command (KIP-898) would write, so a worker with
     * {@code plugin.discovery=service_load} finds the connector in well under a second. It names only the source
     * connector coldframe runs.
     */
    public static final String MANIFEST_JAR = "coldframe-connect-manifests.jar";

    private static final String SOURCE_CONNECTOR_SERVICE = "META-INF/services/org.apache.kafka.connect.source.SourceConnector";

    private ConnectorPlugins() {
    }

    /**
     * Writes {@code <pluginPath>/mongo-kafka-connect/mongo-kafka-connect-all.jar} and the {@link #MANIFEST_JAR}
     * beside it, and returns {@code pluginPath}, the value for the worker's {@code plugin.path}.
     */
    public static Path extractMongoPlugin(Path pluginPath) throws IOException {
        Path pluginDir = Files.createDirectories(pluginPath.resolve(MONGO_PLUGIN_DIR));
        try (InputStream in = ConnectorPlugins.class.getClassLoader().getResourceAsStream(MONGO_PLUGIN_RESOURCE)) {
            if (in == null) {
                throw new IOException("Resource " + MONGO_PLUGIN_RESOURCE + " missing: coldframe-connectors was built "
                        + "without the staged connector plugin");
            }
            Files.copy(in, pluginDir.resolve(MONGO_PLUGIN_JAR), StandardCopyOption.REPLACE_EXISTING);
        }
        try (JarOutputStream out = new JarOutputStream(Files.newOutputStream(pluginDir.resolve(MANIFEST_JAR)))) {
            out.putNextEntry(new JarEntry(SOURCE_CONNECTOR_SERVICE));
            out.write((MongoSourceConnectorConfig.CONNECTOR_CLASS + "\n").getBytes(StandardCharsets.UTF_8));
            out.closeEntry();
        }
        return pluginPath;
    }

    /** Extracts into a new temporary directory (the caller deletes it) and returns it as the {@code plugin.path}. */
    public static Path extractMongoPluginToTempDir() throws IOException {
        return extractMongoPlugin(Files.createTempDirectory("coldframe-connect-plugins"));
    }
}
