package io.coldframe.streams.rules;

/** A range condition on the 0..1 importance score, {@code {at_least: 0.8}}. */
record ScoreBounds(String lowerOp, double lowerValue, String upperOp, double upperValue) {

    boolean contains(double score) {
        if (lowerOp != null && (Bounds.OVER.equals(lowerOp) ? score <= lowerValue : score < lowerValue)) {
            return false;
        }
        return upperOp == null || (Bounds.UNDER.equals(upperOp) ? score < upperValue : score <= upperValue);
    }

    boolean isEmpty() {
        if (lowerOp == null || upperOp == null) {
            return false;
        }
        boolean strict = Bounds.OVER.equals(lowerOp) || Bounds.UNDER.equals(upperOp);
        return strict ? lowerValue >= upperValue : lowerValue > upperValue;
    }

    String describe() {
        StringBuilder text = new StringBuilder();
        if (lowerOp != null) {
            text.append(lowerOp.replace('_', ' ')).append(' ').append(lowerValue);
        }
        if (upperOp != null) {
            text.append(lowerOp != null ? " and " : "").append(upperOp.replace('_', ' ')).append(' ').append(upperValue);
        }
        return text.toString();
    }

    String canonical() {
        StringBuilder text = new StringBuilder("{");
        if (lowerOp != null) {
            text.append(lowerOp).append(": ").append(lowerValue);
        }
        if (upperOp != null) {
            text.append(lowerOp != null ? ", " : "").append(upperOp).append(": ").append(upperValue);
        }
        return text.append('}').toString();
    }
}
