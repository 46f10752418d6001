package io.coldframe.deploy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.io.StringReader;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.apache.kafka.common.config.AbstractConfig;
import org.apache.kafka.common.config.ConfigException;
import org.apache.kafka.common.config.provider.EnvVarConfigProvider;
import org.apache.kafka.connect.runtime.distributed.DistributedConfig;
import org.junit.jupiter.api.Test;

import io.coldframe.common.CommonConfigKeys;
import io.coldframe.common.ConfigLoader;
import io.coldframe.connectors.MongoSourceConnectorConfig;
import io.coldframe.connectors.RegisterConnector;
import io.coldframe.deploy.Deployment.Container;
import io.coldframe.deploy.Deployment.K8sObject;
import io.coldframe.deploy.Deployment.Service;

/**
 * The security settings of docker-compose.yml, compose/secure/ and k8s/ (issue 11): Kafka Connect's REST API is not
 * open, connectors cannot change their clients' settings or read arbitrary worker variables, and (opt-in) Kafka
 * with authentication and ACLs in which each topic is written only by its owner. Parsing only, like
 * {@link ManifestConsistencyTest}.
 */
class SecurityManifestTest {

    static final String WORKER_PROPERTIES = "connectors/src/main/jib/opt/coldframe/connect/worker.properties";
    static final String REST_JAAS = "connectors/src/main/jib/opt/coldframe/connect/rest-jaas.conf";
    static final String BASIC_AUTH_EXTENSION = "org.apache.kafka.connect.rest.basic.auth.extension.BasicAuthSecurityRestExtension";
    static final String CREDENTIALS_DIR = "/etc/coldframe/connect-rest";
    static final String CREDENTIALS_FILE = CREDENTIALS_DIR + "/credentials.properties";
    static final int REST_PORT = 8083;

    // ------------------------------------------------------------------------------- connector client overrides

    @Test
    @SuppressWarnings("unchecked")
    void connectorsMayOverrideNoClientSetting() throws IOException {
        Properties worker = worker();
        assertThat(worker.getProperty("connector.client.config.override.policy")).isEqualTo("None");
        Map<String, Object> strimzi = (Map<String, Object>) strimziConnect().spec().get("config");
        assertThat(strimzi).containsEntry("connector.client.config.override.policy", "None");
        // The deployed connector (and its Strimzi copy) asks for no override, or policy None would reject it.
        Map<String, String> connector = MongoSourceConnectorConfig.load().config();
        assertThat(connector.keySet()).noneMatch(key -> key.matches("(producer|consumer|admin)\\.override\\..*"));
        K8sObject strimziConnector = Deployment.k8sObjects(Repo.path("k8s/components/strimzi")).stream()
                .filter(o -> o.kind().equals("KafkaConnector")).findFirst().orElseThrow();
        assertThat(((Map<String, Object>) strimziConnector.spec().get("config")).keySet())
                .noneMatch(key -> key.matches("(producer|consumer|admin)\\.override\\..*"));
        // What the connector overrode before is the worker's producer setting now.
        assertThat(worker.getProperty("producer.compression.type")).isEqualTo("zstd");
        assertThat(strimzi).containsEntry("producer.compression.type", "zstd");
        // Connect accepts the policy name.
        assertThat(new DistributedConfig(workerMap(worker)).getString("connector.client.config.override.policy")).isEqualTo("None");
    }

    // ------------------------------------------------------------------------------------ config providers

