package io.coldframe.streams.rules;

import java.time.Duration;
import java.time.Period;
import java.time.format.DateTimeParseException;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Durations ({@code 7d}, {@code 1d12h}, {@code 500ms}, ISO-8601 {@code P7D}) and sizes ({@code 10KB}) of the rules file. */
public final class Units {

    private static final Pattern DURATION_PART = Pattern.compile("(\\d+)(ms|s|m|h|d|w)");
    private static final Pattern PERIOD_PART = Pattern.compile("(\\d+)(mo|d|w|y)");
    private static final Pattern SIZE = Pattern.compile("(\\d+)\\s*(b|kb|kib|mb|mib|gb|gib)?", Pattern.CASE_INSENSITIVE);

    private Units() {
    }

    /** Milliseconds of a duration, or throws {@link IllegalArgumentException} with what is expected. */
    public static long durationMillis(Object value) {
        if (!(value instanceof String text) || text.isBlank()) {
            throw new IllegalArgumentException("expected a duration such as 7d, 12h, 30m, 1d12h, 500ms or P7D, got "
                    + describe(value) + (value instanceof Number ? " (a unit is required)" : ""));
        }
        String trimmed = text.trim();
        if (trimmed.startsWith("P") || trimmed.startsWith("p")) {
            try {
                Duration duration = Duration.parse(trimmed.toUpperCase(Locale.ROOT));
                if (duration.isNegative()) {
                    throw new IllegalArgumentException("duration " + trimmed + " is negative");
                }
                return duration.toMillis();
            } catch (DateTimeParseException | ArithmeticException e) {
                throw new IllegalArgumentException("not an ISO-8601 duration: '" + trimmed + "'");
            }
        }
        Matcher part = DURATION_PART.matcher(trimmed);
        long total = 0;
        int end = 0;
        while (part.find() && part.start() == end) {
            try {
                total = Math.addExact(total, Math.multiplyExact(Long.parseLong(part.group(1)), unitMillis(part.group(2))));
            } catch (ArithmeticException | NumberFormatException e) {
                throw new IllegalArgumentException("duration '" + trimmed + "' is too large");
            }
            end = part.end();
        }
        if (end == 0 || end != trimmed.length()) {
            throw new IllegalArgumentException("not a duration: '" + trimmed
                    + "' (use a number and a unit ms, s, m, h, d or w, e.g. 7d or 1d12h, or ISO-8601 such as P7D)");
        }
        return total;
    }

    /**
     * A calendar period such as a retention: a number and a unit {@code d}, {@code w}, {@code mo} (months) or {@code y},
     * combinable ({@code 1y6mo}), or ISO-8601 ({@code P1Y}, {@code P12M}); greater than zero. Calendar units, since
     * "12 months" means the same date a year before, not 360 days. Throws {@link IllegalArgumentException} with what
     * is expected.
     */
    public static Period retentionPeriod(Object value) {
        String expected = "a retention such as 12mo, 1y, 90d, 8w or 1y6mo (units d, w, mo, y), or ISO-8601 such as P1Y";
        if (!(value instanceof String text) || text.isBlank()) {
            throw new IllegalArgumentException("expected " + expected + ", got " + describe(value)
                    + (value instanceof Number ? " (a unit is required)" : ""));
        }
        String trimmed = text.trim();
        Period period = Period.ZERO;
        try {
            if (trimmed.startsWith("P") || trimmed.startsWith("p")) {
                period = Period.parse(trimmed.toUpperCase(Locale.ROOT));
            } else {
                Matcher part = PERIOD_PART.matcher(trimmed);
                int end = 0;
                while (part.find() && part.start() == end) {
                    int amount = Integer.parseInt(part.group(1));
                    period = switch (part.group(2)) {
                        case "d" -> period.plusDays(amount);
                        case "w" -> period.plusDays(Math.multiplyExact(7, amount));
                        case "mo" -> period.plusMonths(amount);
                        default -> period.plusYears(amount);
                    };
                    end = part.end();
                }
                if (end == 0 || end != trimmed.length()) {
                    throw new IllegalArgumentException("not a retention: '" + trimmed + "' (use " + expected + "; m is not a unit here: months are mo)");
                }
            }
        } catch (DateTimeParseException | ArithmeticException | NumberFormatException e) {
            throw new IllegalArgumentException("not a retention: '" + trimmed + "' (use " + expected + ")");
        }
        if (period.isNegative() || period.isZero()) {
            throw new IllegalArgumentException("retention '" + trimmed + "' must be longer than zero");
        }
        return period;
    }

