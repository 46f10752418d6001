package io.coldframe.archiver.redaction;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.InvalidKeyException;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

import org.bson.BsonArray;
import org.bson.BsonDocument;
import org.bson.BsonString;
import org.bson.BsonValue;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.SafeConstructor;
import org.yaml.snakeyaml.error.YAMLException;

import io.coldframe.common.MemoryDocuments;
import io.coldframe.common.MemoryFields;

/**
 * What to redact from a memory before it goes into an archive that lives for years: field paths whose whole value is
 * replaced, and value patterns (keys, tokens, e-mail addresses) replaced wherever they occur in a string. A value
 * is replaced by a keyed hash (HMAC-SHA-256 with a secret key): equal values give equal replacements, so redacted
 * memories can still be grouped by them, but without the key nobody can test a guess. Format (YAML or JSON):
 *
 * <pre>
 * version: 1
 * fields: [user.email, credentials, "messages.*.author"]   # '*' is any one key or array element
 * patterns:
 *   - {name: email, regex: '[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,}'}
 *   - {name: openai-key, regex: 'sk-[A-Za-z0-9]{20,}'}
 * </pre>
 *
 * {@code _id} is never redacted: it is the memory's identity. The {@link #fingerprint()} names the policy and the key
 * (not the key itself), so a segment can record which redaction made it.
 */
public final class RedactionPolicy {

    /** A whole value replaced: {@code "redacted:" + first 32 hex digits of the HMAC of its canonical Extended JSON}. */
    public static final String VALUE_PREFIX = "redacted:";

    private static final Set<String> TOP_KEYS = Set.of("version", "fields", "patterns");
    private static final Set<String> PATTERN_KEYS = Set.of("name", "regex");
    private static final Pattern PATTERN_NAME = Pattern.compile("[a-z0-9][a-z0-9-]*");

    private record NamedPattern(String name, Pattern regex) {
    }

    /** A redacted document and the paths of what was replaced in it (for the audit, never the values). */
    public record Result(BsonDocument document, List<String> redactedPaths) {

        public boolean changed() {
            return !redactedPaths.isEmpty();
        }
    }

    private final String source;
    private final List<String[]> fields;
    private final List<NamedPattern> patterns;
    private final byte[] key;
    private final String fingerprint;

    private RedactionPolicy(String source, List<String[]> fields, List<NamedPattern> patterns, byte[] key) {
        this.source = source;
        this.fields = List.copyOf(fields);
        this.patterns = List.copyOf(patterns);
        this.key = key.clone();
        this.fingerprint = computeFingerprint();
    }

    /** Reads a policy file; {@code key} is the HMAC key (at least 16 bytes). Problems name the file and the entry. */
    public static RedactionPolicy fromFile(Path file, byte[] key) throws IOException {
        return fromText(Files.readString(file, StandardCharsets.UTF_8), file.toString(), key);
    }

    public static RedactionPolicy fromText(String text, String source, byte[] key) {
        if (key.length < 16) {
            throw new RedactionPolicyException(source, "the redaction key has " + key.length + " bytes; use at least 16 (a random 32-byte secret)");
        }
        Object parsed;
        try {
            parsed = new Yaml(new SafeConstructor(new LoaderOptions())).load(text);
        } catch (YAMLException e) {
            throw new RedactionPolicyException(source, "not YAML or JSON: " + e.getMessage());
        }
        if (!(parsed instanceof Map<?, ?> top)) {
            throw new RedactionPolicyException(source, "expected a mapping with version, fields and patterns");
        }
        for (Object name : top.keySet()) {
            if (!TOP_KEYS.contains(String.valueOf(name))) {
                throw new RedactionPolicyException(source, "unknown key '" + name + "' (expected " + new TreeSet<>(TOP_KEYS) + ")");
            }
        }
        if (!Integer.valueOf(1).equals(top.get("version"))) {
            throw new RedactionPolicyException(source, "version: expected 1, found " + top.get("version"));
        }
        List<String[]> fields = new ArrayList<>();
        for (Object field : list(top.get("fields"), source, "fields")) {
            String path = String.valueOf(field);
            String[] parts = path.split("\\.", -1);
            if (!(field instanceof String) || path.isEmpty() || List.of(parts).contains("")) {
                throw new RedactionPolicyException(source, "fields: '" + path + "' is not a dotted field path");
            }
            if (parts[0].equals(MemoryFields.ID)) {
                throw new RedactionPolicyException(source, "fields: '" + path + "' is in _id, the memory's identity, which is never redacted");
            }
            fields.add(parts);
        }
        List<NamedPattern> patterns = new ArrayList<>();
        Set<String> names = new TreeSet<>();
        for (Object entry : list(top.get("patterns"), source, "patterns")) {
            if (!(entry instanceof Map<?, ?> pattern) || !PATTERN_KEYS.equals(stringKeys(pattern))) {
                throw new RedactionPolicyException(source, "patterns: each entry needs exactly name and regex, found " + entry);
            }
            String name = String.valueOf(pattern.get("name"));
            if (!PATTERN_NAME.matcher(name).matches() || !names.add(name)) {
                throw new RedactionPolicyException(source, "patterns: name '" + name + "' must be unique, lowercase letters, digits and '-'");
            }
            try {
                Pattern regex = Pattern.compile(String.valueOf(pattern.get("regex")));
                if (regex.matcher("").matches()) {
                    throw new RedactionPolicyException(source, "patterns." + name + ": the regex matches the empty string");
                }
                patterns.add(new NamedPattern(name, regex));
            } catch (PatternSyntaxException e) {
                throw new RedactionPolicyException(source, "patterns." + name + ": not a regular expression: " + e.getDescription());
            }
        }
        return new RedactionPolicy(source, fields, patterns, key);
    }

