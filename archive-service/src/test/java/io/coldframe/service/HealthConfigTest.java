package io.coldframe.service;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

import io.coldframe.archiver.ArchiverConfig;
import io.coldframe.purger.PurgerConfig;
import io.coldframe.streams.StreamsAppConfig;

class HealthConfigTest {

    @Test
    void theHealthProbeWatchesTheGroupIdsTheServicesUseByDefault() {
        var defaults = ArchiveServiceConfig.DEFINITION.defaultValues();
        assertThat(defaults.get(HealthConfig.TIERING_GROUP)).isEqualTo(StreamsAppConfig.DEFINITION.defaultValues().get(StreamsAppConfig.APPLICATION_ID));
        assertThat(defaults.get(HealthConfig.ARCHIVER_GROUP)).isEqualTo(ArchiverConfig.DEFINITION.defaultValues().get(ArchiverConfig.GROUP_ID));
        assertThat(defaults.get(HealthConfig.PURGER_GROUP)).isEqualTo(PurgerConfig.DEFINITION.defaultValues().get(PurgerConfig.GROUP_ID));
    }
}
