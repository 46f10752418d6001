package io.coldframe.cli;

import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.TypeConversionException;

/**
 * A duration as typed on the command line: a number with a unit ({@code 7d}, {@code 12h}, {@code 30m}, {@code 45s},
 * {@code 500ms}), {@code 0}, or ISO-8601 ({@code P7D}, {@code PT12H}).
 */
public final class DurationArgument implements ITypeConverter<Duration> {

    private static final Pattern SHORT = Pattern.compile("(\\d+)\\s*(ms|s|m|h|d|w)");

    @Override
    public Duration convert(String value) {
        return parse(value);
    }

    public static Duration parse(String value) {
        String s = value.strip().toLowerCase(Locale.ROOT);
        if (s.equals("0")) {
            return Duration.ZERO;
        }
        Matcher m = SHORT.matcher(s);
        if (m.matches()) {
            long n = Long.parseLong(m.group(1));
            return switch (m.group(2)) {
                case "ms" -> Duration.ofMillis(n);
                case "s" -> Duration.ofSeconds(n);
                case "m" -> Duration.ofMinutes(n);
                case "h" -> Duration.ofHours(n);
                case "d" -> Duration.ofDays(n);
                default -> Duration.ofDays(7 * n);
            };
        }
        try {
            Duration d = Duration.parse(value.strip().toUpperCase(Locale.ROOT));
            if (d.isNegative()) {
                throw new TypeConversionException("a duration must not be negative: " + value);
            }
            return d;
        } catch (DateTimeParseException e) {
            throw new TypeConversionException("not a duration: '" + value + "' (e.g. 7d, 12h, 30m, 45s, or ISO-8601 P7D)");
        }
    }
}
