package io.coldframe.streams.rules;

import java.util.function.LongFunction;

/**
 * A range condition as written in the rules file, {@code {over: 7d}}, {@code {at_least: 2, at_most: 10}}, on whole
 * numbers (milliseconds, counts, bytes). {@code min} and {@code max} are the inclusive integer bounds it stands for.
 */
record Bounds(String lowerOp, long lowerValue, String upperOp, long upperValue) {

    static final String OVER = "over";
    static final String AT_LEAST = "at_least";
    static final String UNDER = "under";
    static final String AT_MOST = "at_most";

    long min() {
        if (lowerOp == null) {
            return Long.MIN_VALUE;
        }
        return OVER.equals(lowerOp) ? saturatedAdd(lowerValue, 1) : lowerValue;
    }

    long max() {
        if (upperOp == null) {
            return Long.MAX_VALUE;
        }
        return UNDER.equals(upperOp) ? saturatedAdd(upperValue, -1) : upperValue;
    }

    boolean contains(long value) {
        return value >= min() && value <= max();
    }

    boolean isEmpty() {
        return min() > max();
    }

    /** {@code over 7d}, {@code at least 2 and under 10}. */
    String describe(LongFunction<String> format) {
        StringBuilder text = new StringBuilder();
        if (lowerOp != null) {
            text.append(lowerOp.replace('_', ' ')).append(' ').append(format.apply(lowerValue));
        }
        if (upperOp != null) {
            text.append(lowerOp != null ? " and " : "").append(upperOp.replace('_', ' ')).append(' ').append(format.apply(upperValue));
        }
        return text.toString();
    }

    /** The rules-file form, {@code {over: 7d, at_most: 30d}}. */
    String canonical(LongFunction<String> format) {
        StringBuilder text = new StringBuilder("{");
        if (lowerOp != null) {
            text.append(lowerOp).append(": ").append(format.apply(lowerValue));
        }
        if (upperOp != null) {
            text.append(lowerOp != null ? ", " : "").append(upperOp).append(": ").append(format.apply(upperValue));
        }
        return text.append('}').toString();
    }

    static long saturatedAdd(long a, long b) {
        if (a == Long.MIN_VALUE || a == Long.MAX_VALUE) {
            return a;
        }
        if (b == Long.MIN_VALUE || b == Long.MAX_VALUE) {
            return b;
        }
        long sum = a + b;
        if (((a ^ sum) & (b ^ sum)) < 0) {
            return a > 0 ? Long.MAX_VALUE : Long.MIN_VALUE;
        }
        return sum;
    }
}
