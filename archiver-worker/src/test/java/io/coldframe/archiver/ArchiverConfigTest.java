package io.coldframe.archiver;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

import org.apache.kafka.common.config.ConfigException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.coldframe.segment.BlockCompression;

class ArchiverConfigTest {

    private static final String KEY = "0123456789abcdef0123456789abcdef";

    @TempDir
    Path dir;

    @Test
    void archivesAsMongoDbHoldsTheMemoriesUnlessAPolicyIsSet() {
        assertThat(new ArchiverConfig(Map.of()).redactionPolicy()).isEmpty();
    }

    @Test
    void readsThePolicyAndItsKeyAtStart() throws Exception {
        Path policy = Files.writeString(dir.resolve("policy.yaml"), "version: 1\nfields: [user.email]\n");

        ArchiverConfig config = new ArchiverConfig(Map.of(ArchiverConfig.REDACTION_POLICY_FILE, policy.toString(),
                ArchiverConfig.REDACTION_KEY, KEY));

        assertThat(config.redactionPolicy()).hasValueSatisfying(p -> assertThat(p.fingerprint()).startsWith("sha256:"));
        assertThat(config.toString()).doesNotContain(KEY);
    }

    @Test
    void refusesAPolicyWithoutKeyAKeyWithoutPolicyAndABadPolicyNamingTheKeyAndEntry() throws Exception {
        Path policy = Files.writeString(dir.resolve("policy.yaml"), "version: 1\nfields: [_id]\n");

        assertThatThrownBy(() -> new ArchiverConfig(Map.of(ArchiverConfig.REDACTION_POLICY_FILE, policy.toString())))
                .isInstanceOf(ConfigException.class).hasMessageContaining(ArchiverConfig.REDACTION_KEY)
                .hasMessageContaining("COLDFRAME_ARCHIVER_REDACTION_KEY");
        assertThatThrownBy(() -> new ArchiverConfig(Map.of(ArchiverConfig.REDACTION_KEY, KEY)))
                .isInstanceOf(ConfigException.class).hasMessageContaining(ArchiverConfig.REDACTION_POLICY_FILE);
        assertThatThrownBy(() -> new ArchiverConfig(Map.of(ArchiverConfig.REDACTION_POLICY_FILE, policy.toString(),
                ArchiverConfig.REDACTION_KEY, KEY)))
                .isInstanceOf(ConfigException.class).hasMessageContaining(ArchiverConfig.REDACTION_POLICY_FILE)
                .hasMessageContaining("policy.yaml").hasMessageContaining("_id");
        assertThatThrownBy(() -> new ArchiverConfig(Map.of(ArchiverConfig.REDACTION_POLICY_FILE, dir.resolve("absent.yaml").toString(),
                ArchiverConfig.REDACTION_KEY, KEY)))
                .isInstanceOf(ConfigException.class).hasMessageContaining("absent.yaml");
    }

    @Test
    void segmentsUseZstdWithBzip2TextUnlessAnotherCodecIsConfigured() {
        assertThat(new ArchiverConfig(Map.of()).segmentOptions().blockCompression()).isEqualTo(BlockCompression.ZSTD_BZIP2);
        assertThat(new ArchiverConfig(Map.of(ArchiverConfig.SEGMENT_BLOCK_COMPRESSION, "lzma2")).segmentOptions()
                .blockCompression()).isEqualTo(BlockCompression.LZMA2);
        assertThat(new ArchiverConfig(Map.of(ArchiverConfig.SEGMENT_BLOCK_COMPRESSION, "zstd")).segmentOptions()
                .blockCompression()).isEqualTo(BlockCompression.ZSTD);
    }

    @Test
    void anUnknownBlockCompressionIsRefusedNamingTheKey() {
        assertThatThrownBy(() -> new ArchiverConfig(Map.of(ArchiverConfig.SEGMENT_BLOCK_COMPRESSION, "gzip")))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining(ArchiverConfig.SEGMENT_BLOCK_COMPRESSION);
    }
}
