package io.coldframe.archiver.redaction;

/** A redaction policy that cannot be used; the message names the policy's source and the entry at fault. */
public final class RedactionPolicyException extends IllegalArgumentException {

    private static final long serialVersionUID = 1L;

    RedactionPolicyException(String source, String problem) {
        super(source + ": " + problem);
    }
}
