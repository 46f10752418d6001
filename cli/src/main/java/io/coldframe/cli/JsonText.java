package io.coldframe.cli;

import java.math.BigDecimal;
import java.util.List;
import java.util.Map;

/**
 * Pretty-prints benchmark results as JSON: maps (keep their order) one key per line, lists of scalars inline unless
 * they hold strings (one per line), doubles without exponent, NaN/infinite as null.
 */
final class JsonText {

    private JsonText() {
    }

    static String write(Object value) {
        StringBuilder sb = new StringBuilder();
        write(sb, value, "");
        return sb.append('\n').toString();
    }

    private static void write(StringBuilder sb, Object v, String indent) {
        if (v == null) {
            sb.append("null");
        } else if (v instanceof Map<?, ?> map) {
            if (map.isEmpty()) {
                sb.append("{}");
                return;
            }
            sb.append("{\n");
            String inner = indent + "  ";
            int i = 0;
            for (Map.Entry<?, ?> e : map.entrySet()) {
                sb.append(inner);
                string(sb, String.valueOf(e.getKey()));
                sb.append(": ");
                write(sb, e.getValue(), inner);
                sb.append(++i < map.size() ? ",\n" : "\n");
            }
            sb.append(indent).append('}');
        } else if (v instanceof List<?> list) {
            boolean multiline = list.stream().anyMatch(x -> x instanceof String || x instanceof Map || x instanceof List);
            if (!multiline || list.isEmpty()) {
                sb.append('[');
                for (int i = 0; i < list.size(); i++) {
                    write(sb, list.get(i), indent);
                    sb.append(i + 1 < list.size() ? ", " : "");
                }
                sb.append(']');
                return;
            }
            sb.append("[\n");
            String inner = indent + "  ";
            for (int i = 0; i < list.size(); i++) {
                sb.append(inner);
                write(sb, list.get(i), inner);
                sb.append(i + 1 < list.size() ? ",\n" : "\n");
            }
            sb.append(indent).append(']');
        } else if (v instanceof Double || v instanceof Float) {
            double d = ((Number) v).doubleValue();
            sb.append(Double.isFinite(d) ? BigDecimal.valueOf(d).stripTrailingZeros().toPlainString() : "null");
        } else if (v instanceof Number || v instanceof Boolean) {
            sb.append(v);
        } else {
            string(sb, v.toString());
        }
    }

    private static void string(StringBuilder sb, String s) {
        sb.append('"');
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '"' -> sb.append("\\\"");
                case '\\' -> sb.append("\\\\");
                case '\n' -> sb.append("\\n");
                case '\r' -> sb.append("\\r");
                case '\t' -> sb.append("\\t");
                default -> {
                    if (c < 0x20) {
                        sb.append(String.format("\\u%04x", (int) c));
                    } else {
                        sb.append(c);
                    }
                }
            }
        }
        sb.append('"');
    }

    /** x rounded to the given number of decimals (for readable result files). */
    static double round(double x, int decimals) {
        if (!Double.isFinite(x)) {
            return x;
        }
        return BigDecimal.valueOf(x).setScale(decimals, java.math.RoundingMode.HALF_UP).doubleValue();
    }
}