    @Test
    @SuppressWarnings("unchecked")
    void theEnvConfigProviderResolvesOnlyAllowListedVariables() throws IOException {
        Properties worker = worker();
        assertThat(worker.getProperty("config.providers")).isEqualTo("env");
        String pattern = worker.getProperty("config.providers.env.param.allowlist.pattern");
        assertThat(pattern).as("env config provider allow-list").isNotBlank();
        Map<String, Object> strimzi = (Map<String, Object>) strimziConnect().spec().get("config");
        assertThat(strimzi).containsEntry("config.providers", "env").containsEntry("config.providers.env.param.allowlist.pattern", pattern);

        // Every variable the worker config and the deployed connector read is allowed ...
        Set<String> referenced = new TreeSet<>();
        List<String> values = new ArrayList<>();
        worker.values().forEach(v -> values.add(String.valueOf(v)));
        values.addAll(MongoSourceConnectorConfig.load().config().values());
        for (String value : values) {
            Matcher matcher = Pattern.compile("\\$\\{env:([A-Za-z0-9_]+)}").matcher(value);
            while (matcher.find()) {
                referenced.add(matcher.group(1));
            }
        }
        assertThat(referenced).isNotEmpty();
        Map<String, String> environment = new HashMap<>();
        referenced.forEach(name -> environment.put(name, "value of " + name));
        // ... and nothing else of the worker's environment: the secrets of other services, the JVM's, the cloud's.
        for (String other : List.of("PATH", "HOME", "KAFKA_OPTS", "AWS_SECRET_ACCESS_KEY", "COLDFRAME_ARCHIVER_S3_SECRET_KEY",
                "COLDFRAME_MONGODB_URI", "COLDFRAME_KAFKA_SASL_JAAS_CONFIG", "MONGODB_URI_OTHER", "XMONGODB_URI")) {
            environment.put(other, "secret " + other);
        }
        try (EnvVarConfigProvider provider = new EnvVarConfigProvider(environment)) {
            provider.configure(Map.of(EnvVarConfigProvider.ALLOWLIST_PATTERN_CONFIG, pattern));
            assertThat(provider.get("").data().keySet()).containsExactlyInAnyOrderElementsOf(referenced);
        }
        // The worker itself leaves a variable outside the list unresolved.
        Map<String, String> props = workerMap(worker);
        props.put("client.id", "${env:PATH}");
        assertThat(new DistributedConfig(props).originals().get("client.id")).isEqualTo("${env:PATH}");
    }

    @Test
    void theConnectImageAllowsNoOtherConfigProviderClass() throws IOException {
        String opts = Service.CONNECT.pom().jib("container", "environment", "KAFKA_OPTS");
        Matcher matcher = Pattern.compile("-D" + Pattern.quote(AbstractConfig.AUTOMATIC_CONFIG_PROVIDERS_PROPERTY) + "=(\\S+)").matcher(opts);
        assertThat(matcher.find()).as("KAFKA_OPTS sets " + AbstractConfig.AUTOMATIC_CONFIG_PROVIDERS_PROPERTY + ": " + opts).isTrue();
        String allowed = matcher.group(1);
        assertThat(allowed).isEqualTo(EnvVarConfigProvider.class.getName());
        // Under that property the worker (whose own providers are explicit) still starts with its env provider, while
        // a client config that brings its own provider (say a file provider reading the REST credentials) is refused.
        // Defence in depth: with override policy None, connectors cannot hand their clients such configs anyway.
        Map<String, String> props = workerMap(worker());
        String previous = System.getProperty(AbstractConfig.AUTOMATIC_CONFIG_PROVIDERS_PROPERTY);
        System.setProperty(AbstractConfig.AUTOMATIC_CONFIG_PROVIDERS_PROPERTY, allowed);
        try {
            new DistributedConfig(props);
            Map<String, String> client = Map.of("config.providers", "file",
                    "config.providers.file.class", "org.apache.kafka.common.config.provider.FileConfigProvider",
                    "client.id", "${file:" + CREDENTIALS_FILE + ":coldframe-register}");
            assertThatThrownBy(() -> new AbstractConfig(new org.apache.kafka.common.config.ConfigDef(), client))
                    .isInstanceOf(ConfigException.class).hasMessageContaining("FileConfigProvider");
        } finally {
            if (previous == null) {
                System.clearProperty(AbstractConfig.AUTOMATIC_CONFIG_PROVIDERS_PROPERTY);
            } else {
                System.setProperty(AbstractConfig.AUTOMATIC_CONFIG_PROVIDERS_PROPERTY, previous);
            }
        }
    }

    // ----------------------------------------------------------------------------------------- REST access

    @Test
    void theRestApiRequiresBasicAuthentication() throws IOException {
        Properties worker = worker();
        assertThat(List.of(worker.getProperty("rest.extension.classes").split("\\s*,\\s*"))).contains(BASIC_AUTH_EXTENSION);
        String jaas = Repo.read(REST_JAAS);
        assertThat(jaas).contains("KafkaConnect {", "org.apache.kafka.connect.rest.basic.auth.extension.PropertyFileLoginModule required",
                "file=\"" + CREDENTIALS_FILE + "\"");
        // src/main/jib is laid out at / in the image; KAFKA_OPTS points the JVM at the JAAS file.
        String imagePath = "/" + REST_JAAS.substring("connectors/src/main/jib/".length());
        assertThat(Service.CONNECT.pom().jib("container", "environment", "KAFKA_OPTS"))
                .contains("-Djava.security.auth.login.config=" + imagePath);
    }

