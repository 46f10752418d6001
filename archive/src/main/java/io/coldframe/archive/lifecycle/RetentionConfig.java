package io.coldframe.archive.lifecycle;

import java.util.HashMap;
import java.util.Map;

import org.apache.kafka.common.config.AbstractConfig;
import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.common.config.ConfigDef.Importance;
import org.apache.kafka.common.config.ConfigDef.Range;
import org.apache.kafka.common.config.ConfigDef.Type;

import io.coldframe.common.ConfigLoader;

/** The retention pass's keys (the retention itself is the rules' {@code cold.retain}); env {@code COLDFRAME_<KEY>}. */
public final class RetentionConfig extends AbstractConfig {

    public static final String MIN_EXPIRED_SHARE = "retention.rewrite.min.expired.share";

    public static final ConfigDef DEFINITION = new ConfigDef()
            .define(MIN_EXPIRED_SHARE, Type.DOUBLE, 0.25, Range.between(0.0, 1.0), Importance.MEDIUM,
                    "A segment partly past retention is rewritten without its expired records only once at least this share "
                            + "of its records expired (0..1); below it the segment is left for a later pass, since a rewrite "
                            + "re-encodes and re-verifies the whole segment. A segment wholly past retention always expires.");

    private RetentionConfig(Map<String, Object> values) {
        super(DEFINITION, values, false);
    }

    /** {@code explicit} (other keys ignored), else the environment, else the defaults; validated. */
    public static RetentionConfig load(Map<String, ?> explicit) {
        Map<String, Object> own = new HashMap<>();
        explicit.forEach((key, value) -> {
            if (DEFINITION.names().contains(key)) {
                own.put(key, value);
            }
        });
        return new RetentionConfig(ConfigLoader.resolve(DEFINITION, own));
    }

    public double minExpiredShare() {
        return getDouble(MIN_EXPIRED_SHARE);
    }
}
