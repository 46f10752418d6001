package io.coldframe.bench;

import java.io.IOException;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;

/** How every benchmark writes its results: one pretty-printed JSON object, numbers rounded where they are measured. */
public final class Results {

    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    private Results() {
    }

    /** {@code x} rounded half-up to {@code decimals} places, so the JSON shows the precision the method has. */
    public static double round(double x, int decimals) {
        if (Double.isNaN(x) || Double.isInfinite(x)) {
            return x;
        }
        return BigDecimal.valueOf(x).setScale(decimals, RoundingMode.HALF_UP).doubleValue();
    }

    /** Writes {@code results} to {@code out}, creating its directory. */
    public static void write(Path out, Map<String, ?> results) throws IOException {
        Path parent = out.toAbsolutePath().getParent();
        if (parent != null) {
            Files.createDirectories(parent);
        }
        JSON.writeValue(out.toFile(), results);
    }

    /** The results as JSON text. */
    public static String toJson(Map<String, ?> results) throws IOException {
        return JSON.writeValueAsString(results);
    }
}