    @Test
    @SuppressWarnings("unchecked")
    void composePublishesNoRestPortAndRegistersWithCredentials() {
        Map<String, Map<String, Object>> services = Deployment.composeServices();
        Map<String, Object> connect = services.get("connect");
        for (Object port : (List<Object>) connect.getOrDefault("ports", List.of())) {
            assertThat(String.valueOf(port)).as("compose connect publishes " + port).doesNotContain(Integer.toString(REST_PORT));
        }
        assertThat(connect).doesNotContainKey("network_mode");
        // The credentials file is a compose config mounted where the JAAS file expects it.
        List<Map<String, Object>> configs = (List<Map<String, Object>>) connect.get("configs");
        assertThat(configs).as("compose connect configs").isNotNull();
        Map<String, Object> credentials = configs.stream().filter(c -> CREDENTIALS_FILE.equals(c.get("target"))).findFirst()
                .orElseThrow(() -> new AssertionError("compose connect mounts no " + CREDENTIALS_FILE));
        Map<String, Map<String, Object>> declared = (Map<String, Map<String, Object>>) Repo.yaml(Deployment.COMPOSE).get("configs");
        String content = String.valueOf(declared.get((String) credentials.get("source")).get("content"));
        // The registration job authenticates as a user of that file, with the same password.
        Container register = Deployment.composeContainers().stream().filter(c -> c.runs(RegisterConnector.class.getName())).findFirst()
                .orElseThrow();
        String user = register.env().get(ConfigLoader.envName(RegisterConnector.REST_USERNAME));
        String password = register.env().get(ConfigLoader.envName(RegisterConnector.REST_PASSWORD));
        assertThat(user).isNotBlank();
        assertThat(content.lines()).contains(user + "=" + password);
        assertThat(password).startsWith("${").doesNotContain("${}");
    }

    @Test
    @SuppressWarnings("unchecked")
    void kubernetesMountsTheRestUsersFromASecretAndTheJobAuthenticates() {
        List<K8sObject> base = Deployment.k8sObjects(Repo.path("k8s/base"));
        K8sObject connect = find(base, "Deployment", "connect");
        Map<String, Object> container = ((List<Map<String, Object>>) connect.podSpec().get("containers")).get(0);
        Map<String, Object> mount = ((List<Map<String, Object>>) container.get("volumeMounts")).stream()
                .filter(m -> CREDENTIALS_DIR.equals(m.get("mountPath"))).findFirst().orElseThrow(() -> new AssertionError("no mount at " + CREDENTIALS_DIR));
        assertThat(mount).containsEntry("readOnly", true);
        Map<String, Object> volume = ((List<Map<String, Object>>) connect.podSpec().get("volumes")).stream()
                .filter(v -> v.get("name").equals(mount.get("name"))).findFirst().orElseThrow();
        Map<String, Object> secret = (Map<String, Object>) volume.get("secret");
        assertThat(secret).as("REST credentials volume is a Secret").isNotNull();
        String secretName = (String) secret.get("secretName");
        assertThat(((List<Map<String, Object>>) secret.get("items")).get(0)).containsEntry("path", "credentials.properties");

        Container register = Deployment.k8sContainers(base).stream().filter(c -> c.runs(RegisterConnector.class.getName())).findFirst()
                .orElseThrow();
        assertThat(register.env().get(ConfigLoader.envName(RegisterConnector.REST_USERNAME))).isNotBlank();
        Map<String, Object> ref = secretRef(register, ConfigLoader.envName(RegisterConnector.REST_PASSWORD));
        assertThat(ref).as("the job's REST password from a Secret").containsEntry("name", secretName);
    }

