package io.coldframe.common.ops;

import java.util.regex.Pattern;

/** Removes credentials from text that leaves the process (health responses, log lines). */
public final class Secrets {

    /** {@code scheme://user:password@host} and {@code scheme://user@host}: the user info goes. */
    private static final Pattern URI_USER_INFO = Pattern.compile("([A-Za-z][A-Za-z0-9+.-]*://)[^/@\\s\"']+@");
    /** {@code password=...}, {@code secret: ...}, {@code token=...} in query strings, properties and messages. */
    private static final Pattern KEY_VALUE = Pattern.compile(
            "(?i)((?:password|passwd|pwd|secret|token|secretkey|secret_key|access_key|sasl\\.jaas\\.config)\\s*[=:]\\s*)[^\\s&;,\"'}]+");

    private Secrets() {
    }

    public static String redact(String text) {
        if (text == null) {
            return null;
        }
        String withoutUserInfo = URI_USER_INFO.matcher(text).replaceAll("$1***@");
        return KEY_VALUE.matcher(withoutUserInfo).replaceAll("$1***");
    }
}
