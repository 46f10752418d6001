package io.coldframe.common;

/**
 * Input that no stage can process. The message names the record and the field, and the record goes to the
 * dead-letter topic with that message as its reason while the pipeline keeps running.
 */
public class InvalidRecordException extends RuntimeException {

    private final String field;

    public InvalidRecordException(String recordRef, String field, String problem) {
        super("record " + recordRef + ", field " + field + ": " + problem);
        this.field = field;
    }

    public String field() {
        return field;
    }
}
