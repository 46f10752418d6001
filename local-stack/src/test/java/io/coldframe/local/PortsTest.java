package io.coldframe.local;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.PrimitiveIterator;
import java.util.stream.IntStream;

import org.junit.jupiter.api.Test;

class PortsTest {

    @Test
    void aPortTheOsHandsOutAgainIsSkippedWhenAlreadyTaken() {
        PrimitiveIterator.OfInt osPorts = IntStream.of(42199, 42199, 42200).iterator();

        assertThat(Ports.freeLoopbackPort(osPorts::nextInt, 42199)).isEqualTo(42200);
    }

    @Test
    void givesUpWithTheTakenPortsNamedWhenTheOsKeepsHandingOutTakenOnes() {
        assertThatThrownBy(() -> Ports.freeLoopbackPort(() -> 42199, 42199))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("[42199]");
    }

    @Test
    void realPortsAskedForTogetherDiffer() {
        int broker = Ports.freeLoopbackPort();

        assertThat(Ports.freeLoopbackPort(broker)).isNotEqualTo(broker).isPositive();
    }
}
