package io.coldframe.cli;

import java.time.Duration;

import picocli.CommandLine.Option;

/** {@code --service URL} (and its token and timeout): commands that can ask the archive service instead of the store. */
public final class ServiceClientOptions {

    @Option(names = "--service", paramLabel = "URL", defaultValue = "${env:COLDFRAME_SERVICE_URL}",
            description = "Ask the archive service at URL (what `coldframe up` prints as service:) instead of reading the store and "
                    + "the catalog here. Default: $COLDFRAME_SERVICE_URL, else none.")
    String url;

    @Option(names = "--token", paramLabel = "TOKEN", defaultValue = "${env:COLDFRAME_SERVICE_TOKEN}",
            description = "Bearer token of the service's writes (its service.write.token), for restore. Default: $COLDFRAME_SERVICE_TOKEN.")
    String token;

    @Option(names = "--service-timeout", paramLabel = "DURATION", defaultValue = "60s", converter = DurationArgument.class,
            description = "Give up on a service request after this long (default: ${DEFAULT-VALUE}).")
    Duration timeout;

    public boolean given() {
        return url != null && !url.isBlank();
    }

    public ServiceClient client() {
        return new ServiceClient(url, token, timeout);
    }
}
