package io.coldframe.archiver.redaction;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;

import org.bson.BsonDocument;
import org.junit.jupiter.api.Test;

class RedactionPolicyTest {

    private static final byte[] KEY = "0123456789abcdef0123456789abcdef".getBytes(StandardCharsets.UTF_8);
    private static final String POLICY = """
            version: 1
            fields: [user.email, credentials, "messages.*.author"]
            patterns:
              - {name: email, regex: '[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\\.[A-Za-z]{2,}'}
              - {name: openai-key, regex: 'sk-[A-Za-z0-9]{20,}'}
            """;

    private static RedactionPolicy policy(byte[] key) {
        return RedactionPolicy.fromText(POLICY, "policy.yaml", key);
    }

    @Test
    void replacesFieldsWholeAndPatternsWhereverTheyOccur() {
        BsonDocument memory = BsonDocument.parse("""
                {_id: 'ann@example.com', user: {email: 'ann@example.com', name: 'Ann'}, credentials: {token: 'x', n: 1},
                 messages: [{author: 'ann', text: 'mail bob@example.org, key sk-abcdefghijklmnopqrstuvwx'}, {text: 'hi'}],
                 importance: 0.4}""");
        RedactionPolicy.Result result = policy(KEY).apply(memory);
        BsonDocument redacted = result.document();

        assertThat(redacted.getString("_id").getValue()).isEqualTo("ann@example.com");
        assertThat(redacted.getString("credentials").getValue()).startsWith(RedactionPolicy.VALUE_PREFIX).hasSize(9 + 32);
        assertThat(redacted.getDocument("user").getString("email").getValue()).startsWith(RedactionPolicy.VALUE_PREFIX);
        assertThat(redacted.getDocument("user").getString("name").getValue()).isEqualTo("Ann");
        String text = redacted.getArray("messages").get(0).asDocument().getString("text").getValue();
        assertThat(text).startsWith("mail [redacted:email:").contains(", key [redacted:openai-key:").doesNotContain("bob@", "sk-abc");
        assertThat(redacted.getArray("messages").get(0).asDocument().getString("author").getValue()).startsWith(RedactionPolicy.VALUE_PREFIX);
        assertThat(redacted.getDouble("importance").getValue()).isEqualTo(0.4);
        assertThat(result.redactedPaths()).containsExactly("user.email", "credentials", "messages.0.author", "messages.0.text");
        assertThat(memory.getDocument("user").getString("email").getValue()).as("input untouched").isEqualTo("ann@example.com");
    }

    @Test
    void equalValuesGiveEqualReplacementsAndAnotherKeyOthers() {
        BsonDocument a = BsonDocument.parse("{_id: 1, user: {email: 'ann@example.com'}, note: 'ann@example.com'}");
        BsonDocument b = BsonDocument.parse("{_id: 2, user: {email: 'ann@example.com'}, note: 'ann@example.com'}");
        RedactionPolicy policy = policy(KEY);
        assertThat(policy.apply(a).document().get("user")).isEqualTo(policy.apply(b).document().get("user"));
        assertThat(policy.apply(a).document().get("note")).isEqualTo(policy.apply(b).document().get("note"));

        RedactionPolicy otherKey = policy("fedcba9876543210fedcba9876543210".getBytes(StandardCharsets.UTF_8));
        assertThat(otherKey.apply(a).document().get("user")).isNotEqualTo(policy.apply(a).document().get("user"));
        assertThat(otherKey.fingerprint()).isNotEqualTo(policy.fingerprint());
    }

    @Test
    void theFingerprintNamesPolicyAndKeyButNotTheKey() {
        RedactionPolicy policy = policy(KEY);
        assertThat(policy.fingerprint()).matches("sha256:[0-9a-f]{64}").isEqualTo(policy(KEY).fingerprint());
        assertThat(RedactionPolicy.fromText(POLICY.replace("credentials", "secrets"), "p", KEY).fingerprint()).isNotEqualTo(policy.fingerprint());
        // JSON is YAML: the same policy as JSON has the same fingerprint
        String json = "{\"version\": 1, \"fields\": [\"user.email\", \"credentials\", \"messages.*.author\"], \"patterns\": ["
                + "{\"name\": \"email\", \"regex\": \"[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\\\\.[A-Za-z]{2,}\"},"
                + "{\"name\": \"openai-key\", \"regex\": \"sk-[A-Za-z0-9]{20,}\"}]}";
        assertThat(RedactionPolicy.fromText(json, "policy.json", KEY).fingerprint()).isEqualTo(policy.fingerprint());
    }

    @Test
    void aDocumentWithNothingToRedactIsUnchanged() {
        BsonDocument memory = BsonDocument.parse("{_id: 1, text: 'nothing here', n: {$numberLong: '3'}}");
        RedactionPolicy.Result result = policy(KEY).apply(memory);
        assertThat(result.changed()).isFalse();
        assertThat(result.document()).isEqualTo(memory);
    }

    @Test
    void badPoliciesAreRefusedNamingTheEntry() {
        assertThatThrownBy(() -> RedactionPolicy.fromText("version: 1\nfields: [_id]", "p.yaml", KEY))
                .isInstanceOf(RedactionPolicyException.class).hasMessageContaining("p.yaml").hasMessageContaining("never redacted");
        assertThatThrownBy(() -> RedactionPolicy.fromText("version: 1\npatterns: [{name: x, regex: '(' }]", "p", KEY))
                .hasMessageContaining("patterns.x: not a regular expression");
        assertThatThrownBy(() -> RedactionPolicy.fromText("version: 1\npatterns: [{name: x, regex: 'a*'}]", "p", KEY))
                .hasMessageContaining("matches the empty string");
        assertThatThrownBy(() -> RedactionPolicy.fromText("version: 1\nfield: [a]", "p", KEY)).hasMessageContaining("unknown key 'field'");
        assertThatThrownBy(() -> RedactionPolicy.fromText("version: 2", "p", KEY)).hasMessageContaining("version: expected 1");
        assertThatThrownBy(() -> RedactionPolicy.fromText("version: 1\nfields: ['a..b']", "p", KEY)).hasMessageContaining("not a dotted field path");
        assertThatThrownBy(() -> RedactionPolicy.fromText(POLICY, "p", new byte[8])).hasMessageContaining("at least 16");
    }
}
