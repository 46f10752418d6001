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

    /** Index within its group's codeword (0..k-1 data, k..k+m-1 parity) of the frame at a video position. */
    int slotOfPosition(int position) {
        int g = groupOfPosition(position);
        int r = position - firstPosition(g);
        int data = dataInGroup(g);
        return r < data ? r : k + (r - data);
    }

    /** Video position of slot s (as in {@link #slotOfPosition}) of group g. */
    int positionOfSlot(int g, int slot) {
        return firstPosition(g) + (slot < k ? slot : dataInGroup(g) + slot - k);
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