    @Test
    @SuppressWarnings("unchecked")
    void aNetworkPolicyAdmitsOnlyTheRegistrationJobAndTheWorkersToTheRestPort() {
        List<K8sObject> base = Deployment.k8sObjects(Repo.path("k8s/base"));
        K8sObject connect = find(base, "Deployment", "connect");
        K8sObject register = find(base, "Job", "coldframe-register-connector");
        List<K8sObject> policies = base.stream().filter(o -> o.kind().equals("NetworkPolicy")
                && selects((Map<String, Object>) o.spec().get("podSelector"), connect.podLabels())).toList();
        assertThat(policies).as("NetworkPolicies selecting the connect pods").hasSize(1);
        Map<String, Object> policy = policies.get(0).spec();
        assertThat((List<String>) policy.get("policyTypes")).contains("Ingress");
        boolean jobAdmitted = false;
        for (Map<String, Object> rule : (List<Map<String, Object>>) policy.getOrDefault("ingress", List.of())) {
            List<Map<String, Object>> ports = (List<Map<String, Object>>) rule.get("ports");
            assertThat(ports).as("every ingress rule names its ports (none: all ports)").isNotEmpty();
            boolean rest = ports.stream().anyMatch(p -> Integer.valueOf(REST_PORT).equals(p.get("port")) || "rest".equals(p.get("port")));
            if (!rest) {
                continue;
            }
            List<Map<String, Object>> from = (List<Map<String, Object>>) rule.get("from");
            assertThat(from).as("the REST rule names its sources (none: everyone)").isNotEmpty();
            for (Map<String, Object> peer : from) {
                assertThat(peer.keySet()).as("REST peers are pods of this namespace: no namespaceSelector, no ipBlock").containsOnly("podSelector");
                Map<String, Object> selector = (Map<String, Object>) peer.get("podSelector");
                assertThat(selector).as("an empty podSelector admits every pod").isNotEmpty();
                Map<String, String> labels = (Map<String, String>) selector.get("matchLabels");
                assertThat(labels).isNotEmpty();
                assertThat(selects(selector, register.podLabels()) || selects(selector, connect.podLabels())
                        || labels.containsKey("coldframe.io/connect-admin")).as("REST peer " + selector).isTrue();
                jobAdmitted |= selects(selector, register.podLabels());
            }
        }
        assertThat(jobAdmitted).as("the registration Job reaches the REST API").isTrue();
        // No other coldframe workload is admitted: the streams app, archivers and purger match no REST peer.
        // With Strimzi, the operator's own NetworkPolicy (use-connector-resources) replaces this one.
        assertThat(strimziConnect().metadata()).extracting("annotations").asInstanceOf(org.assertj.core.api.InstanceOfAssertFactories.MAP)
                .containsEntry("strimzi.io/use-connector-resources", "true");
        assertThat(Repo.read("k8s/components/strimzi/kustomization.yaml")).contains("kind: NetworkPolicy\n      metadata: {name: connect}");
    }

    // ------------------------------------------------------------------------------------ Kafka ACLs

    static final String KAFKA_USERS = "k8s/components/kafka-security";
    static final String COMPOSE_ACLS = "compose/secure/create-acls.sh";

    /** One ACL: principal, resource type, name, literal or prefix, operation. */
    record Acl(String user, String type, String name, String pattern, String operation) {
        boolean covers(String type, String name) {
            return this.type.equals(type) && (pattern.equals("literal") ? this.name.equals(name) : name.startsWith(this.name));
        }

        boolean writes() {
            return operation.equals("Write") || operation.equals("All");
        }
    }

    @SuppressWarnings("unchecked")
    static Set<Acl> strimziAcls() {
        Set<Acl> acls = new java.util.LinkedHashSet<>();
        for (K8sObject user : Deployment.k8sObjects(Repo.path(KAFKA_USERS))) {
            assertThat(user.kind()).isEqualTo("KafkaUser");
            assertThat(user.spec()).extracting("authentication").asInstanceOf(org.assertj.core.api.InstanceOfAssertFactories.MAP)
                    .as(user + " authenticates").containsEntry("type", "scram-sha-512");
            Map<String, Object> authorization = (Map<String, Object>) user.spec().get("authorization");
            assertThat(authorization).containsEntry("type", "simple");
            for (Map<String, Object> acl : (List<Map<String, Object>>) authorization.get("acls")) {
                Map<String, String> resource = (Map<String, String>) acl.get("resource");
                assertThat(acl).as(user + ": allow rules only").doesNotContainKey("type");
                for (String operation : (List<String>) acl.get("operations")) {
                    acls.add(new Acl(user.name(), resource.get("type"), resource.get("name"), resource.getOrDefault("patternType", "literal"),
                            operation));
                }
            }
        }
        return acls;
    }

    static Set<Acl> composeAcls() {
        Set<Acl> acls = new java.util.LinkedHashSet<>();
        Matcher line = Pattern.compile("^acl\\s+(\\S+)\\s+(\\S+)\\s+(\\S+)\\s+(literal|prefix)\\s+(.+)$", Pattern.MULTILINE)
                .matcher(Repo.read(COMPOSE_ACLS));
        while (line.find()) {
            for (String operation : line.group(5).trim().split("\\s+")) {
                acls.add(new Acl(line.group(1), line.group(2), line.group(3), line.group(4), operation));
            }
        }
        return acls;
    }

    @Test
    void composeAndStrimziGrantTheSameAcls() {
        assertThat(composeAcls()).isNotEmpty().containsExactlyInAnyOrderElementsOf(strimziAcls());
    }