    /** Where the policy came from, for messages. */
    public String source() {
        return source;
    }

    /**
     * {@code sha256:<hex>} over the policy's canonical form (its field paths and patterns, in order) and a keyed
     * check value: a changed policy or key gives another fingerprint; the key cannot be learnt from it.
     */
    public String fingerprint() {
        return fingerprint;
    }

    /** The document with every configured field and every pattern match replaced; the input is not changed. */
    public Result apply(BsonDocument document) {
        List<String> redacted = new ArrayList<>();
        BsonDocument copy = new BsonDocument();
        for (Map.Entry<String, BsonValue> field : document.entrySet()) {
            String name = field.getKey();
            copy.put(name, name.equals(MemoryFields.ID) ? field.getValue() : redact(field.getValue(), List.of(name), redacted));
        }
        return new Result(copy, List.copyOf(redacted));
    }

    private BsonValue redact(BsonValue value, List<String> path, List<String> redacted) {
        if (matchesField(path)) {
            redacted.add(String.join(".", path));
            return new BsonString(VALUE_PREFIX + hmacHex(MemoryDocuments.toCanonicalJson(new BsonDocument("v", value))).substring(0, 32));
        }
        if (value.isDocument()) {
            BsonDocument copy = new BsonDocument();
            value.asDocument().forEach((name, inner) -> copy.put(name, redact(inner, append(path, name), redacted)));
            return copy;
        }
        if (value.isArray()) {
            BsonArray array = value.asArray();
            BsonArray copy = new BsonArray(new ArrayList<>(array.size()));
            for (int i = 0; i < array.size(); i++) {
                copy.add(redact(array.get(i), append(path, Integer.toString(i)), redacted));
            }
            return copy;
        }
        if (value.isString() && !patterns.isEmpty()) {
            String text = value.asString().getValue();
            String replaced = replacePatterns(text);
            if (!replaced.equals(text)) {
                redacted.add(String.join(".", path));
                return new BsonString(replaced);
            }
        }
        return value;
    }

    private String replacePatterns(String text) {
        String result = text;
        for (NamedPattern pattern : patterns) {
            Matcher matcher = pattern.regex().matcher(result);
            StringBuilder out = new StringBuilder();
            while (matcher.find()) {
                String token = "[redacted:" + pattern.name() + ":" + hmacHex(matcher.group()).substring(0, 16) + "]";
                matcher.appendReplacement(out, Matcher.quoteReplacement(token));
            }
            matcher.appendTail(out);
            result = out.toString();
        }
        return result;
    }

    private boolean matchesField(List<String> path) {
        for (String[] field : fields) {
            if (field.length != path.size()) {
                continue;
            }
            boolean match = true;
            for (int i = 0; i < field.length && match; i++) {
                match = field[i].equals("*") || field[i].equals(path.get(i));
            }
            if (match) {
                return true;
            }
        }
        return false;
    }

    private String computeFingerprint() {
        Map<String, Object> canonical = new LinkedHashMap<>();
        canonical.put("fields", fields.stream().map(parts -> String.join(".", parts)).toList());
        canonical.put("patterns", patterns.stream().map(p -> p.name() + "=" + p.regex().pattern()).toList());
        canonical.put("key_check", hmacHex("coldframe redaction key check"));
        return "sha256:" + MemoryDocuments.sha256Hex(canonical.toString().getBytes(StandardCharsets.UTF_8));
    }

    private String hmacHex(String text) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(key, "HmacSHA256"));
            return HexFormat.of().formatHex(mac.doFinal(text.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException | InvalidKeyException e) {
            throw new IllegalStateException("every JVM ships HmacSHA256", e);
        }
    }

    private static List<String> append(List<String> path, String name) {
        List<String> longer = new ArrayList<>(path.size() + 1);
        longer.addAll(path);
        longer.add(name);
        return longer;
    }

    private static List<?> list(Object value, String source, String key) {
        if (value == null) {
            return List.of();
        }
        if (!(value instanceof List<?> list)) {
            throw new RedactionPolicyException(source, key + ": expected a list, found " + value);
        }
        return list;
    }

    private static Set<String> stringKeys(Map<?, ?> map) {
        Set<String> keys = new TreeSet<>();
        map.keySet().forEach(k -> keys.add(String.valueOf(k)));
        return keys;
    }
}
