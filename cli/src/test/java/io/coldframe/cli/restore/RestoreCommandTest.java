package io.coldframe.cli.restore;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

import org.bson.BsonDocument;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.coldframe.archive.Restorer;
import io.coldframe.cli.DurationArgument;

import picocli.CommandLine;
import picocli.CommandLine.TypeConversionException;

/** The restore command's argument handling; the restore itself is RestoreIT. */
class RestoreCommandTest {

    @Test
    void durationsWithUnitsOrIso() {
        assertThat(DurationArgument.parse("7d")).isEqualTo(Duration.ofDays(7));
        assertThat(DurationArgument.parse("12h")).isEqualTo(Duration.ofHours(12));
        assertThat(DurationArgument.parse("30m")).isEqualTo(Duration.ofMinutes(30));
        assertThat(DurationArgument.parse("45s")).isEqualTo(Duration.ofSeconds(45));
        assertThat(DurationArgument.parse("500ms")).isEqualTo(Duration.ofMillis(500));
        assertThat(DurationArgument.parse("2w")).isEqualTo(Duration.ofDays(14));
        assertThat(DurationArgument.parse("0")).isZero();
        assertThat(DurationArgument.parse("P7D")).isEqualTo(Duration.ofDays(7));
        assertThat(DurationArgument.parse("pt1h")).isEqualTo(Duration.ofHours(1));
        assertThatThrownBy(() -> DurationArgument.parse("3x")).isInstanceOf(TypeConversionException.class);
        assertThatThrownBy(() -> DurationArgument.parse("-PT1H")).isInstanceOf(TypeConversionException.class);
    }

    @Test
    void segmentArgumentsNameTheSegmentId() {
        assertThat(RestoreCommand.segmentIdOf("coldframe.tier.cold-3-10-19")).isEqualTo("coldframe.tier.cold-3-10-19");
        assertThat(RestoreCommand.segmentIdOf("/a/b/coldframe.tier.cold-3-10-19.mkv")).isEqualTo("coldframe.tier.cold-3-10-19");
        assertThat(RestoreCommand.segmentIdOf("coldframe.tier.cold-3-10-19.manifest.json")).isEqualTo("coldframe.tier.cold-3-10-19");
    }

    @Test
    void laterSegmentsOfAPartitionHoldLaterVersions() {
        List<String> ids = new java.util.ArrayList<>(List.of("t.cold-1-100-199", "t.cold-1-20-99", "t.cold-1-0-19", "t.cold-1-200-200"));
        ids.sort(Restorer.SEGMENT_ORDER);
        assertThat(ids).containsExactly("t.cold-1-0-19", "t.cold-1-20-99", "t.cold-1-100-199", "t.cold-1-200-200");
        assertThat(Restorer.SEGMENT_ORDER.compare("x", "y")).isNegative();
    }

    @Test
    void agentsAreTheStringFieldAgentId() {
        assertThat(Restorer.agentOf(BsonDocument.parse("{_id: 1, agent_id: 'a'}"))).isEqualTo("a");
        assertThat(Restorer.agentOf(BsonDocument.parse("{_id: 1, agent_id: 7}"))).isNull();
        assertThat(Restorer.agentOf(BsonDocument.parse("{_id: 1}"))).isNull();
    }

    @Test
    void usageErrorsExitWithTwoAndOneLine(@TempDir Path dir) {
        assertThat(run("--agent", "a", "--id", "x")).startsWith("2:").contains("exactly one of --id");
        assertThat(run("--agent", "a", "--archive-dir", dir.resolve("missing").toString())).startsWith("2:").contains("no archive directory");
        assertThat(run("--agent", "a", "--archive-dir", dir.toString(), "--s3-bucket", "b")).startsWith("2:").contains("two different stores");
        assertThat(run("--agent", "a", "--archive-dir", dir.toString(), "-c", "no.such.key=1")).startsWith("2:").contains("unknown configuration key");
        assertThat(run("--agent", "a", "--store-type", "ftp")).startsWith("2:").contains("archiver.store.type");
    }

    private static String run(String... args) {
        StringWriter err = new StringWriter();
        int code = new CommandLine(new RestoreCommand()).setOut(new PrintWriter(new StringWriter())).setErr(new PrintWriter(err, true)).execute(args);
        return code + ":" + err;
    }
}