    @Test
    void eachCoordinationTopicIsWritableOnlyByItsOwner() {
        io.coldframe.common.Topics topics = io.coldframe.common.Topics.withDefaultPrefix();
        Set<Acl> acls = strimziAcls();
        Map<String, Set<String>> owners = new LinkedHashMap<>();
        owners.put(topics.segmentsCommitted(), Set.of("coldframe-archiver"));
        owners.put(topics.catalog(), Set.of("coldframe-archiver", "coldframe-lifecycle")); // erase and retention move entries
        owners.put(topics.restores(), Set.of("coldframe-restore", "coldframe-service"));
        owners.put(topics.changes(), Set.of("coldframe-connect"));
        owners.put(topics.hot(), Set.of("coldframe-streams", "coldframe-lifecycle")); // erase: tombstones
        owners.put(topics.warm(), Set.of("coldframe-streams", "coldframe-lifecycle"));
        owners.put(topics.cold(), Set.of("coldframe-streams"));
        owners.put(topics.purgeResults(), Set.of("coldframe-purger"));
        owners.put(topics.statsDaily(), Set.of("coldframe-streams"));
        owners.put(topics.deadLetter(), Set.of("coldframe-streams", "coldframe-archiver", "coldframe-purger", "coldframe-hot-cache",
                "coldframe-lifecycle"));
        owners.put(topics.lifecycleAudit(), Set.of("coldframe-lifecycle"));
        owners.put(topics.erasureRequests(), Set.of()); // the system that files requests: the operator grants it (docs/lifecycle.md)
        owners.put(topics.erasureReceipts(), Set.of("coldframe-lifecycle"));
        // Every topic the script creates has its owners here.
        Set<String> created = new TreeSet<>();
        Deployment.topicsScript().keySet().forEach(suffix -> created.add(io.coldframe.common.Topics.DEFAULT_PREFIX + "." + suffix));
        assertThat(owners.keySet()).containsExactlyInAnyOrderElementsOf(created);
        owners.forEach((topic, expected) -> {
            Set<String> writers = new TreeSet<>();
            acls.stream().filter(acl -> acl.writes() && acl.covers("topic", topic)).forEach(acl -> writers.add(acl.user()));
            assertThat(writers).as("writers of " + topic).containsExactlyInAnyOrderElementsOf(expected);
        });
        // No wildcard grants, nothing on the cluster resource, no Alter/Delete of topics.
        for (Acl acl : acls) {
            assertThat(acl.name()).as(acl + ": no wildcard").isNotEqualTo("*");
            assertThat(acl.type()).as(acl.toString()).isIn("topic", "group", "transactionalId");
            if (acl.type().equals("topic") && acl.operation().equals("All")) {
                assertThat(acl.pattern()).isEqualTo("prefix");
                assertThat(acl.name()).as("All only on Kafka Streams' internal topics (tiering, the archive service's index)")
                        .isIn("coldframe-tiering-", "coldframe-archive-service-");
            }
        }
        // Transactional writers (archivers, purger, streams) may use only their own transactional ids.
        assertThat(acls.stream().filter(a -> a.type().equals("transactionalId")).map(a -> a.user() + " " + a.name()).distinct())
                .containsExactlyInAnyOrder("coldframe-archiver coldframe-archiver-", "coldframe-purger coldframe-purger-",
                        "coldframe-streams coldframe-tiering");
    }

    @Test
    @SuppressWarnings("unchecked")
    void strimziConnectAuthenticatesAsItsPrincipalOverTls() {
        String component = Repo.read(KAFKA_USERS + "/kustomization.yaml");
        assertThat(component).contains("kind: KafkaConnect, name: coldframe", "path: /spec/authentication", "type: scram-sha-512",
                "username: coldframe-connect", "path: /spec/tls");
        assertThat(strimziAcls()).anyMatch(acl -> acl.user().equals("coldframe-connect"));
        Map<String, Object> overlay = Repo.yaml("k8s/overlays/strimzi-secure-example/kustomization.yaml");
        assertThat((List<String>) overlay.get("components")).contains("../../components/kafka-security");
    }

    // ------------------------------------------------------------------------------ services' Kafka credentials