    /** The rules-file form of a retention period: {@code 1y6mo}, {@code 90d}. */
    public static String formatPeriod(Period period) {
        StringBuilder text = new StringBuilder();
        if (period.getYears() != 0) {
            text.append(period.getYears()).append('y');
        }
        if (period.getMonths() != 0) {
            text.append(period.getMonths()).append("mo");
        }
        if (period.getDays() != 0 || text.length() == 0) {
            text.append(period.getDays()).append('d');
        }
        return text.toString();
    }

    /** Bytes of a size: a plain number, or a number with B, KB, MB or GB (binary: 1 KB = 1024 bytes). */
    public static long sizeBytes(Object value) {
        if (value instanceof Integer || value instanceof Long) {
            long bytes = ((Number) value).longValue();
            if (bytes < 0) {
                throw new IllegalArgumentException("size " + bytes + " is negative");
            }
            return bytes;
        }
        if (!(value instanceof String text)) {
            throw new IllegalArgumentException("expected a size such as 10KB, 2MB or 512 (bytes), got " + describe(value));
        }
        Matcher matcher = SIZE.matcher(text.trim());
        if (!matcher.matches()) {
            throw new IllegalArgumentException("not a size: '" + text + "' (use bytes or a number with B, KB, MB or GB; 1 KB = 1024 bytes)");
        }
        String unit = matcher.group(2) == null ? "b" : matcher.group(2).toLowerCase(Locale.ROOT);
        long multiplier = switch (unit) {
            case "kb", "kib" -> 1024L;
            case "mb", "mib" -> 1024L * 1024;
            case "gb", "gib" -> 1024L * 1024 * 1024;
            default -> 1L;
        };
        try {
            return Math.multiplyExact(Long.parseLong(matcher.group(1)), multiplier);
        } catch (ArithmeticException | NumberFormatException e) {
            throw new IllegalArgumentException("size '" + text + "' is too large");
        }
    }

    /** A compact human form: {@code 7d}, {@code 1d 12h}, {@code 3h 2m 1s}, {@code 250ms}; negative with a minus. */
    public static String formatDuration(long millis) {
        if (millis == 0) {
            return "0s";
        }
        if (millis == Long.MIN_VALUE || millis == Long.MAX_VALUE) {
            return "forever";
        }
        StringBuilder text = new StringBuilder(millis < 0 ? "-" : "");
        long rest = Math.abs(millis);
        long[] sizes = {86_400_000L, 3_600_000L, 60_000L, 1_000L, 1L};
        String[] names = {"d", "h", "m", "s", "ms"};
        int parts = 0;
        for (int i = 0; i < sizes.length && rest > 0 && parts < 3; i++) {
            long amount = rest / sizes[i];
            if (amount > 0) {
                text.append(parts > 0 ? " " : "").append(amount).append(names[i]);
                rest -= amount * sizes[i];
                parts++;
            } else if (parts > 0) {
                parts++; // keep the form short: at most three adjacent units
            }
        }
        return text.toString();
    }

    /** The canonical rules-file form of a duration, exact to the millisecond: {@code 7d}, {@code 1d12h}, {@code 500ms}. */
    public static String canonicalDuration(long millis) {
        if (millis == 0) {
            return "0ms";
        }
        StringBuilder text = new StringBuilder();
        long rest = millis;
        long[] sizes = {86_400_000L, 3_600_000L, 60_000L, 1_000L, 1L};
        String[] names = {"d", "h", "m", "s", "ms"};
        for (int i = 0; i < sizes.length; i++) {
            long amount = rest / sizes[i];
            if (amount > 0) {
                text.append(amount).append(names[i]);
                rest -= amount * sizes[i];
            }
        }
        return text.toString();
    }

    public static String formatSize(long bytes) {
        if (bytes >= 1024 * 1024 && bytes % (1024 * 1024) == 0) {
            return bytes / (1024 * 1024) + "MB";
        }
        if (bytes >= 1024 && bytes % 1024 == 0) {
            return bytes / 1024 + "KB";
        }
        return bytes + "B";
    }

    private static long unitMillis(String unit) {
        return switch (unit) {
            case "ms" -> 1L;
            case "s" -> 1_000L;
            case "m" -> 60_000L;
            case "h" -> 3_600_000L;
            case "d" -> 86_400_000L;
            case "w" -> 7 * 86_400_000L;
            default -> throw new IllegalArgumentException("unknown unit " + unit);
        };
    }

    static String describe(Object value) {
        if (value == null) {
            return "nothing";
        }
        if (value instanceof String s) {
            return "'" + s + "'";
        }
        if (value instanceof java.util.Map<?, ?>) {
            return "a mapping " + value;
        }
        if (value instanceof java.util.List<?>) {
            return "a list " + value;
        }
        return value.getClass().getSimpleName().toLowerCase(Locale.ROOT) + " " + value;
    }
}
