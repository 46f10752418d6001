package io.coldframe.cli;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;

import org.apache.kafka.common.config.ConfigException;

import io.coldframe.streams.StreamsAppConfig;
import io.coldframe.streams.rules.RuleSet;

/** The tiering rules the tiering service would run, for commands that act on them ({@code mongo init}, {@code retention run}). */
public final class ServiceRules {

    private ServiceRules() {
    }

    /** {@code rulesFile} when given, else the service's environment, else the built-in defaults; bad rules are a usage error. */
    public static RuleSet load(Path rulesFile) {
        Map<String, Object> explicit = new HashMap<>();
        if (rulesFile != null) {
            if (!Files.isRegularFile(rulesFile)) {
                throw new ToolCommand.Failure(ToolCommand.USAGE, "rules file not found: " + rulesFile);
            }
            explicit.put(StreamsAppConfig.RULES_FILE, rulesFile.toString());
        }
        try {
            return StreamsAppConfig.load(explicit).rules();
        } catch (ConfigException e) {
            throw new ToolCommand.Failure(ToolCommand.USAGE, "invalid rules: " + e.getMessage());
        }
    }
}