    static final String COMPOSE_SECURE = "compose/secure/docker-compose.secure.yml";
    static final String SECURE_WORKER_PROPERTIES = "compose/secure/connect-worker.properties";
    static final String CREATE_USERS = "compose/secure/create-users.sh";
    /** Every coldframe service with Kafka clients, and the principal it runs as. */
    static final Map<String, String> SERVICE_PRINCIPALS = Map.of("streams-app", "coldframe-streams", "archiver-worker", "coldframe-archiver",
            "purger", "coldframe-purger", "archive-service", "coldframe-service", "hot-cache", "coldframe-hot-cache");
    static final Pattern SCRAM_JAAS = Pattern.compile(
            "org\\.apache\\.kafka\\.common\\.security\\.scram\\.ScramLoginModule required username=\"([^\"]+)\" password=\"([^\"]*)\";");
    /** A compose variable reference (with or without a local default), never the password itself in the file. */
    static final String VARIABLE = "\\$\\{[A-Z][A-Z0-9_]*(:-[^}]*)?}";

    @Test
    @SuppressWarnings("unchecked")
    void composeSecureGivesEveryServiceItsOwnPrincipalThroughTheDocumentedKeys() {
        Map<String, Map<String, Object>> secure = (Map<String, Map<String, Object>>) Repo.yaml(COMPOSE_SECURE).get("services");
        Map<String, Map<String, Object>> base = Deployment.composeServices();
        Set<String> principals = new TreeSet<>();
        strimziAcls().forEach(acl -> principals.add(acl.user()));
        // Every compose service with Kafka clients is covered (Connect below).
        Set<String> kafkaServices = new TreeSet<>();
        base.forEach((name, service) -> {
            Service image = Service.byImage(String.valueOf(service.get("image")));
            if (image != null && image != Service.CONNECT) {
                kafkaServices.add(name);
            }
        });
        assertThat(kafkaServices).containsExactlyInAnyOrderElementsOf(SERVICE_PRINCIPALS.keySet());
        SERVICE_PRINCIPALS.forEach((name, principal) -> {
            Map<String, Object> env = (Map<String, Object>) secure.get(name).get("environment");
            assertThat(env).as(name).containsEntry(ConfigLoader.envName(CommonConfigKeys.KAFKA_SECURITY_PROTOCOL), "SASL_PLAINTEXT")
                    .containsEntry(ConfigLoader.envName(CommonConfigKeys.KAFKA_SASL_MECHANISM), "SCRAM-SHA-512");
            Matcher jaas = SCRAM_JAAS.matcher(String.valueOf(env.get(ConfigLoader.envName(CommonConfigKeys.KAFKA_SASL_JAAS_CONFIG))));
            assertThat(jaas.matches()).as(name + " JAAS line " + jaas).isTrue();
            assertThat(jaas.group(1)).as(name + " principal").isEqualTo(principal).isIn(principals);
            assertThat(jaas.group(2)).as(name + ": password from the environment, not inline").matches(VARIABLE);
            // Only keys the service's ConfigDef documents.
            Set<String> documented = new TreeSet<>();
            Service.byImage(String.valueOf(base.get(name).get("image"))).definition.names().forEach(key -> documented.add(ConfigLoader.envName(key)));
            assertThat(documented).as(name).containsAll(env.keySet());
            assertThat((Map<String, Object>) secure.get(name).get("depends_on")).as(name).containsKey("kafka-acls");
        });

        // Every principal of the ACL model gets a SCRAM user, its password from the environment; then the ACLs.
        Map<String, Object> acls = secure.get("kafka-acls");
        assertThat(String.valueOf(acls.get("entrypoint"))).contains("create-users.sh", "create-acls.sh");
        assertThat(String.valueOf(acls.get("volumes"))).contains("./" + CREATE_USERS + ":", "./" + COMPOSE_ACLS + ":");
        assertThat(acls.get("image")).isEqualTo(base.get("kafka").get("image"));
        Map<String, Object> aclEnv = (Map<String, Object>) acls.get("environment");
        assertThat(List.of(String.valueOf(aclEnv.get("KAFKA_USERS")).split("\\s+"))).containsExactlyInAnyOrderElementsOf(principals);
        for (String principal : principals) {
            String variable = "KAFKA_PASSWORD_" + principal.toUpperCase(java.util.Locale.ROOT).replace('-', '_');
            assertThat(String.valueOf(aclEnv.get(variable))).as(variable).matches(VARIABLE);
        }
        assertThat(Repo.read(CREATE_USERS)).contains("KAFKA_PASSWORD_", "SCRAM-SHA-512", "--command-config");

        // The broker authenticates on every listener, denies what no ACL allows, and has one super user.
        Map<String, Object> kafka = (Map<String, Object>) secure.get("kafka").get("environment");
        for (String listener : String.valueOf(kafka.get("KAFKA_LISTENER_SECURITY_PROTOCOL_MAP")).split(",")) {
            assertThat(listener).as("listener").matches("[A-Z]+:SASL_(PLAINTEXT|SSL)");
        }
        assertThat(kafka).containsEntry("KAFKA_AUTHORIZER_CLASS_NAME", "org.apache.kafka.metadata.authorizer.StandardAuthorizer")
                .containsEntry("KAFKA_ALLOW_EVERYONE_IF_NO_ACL_FOUND", "false").containsEntry("KAFKA_SUPER_USERS", "User:admin");
        kafka.forEach((key, value) -> {
            if (key.endsWith("_SASL_JAAS_CONFIG")) {
                Matcher password = Pattern.compile("(?:password|user_admin)=\"([^\"]*)\"").matcher(String.valueOf(value));
                while (password.find()) {
                    assertThat(password.group(1)).as(key + ": password from the environment").matches(VARIABLE);
                }
            }
        });
    }

