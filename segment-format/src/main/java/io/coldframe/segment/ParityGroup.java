package io.coldframe.segment;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The frames read of one parity group, arranged as the codeword slots {@link FrameParity} works on
 * (k data slots, then m parity slots), with what was lost and why.
 */
final class ParityGroup {
    private final FrameLayout layout;
    private final int group;
    private final int dataCount;
    private final byte[][] payloads;
    private final Map<Integer, SegmentReaderV2.FrameResult> read;
    private final List<Integer> lost = new ArrayList<>();

    private ParityGroup(FrameLayout layout, int group, int dataCount, byte[][] payloads,
            Map<Integer, SegmentReaderV2.FrameResult> read) {
        this.layout = layout;
        this.group = group;
        this.dataCount = dataCount;
        this.payloads = payloads;
        this.read = read;
    }

    /**
     * @param layoutKnown whether the layout's data frame count is real (else a short last group's size
     *                    is learnt from its parity frames' positions)
     * @param read        frames by position (as their headers name it); failures by the position read at
     */
    static ParityGroup of(FrameLayout layout, boolean layoutKnown, int g, Map<Integer, SegmentReaderV2.FrameResult> read) {
        int k = layout.k();
        int m = layout.m();
        int first = layout.firstPosition(g);
        int data = layoutKnown ? layout.dataInGroup(g) : -1;
        for (SegmentReaderV2.FrameResult fr : read.values()) {
            if (data < 0 && fr.frame() != null && fr.frame().parity() && layout.groupOfPosition(fr.position()) == g) {
                data = fr.position() - first - (fr.frame().role() - 1); // parity frame j sits right after the data
            }
        }
        if (data < 0) {
            boolean allData = true;
            for (int p = first; p < first + k; p++) {
                SegmentReaderV2.FrameResult fr = read.get(p);
                allData &= fr != null && fr.frame() != null && !fr.frame().parity();
            }
            data = allData ? k : -1;
        }
        byte[][] payloads = new byte[k + m][];
        ParityGroup pg = new ParityGroup(layout, g, data, payloads, read);
        if (data < 0) {
            return pg; // no parity frame readable and data missing: the group's extent is unknown
        }
        for (int s = 0; s < k + m; s++) {
            if (s >= data && s < k) {
                payloads[s] = new byte[0]; // a short last group: absent data frames count as zeros
                continue;
            }
            int pos = pg.positionOf(s);
            SegmentReaderV2.FrameResult fr = read.get(pos);
            boolean wantParity = s >= k;
            if (fr != null && fr.frame() != null && fr.frame().parity() == wantParity
                    && (!wantParity || fr.frame().role() == s - k + 1)) {
                payloads[s] = fr.frame().payload();
            } else {
                pg.lost.add(pos);
            }
        }
        return pg;
    }

    private int positionOf(int slot) {
        int first = layout.firstPosition(group);
        return slot < layout.k() ? first + slot : first + dataCount + slot - layout.k();
    }

    /** Data frames in the group, or -1 if that could not be told. */
    int dataCount() {
        return dataCount;
    }

    byte[][] payloads() {
        return payloads;
    }

    /** Positions of the lost data frames. */
    List<Integer> lostData() {
        List<Integer> out = new ArrayList<>();
        for (int p : lost) {
            if (p - layout.firstPosition(group) < dataCount) {
                out.add(p);
            }
        }
        return out;
    }

    /** Rebuilds the lost data payloads in place; false if too many frames are lost. */
    boolean rebuild(FrameParity parity) {
        if (dataCount < 0 || lost.size() > layout.m()) {
            return false;
        }
        return lost.isEmpty() || parity.rebuild(payloads, FrameV2.PAYLOAD);
    }

    /** One line per lost frame that {@link #rebuild} brought back (data) or made redundant (parity). */
    List<String> repairs() {
        List<String> out = new ArrayList<>();
        for (int p : lost) {
            boolean data = p - layout.firstPosition(group) < dataCount;
            out.add("frame " + p + ": " + why(p) + "; " + (data ? "rebuilt from parity group " + group
                    : "parity frame of group " + group + " lost, its data frames are intact"));
        }
        return out;
    }

    /** What could not be repaired, naming every lost frame. */
    String unrepairable() {
        int first = layout.firstPosition(group);
        if (dataCount < 0) {
            return "parity group " + group + " (frames from " + first + "): data frames lost and no parity frame "
                    + "readable, nothing can be rebuilt";
        }
        StringBuilder sb = new StringBuilder("parity group " + group + " (frames " + first + "-"
                + (first + dataCount + layout.m() - 1) + "): " + lost.size() + " frames lost, parity rebuilds at most "
                + layout.m() + ":");
        for (int p : lost) {
            sb.append(" frame ").append(p).append(" (").append(why(p)).append(")");
        }
        return sb.toString();
    }

    private String why(int position) {
        SegmentReaderV2.FrameResult fr = read.get(position);
        return fr == null ? "missing" : fr.error() != null ? fr.error() : "not the expected frame";
    }
}
