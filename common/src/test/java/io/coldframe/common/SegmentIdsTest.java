package io.coldframe.common;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.apache.kafka.common.Uuid;
import org.junit.jupiter.api.Test;

class SegmentIdsTest {

    private static final Uuid FIRST = Uuid.fromString("TxwOmrLTTF6PYHGCk6S1xg");

    @Test
    void theTopicIdSeparatesIncarnationsAndAReplayGetsTheSameId() {
        String id = SegmentIds.of("coldframe.tier.cold", FIRST, 3, 1200, 3199);

        assertThat(id).isEqualTo("coldframe.tier.cold-4f1c0e9ab2d34c5e8f60718293a4b5c6-3-1200-3199");
        assertThat(SegmentIds.of("coldframe.tier.cold", Uuid.fromString(FIRST.toString()), 3, 1200, 3199)).isEqualTo(id);
        assertThat(SegmentIds.of("coldframe.tier.cold", Uuid.randomUuid(), 3, 1200, 3199)).isNotEqualTo(id);
        assertThatThrownBy(() -> SegmentIds.of("t", Uuid.ZERO_UUID, 0, 0, 0)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void idsParseBackAndLegacyIdsStillParse() {
        assertThat(SegmentIds.parse("coldframe.tier.cold-4f1c0e9ab2d34c5e8f60718293a4b5c6-3-1200-3199")).contains(
                new SegmentIds.Parsed("coldframe.tier.cold", "4f1c0e9ab2d34c5e8f60718293a4b5c6", 3, 1200, 3199));
        // a topic whose name ends in digits
        assertThat(SegmentIds.parse("cold-7-4f1c0e9ab2d34c5e8f60718293a4b5c6-0-5-9").orElseThrow().topic()).isEqualTo("cold-7");
        assertThat(SegmentIds.parse("coldframe.tier.cold-3-10-19")).contains(new SegmentIds.Parsed("coldframe.tier.cold", null, 3, 10, 19));
        assertThat(SegmentIds.parse("smoke-0")).isEmpty();
        assertThat(SegmentIds.parse("t-0-0-99999999999999999999")).isEmpty();
        assertThat(SegmentIds.parse("t-4f1c0e9ab2d34c5e8f60718293a4b5c6-3-0-9").orElseThrow().source())
                .isEqualTo("t-4f1c0e9ab2d34c5e8f60718293a4b5c6-3");
    }

    @Test
    void aRewriteKeepsItsOriginalsPlaceAndNeverTakesAnArchiverId() {
        String original = "coldframe.tier.cold-4f1c0e9ab2d34c5e8f60718293a4b5c6-3-1200-3199";
        String rewrite = SegmentIds.rewritten(original, "00112233445566ff");

        assertThat(rewrite).isEqualTo(original + ".rw00112233445566ff");
        assertThat(SegmentIds.parse(rewrite)).isEqualTo(SegmentIds.parse(original));
        assertThat(SegmentIds.original(rewrite)).isEqualTo(original);
        // a rewrite of a rewrite replaces the suffix
        assertThat(SegmentIds.rewritten(rewrite, "ffffffffffffffff")).isEqualTo(original + ".rwffffffffffffffff");
        assertThat(SegmentIds.original("t-0-0-9")).isEqualTo("t-0-0-9");
        assertThatThrownBy(() -> SegmentIds.rewritten(original, "XYZ")).isInstanceOf(IllegalArgumentException.class);
    }
}
