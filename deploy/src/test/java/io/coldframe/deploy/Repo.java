package io.coldframe.deploy;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import javax.xml.parsers.DocumentBuilderFactory;

import org.w3c.dom.Document;
import org.w3c.dom.Element;
import org.w3c.dom.Node;
import org.w3c.dom.NodeList;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.SafeConstructor;

/** The repository as the deployment files see it: poms (with properties resolved), YAML documents, files. */
final class Repo {

    static final Path ROOT = root();

    private Repo() {
    }

    private static Path root() {
        String configured = System.getProperty("coldframe.root");
        Path start = configured != null ? Path.of(configured) : Path.of("").toAbsolutePath();
        for (Path dir = start.toAbsolutePath().normalize(); dir != null; dir = dir.getParent()) {
            if (Files.isRegularFile(dir.resolve("docker-compose.yml")) && Files.isDirectory(dir.resolve("k8s"))) {
                return dir;
            }
        }
        throw new IllegalStateException("cannot find the repository root above " + start);
    }

    static Path path(String relative) {
        return ROOT.resolve(relative);
    }

    static String read(String relative) {
        try {
            return Files.readString(path(relative));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Every YAML document of a file (multi-document files give several); merge keys ({@code <<}) resolved. */
    @SuppressWarnings("unchecked")
    static List<Map<String, Object>> yamlDocuments(Path file) {
        List<Map<String, Object>> documents = new ArrayList<>();
        try (InputStream in = Files.newInputStream(file)) {
            for (Object document : new Yaml(new SafeConstructor(new LoaderOptions())).loadAll(in)) {
                if (document != null) {
                    documents.add((Map<String, Object>) document);
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return documents;
    }

    static Map<String, Object> yaml(String relative) {
        List<Map<String, Object>> documents = yamlDocuments(path(relative));
        if (documents.size() != 1) {
            throw new IllegalStateException(relative + " holds " + documents.size() + " documents");
        }
        return documents.get(0);
    }

    /** A module's pom with the root pom's and its own properties, ${...} resolved as Maven would. */
    static final class Pom {
        private final Document xml;
        private final Document parent;
        private final Map<String, String> properties;

        private Pom(Document xml, Document parent, Map<String, String> properties) {
            this.xml = xml;
            this.parent = parent;
            this.properties = properties;
        }

        static Pom of(String module) {
            Document root = parse(path("pom.xml"));
            Map<String, String> properties = new LinkedHashMap<>();
            properties.put("project.version", text(root.getDocumentElement(), "version"));
            properties.putAll(properties(root));
            Document xml = module.isEmpty() ? root : parse(path(module + "/pom.xml"));
            properties.putAll(properties(xml));
            properties.put("project.description", text(xml.getDocumentElement(), "description"));
            return new Pom(xml, root, properties);
        }

        String property(String name) {
            String value = properties.get(name);
            if (value == null) {
                throw new IllegalArgumentException("no property " + name);
            }
            return resolve(value);
        }

        String resolve(String value) {
            Matcher matcher = Pattern.compile("\\$\\{([^}]+)}").matcher(value);
            StringBuilder resolved = new StringBuilder();
            while (matcher.find()) {
                matcher.appendReplacement(resolved, Matcher.quoteReplacement(property(matcher.group(1))));
            }
            return matcher.appendTail(resolved).toString();
        }

        /** The jib-maven-plugin configuration element of this pom (under build/plugins or pluginManagement). */
        Element jib() {
            return jib(xml);
        }

        private static Element jib(Document xml) {
            NodeList plugins = xml.getElementsByTagName("plugin");
            for (int i = 0; i < plugins.getLength(); i++) {
                Element plugin = (Element) plugins.item(i);
                if ("jib-maven-plugin".equals(text(plugin, "artifactId"))) {
                    return child(plugin, "configuration");
                }
            }
            return null;
        }

        /**
         * Text at a path of child elements under the Jib configuration, resolved, as Maven merges it: this pom's
         * value, else the root pom's pluginManagement one; null when neither has it.
         */
        String jib(String... path) {
            Element element = at(jib(xml), path);
            if (element == null) {
                element = at(jib(parent), path);
            }
            return element == null ? null : resolve(element.getTextContent().trim());
        }

        private static Element at(Element element, String... path) {
            for (String name : path) {
                element = element == null ? null : child(element, name);
            }
            return element;
        }

        /** The values of a list element (this pom's, appended to the root's where it says combine.children="append"). */
        List<String> jibList(String... path) {
            Element own = at(jib(xml), path);
            List<String> values = new ArrayList<>();
            if (own == null || "append".equals(own.getAttribute("combine.children"))) {
                values.addAll(values(at(jib(parent), path)));
            }
            values.addAll(values(own));
            return values;
        }

        private List<String> values(Element element) {
            List<String> values = new ArrayList<>();
            if (element != null) {
                for (Node node = element.getFirstChild(); node != null; node = node.getNextSibling()) {
                    if (node instanceof Element child) {
                        values.add(resolve(child.getTextContent().trim()));
                    }
                }
            }
            return values;
        }

        private static Map<String, String> properties(Document xml) {
            Map<String, String> properties = new HashMap<>();
            Element element = child(xml.getDocumentElement(), "properties");
            if (element != null) {
                for (Node node = element.getFirstChild(); node != null; node = node.getNextSibling()) {
                    if (node instanceof Element property) {
                        properties.put(property.getTagName(), property.getTextContent().trim());
                    }
                }
            }
            return properties;
        }

        private static Document parse(Path file) {
            try {
                return DocumentBuilderFactory.newInstance().newDocumentBuilder().parse(file.toFile());
            } catch (Exception e) {
                throw new IllegalStateException("cannot parse " + file, e);
            }
        }

        private static Element child(Element parent, String name) {
            for (Node node = parent.getFirstChild(); node != null; node = node.getNextSibling()) {
                if (node instanceof Element element && element.getTagName().equals(name)) {
                    return element;
                }
            }
            return null;
        }

        private static String text(Element parent, String name) {
            Element element = child(parent, name);
            return element == null ? null : element.getTextContent().trim();
        }
    }
}
