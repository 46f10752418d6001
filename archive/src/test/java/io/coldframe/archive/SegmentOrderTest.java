package io.coldframe.archive;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;

/** Restorer.SEGMENT_ORDER orders segments of one partition of one topic incarnation by offset, old ids and new. */
class SegmentOrderTest {

    private static final String A = "t.cold-4f1c0e9ab2d34c5e8f60718293a4b5c6";

    @Test
    void laterOffsetsOfTheSamePartitionAndIncarnationComeLater() {
        List<String> ids = new ArrayList<>(List.of(A + "-1-100-199", A + "-1-20-99", A + "-1-0-19", A + "-1-200-200"));
        ids.sort(Restorer.SEGMENT_ORDER);
        assertThat(ids).containsExactly(A + "-1-0-19", A + "-1-20-99", A + "-1-100-199", A + "-1-200-200");

        List<String> legacy = new ArrayList<>(List.of("t.cold-1-100-199", "t.cold-1-20-99"));
        legacy.sort(Restorer.SEGMENT_ORDER);
        assertThat(legacy).containsExactly("t.cold-1-20-99", "t.cold-1-100-199");
    }

    @Test
    void otherIncarnationsAndUnparsedIdsFallBackToNameOrder() {
        String other = "t.cold-00000000000000000000000000000001-1-5-9";
        assertThat(Restorer.SEGMENT_ORDER.compare(other, A + "-1-100-199")).isNegative();
        assertThat(Restorer.SEGMENT_ORDER.compare("x", "y")).isNegative();
    }
}
