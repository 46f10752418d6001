package io.coldframe.segment;

/**
 * Where the frames of a v2 segment sit in the video: the data frames cut from the stream, grouped k at a
 * time, each group followed by its m parity frames (the last group may hold fewer data frames).
 *
 * @param k          data frames per full group
 * @param m          parity frames per group
 * @param dataFrames number of data frames (at least 1)
 */
record FrameLayout(int k, int m, int dataFrames) {

    static FrameLayout forStream(int k, int m, long streamBytes) {
        return new FrameLayout(k, m, (int) Math.max(1, (streamBytes + FrameV2.PAYLOAD - 1) / FrameV2.PAYLOAD));
    }

    int groups() {
        return (dataFrames + k - 1) / k;
    }

    int totalFrames() {
        return dataFrames + groups() * m;
    }

    /** Data frames in group g (k, except possibly for the last group). */
    int dataInGroup(int g) {
        return Math.min(k, dataFrames - g * k);
    }

    int firstPosition(int group) {
        return group * (k + m);
    }

    /** Video position of data frame d. */
    int positionOfData(int d) {
        return d + (d / k) * m;
    }

    int groupOfPosition(int position) {
        return position / (k + m);
    }

    /** Data frame number of a data slot. */
    int dataOfSlot(int g, int slot) {
        return g * k + slot;
    }

    /** Last video position of group g. */
    int lastPosition(int g) {
        return firstPosition(g) + dataInGroup(g) + m - 1;
    }
}
