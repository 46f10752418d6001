package io.coldframe.purger;

/**
 * A purge that can never succeed as it is (a document too large for the delete command, a command MongoDB rejects
 * as invalid): retrying it would block its segment for ever, so the purger dead-letters the commit and raises an
 * alert instead. Whatever was deleted before it stays deleted (each delete removed only an exact archived version).
 */
final class PermanentPurgeException extends RuntimeException {

    PermanentPurgeException(String message, Throwable cause) {
        super(message, cause);
    }
}