    @Test
    @SuppressWarnings("unchecked")
    void composeSecureConnectIsTheImagesWorkerPlusSaslAndKeepsItsPasswordFromConnectors() throws IOException {
        Properties image = worker();
        Properties secure = new Properties();
        secure.load(new StringReader(Repo.read(SECURE_WORKER_PROPERTIES)));
        Map<String, String> added = workerMap(secure);
        workerMap(image).forEach((key, value) -> assertThat(added.remove(key)).as("image's " + key).isEqualTo(value));
        Map<String, String> expected = new LinkedHashMap<>();
        for (String prefix : List.of("", "producer.", "consumer.", "admin.")) {
            expected.put(prefix + "security.protocol", "SASL_PLAINTEXT");
            expected.put(prefix + "sasl.mechanism", "SCRAM-SHA-512");
        }
        assertThat(added).as("what the secure worker file adds").isEqualTo(expected);
        new DistributedConfig(workerMap(secure));

        Map<String, Object> connect = ((Map<String, Map<String, Object>>) Repo.yaml(COMPOSE_SECURE).get("services")).get("connect");
        assertThat(String.valueOf(connect.get("volumes"))).contains("./" + SECURE_WORKER_PROPERTIES + ":/" + WORKER_PROPERTIES.substring(
                "connectors/src/main/jib/".length()) + ":ro");
        // The principal and password are the JVM's JAAS KafkaClient section, which no connector config can read.
        String jaasPath = "/" + REST_JAAS.substring("connectors/src/main/jib/".length());
        Map<String, Object> mount = ((List<Map<String, Object>>) connect.get("configs")).stream()
                .filter(c -> jaasPath.equals(c.get("target"))).findFirst().orElseThrow(() -> new AssertionError("no JAAS config at " + jaasPath));
        String jaas = String.valueOf(((Map<String, Map<String, Object>>) Repo.yaml(COMPOSE_SECURE).get("configs"))
                .get((String) mount.get("source")).get("content"));
        String restSection = Repo.read(REST_JAAS).lines().filter(line -> !line.startsWith("//")).map(String::trim)
                .collect(java.util.stream.Collectors.joining("\n"));
        assertThat(jaas.lines().map(String::trim).collect(java.util.stream.Collectors.joining("\n"))).as("the image's REST section, unchanged")
                .contains(restSection);
        Matcher client = Pattern.compile("KafkaClient \\{\\s*org\\.apache\\.kafka\\.common\\.security\\.scram\\.ScramLoginModule required\\s+"
                + "username=\"([^\"]+)\"\\s+password=\"([^\"]*)\";\\s*};").matcher(jaas);
        assertThat(client.find()).as("KafkaClient section: " + jaas).isTrue();
        assertThat(client.group(1)).isEqualTo("coldframe-connect");
        assertThat(client.group(2)).matches(VARIABLE);
        assertThat(secure.stringPropertyNames()).noneMatch(key -> key.endsWith("sasl.jaas.config"));
    }

