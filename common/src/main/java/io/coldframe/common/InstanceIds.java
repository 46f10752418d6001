package io.coldframe.common;

import java.util.UUID;

/** The id of one running instance of a service, part of its transactional id: configured, else host, else random. */
public final class InstanceIds {

    private InstanceIds() {
    }

    public static String resolve(String configured) {
        if (configured != null && !configured.isBlank()) {
            return configured;
        }
        String host = System.getenv("HOSTNAME");
        return host != null && !host.isBlank() ? host : UUID.randomUUID().toString();
    }
}