    @Test
    @SuppressWarnings("unchecked")
    void kubernetesServicesTakeTheirKafkaCredentialsFromTheirKafkaUsersSecrets(@org.junit.jupiter.api.io.TempDir java.nio.file.Path out)
            throws Exception {
        List<K8sObject> objects = Deployment.k8sObjects(KustomizeBuildTest.kustomize("k8s/overlays/strimzi-secure-example", out).getParent());
        Set<String> users = new TreeSet<>();
        objects.stream().filter(o -> o.kind().equals("KafkaUser")).forEach(o -> users.add(o.name()));
        Map<String, String> seen = new LinkedHashMap<>();
        for (K8sObject workload : objects) {
            String principal = SERVICE_PRINCIPALS.get(workload.name());
            if (principal == null || workload.podSpec() == null) {
                continue;
            }
            // The component patches the first container: the service itself.
            Map<String, Object> first = ((List<Map<String, Object>>) workload.podSpec().get("containers")).get(0);
            Container container = Deployment.k8sContainers(List.of(workload)).stream().filter(c -> c.raw() == first).findFirst().orElseThrow();
            assertThat(container.env()).as(container.where())
                    .containsEntry(ConfigLoader.envName(CommonConfigKeys.KAFKA_SECURITY_PROTOCOL), "SASL_SSL")
                    .containsEntry(ConfigLoader.envName(CommonConfigKeys.KAFKA_SASL_MECHANISM), "SCRAM-SHA-512")
                    .containsEntry(ConfigLoader.envName(CommonConfigKeys.KAFKA_SSL_TRUSTSTORE_TYPE), "PEM");
            Map<String, Object> ref = secretRef(container, ConfigLoader.envName(CommonConfigKeys.KAFKA_SASL_JAAS_CONFIG));
            assertThat(ref).as(container.where() + ": JAAS line from a Secret").isNotNull()
                    .containsEntry("name", principal).containsEntry("key", "sasl.jaas.config");
            assertThat(users).as("a KafkaUser writes the Secret " + principal).contains(principal);
            // The trust store is the cluster CA, mounted from its Secret at the configured location.
            String truststore = container.env().get(ConfigLoader.envName(CommonConfigKeys.KAFKA_SSL_TRUSTSTORE_LOCATION));
            Map<String, Object> mount = ((List<Map<String, Object>>) container.raw().get("volumeMounts")).stream()
                    .filter(m -> truststore.startsWith(m.get("mountPath") + "/")).findFirst().orElseThrow();
            Map<String, Object> volume = ((List<Map<String, Object>>) workload.podSpec().get("volumes")).stream()
                    .filter(v -> v.get("name").equals(mount.get("name"))).findFirst().orElseThrow();
            assertThat((Map<String, Object>) volume.get("secret")).containsEntry("secretName", "coldframe-cluster-ca-cert");
            // Nothing secret inline.
            container.env().forEach((name, value) -> assertThat(String.valueOf(value)).as(name).doesNotContain("password=", "LoginModule"));
            seen.put(workload.name(), principal);
        }
        assertThat(seen).isEqualTo(SERVICE_PRINCIPALS);
    }

    // --------------------------------------------------------------------------------------------- helpers

    static Properties worker() throws IOException {
        Properties worker = new Properties();
        worker.load(new StringReader(Repo.read(WORKER_PROPERTIES)));
        return worker;
    }

    static Map<String, String> workerMap(Properties worker) {
        Map<String, String> props = new LinkedHashMap<>();
        worker.forEach((k, v) -> props.put(String.valueOf(k), String.valueOf(v)));
        return props;
    }

    static K8sObject strimziConnect() {
        return find(Deployment.k8sObjects(Repo.path("k8s/components/strimzi")), "KafkaConnect", "coldframe");
    }

    static K8sObject find(List<K8sObject> objects, String kind, String name) {
        return objects.stream().filter(o -> o.kind().equals(kind) && o.name().equals(name)).findFirst()
                .orElseThrow(() -> new AssertionError("no " + kind + "/" + name));
    }

    /** Whether a label selector (matchLabels, matchExpressions with In) selects pods with these labels. */
    @SuppressWarnings("unchecked")
    static boolean selects(Map<String, Object> selector, Map<String, String> labels) {
        if (selector == null) {
            return false;
        }
        Map<String, String> match = (Map<String, String>) selector.getOrDefault("matchLabels", Map.of());
        if (!labels.entrySet().containsAll(match.entrySet())) {
            return false;
        }
        for (Map<String, Object> expression : (List<Map<String, Object>>) selector.getOrDefault("matchExpressions", List.of())) {
            String value = labels.get((String) expression.get("key"));
            if (!"In".equals(expression.get("operator")) || !((List<String>) expression.get("values")).contains(value)) {
                return false;
            }
        }
        return true;
    }

    @SuppressWarnings("unchecked")
    static Map<String, Object> secretRef(Container container, String variable) {
        for (Map<String, Object> env : (List<Map<String, Object>>) container.raw().getOrDefault("env", List.of())) {
            if (variable.equals(env.get("name")) && env.get("valueFrom") instanceof Map<?, ?> from) {
                return (Map<String, Object>) from.get("secretKeyRef");
            }
        }
        return null;
    }
}
