package io.coldframe.cli.gc;

import java.time.Clock;
import java.time.Duration;

import io.coldframe.archive.ArchiveCatalog;
import io.coldframe.archive.SegmentGc;
import io.coldframe.archiver.ArchiverConfig;
import io.coldframe.cli.DurationArgument;
import io.coldframe.cli.StoreOptions;
import io.coldframe.cli.ToolCommand;
import io.coldframe.common.KafkaConnection;
import io.coldframe.store.SegmentStore;
import io.coldframe.store.SegmentStores;

import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

@Command(name = "gc", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Finds (and with --delete removes) stored segments that nothing needs: orphans of an archiver killed between "
                + "store and commit, and segments whose every memory was archived again later.",
                "Never removes a segment that any entry of the catalog (<prefix>.catalog, each memory's latest archived version) "
                        + "references, however old; nor one stored less than --grace ago (its commit may be under way); nor one "
                        + "holding a memory the catalog does not know (the catalog may be incomplete). When the catalog cannot be "
                        + "read, or is empty while the store is not, nothing is removed.",
                "A dry run unless --delete is given: removing archived data is the one thing here that cannot be undone, so the "
                        + "default shows what would go."},
        footer = {"", "Exit codes: 0 done (or nothing to do); 1 the catalog or the store could not be read, a removal failed, or the "
                + "run stopped early; 2 usage error.",
                "", "Examples:",
                "  coldframe gc --archive-dir /srv/archive --bootstrap-servers kafka:9092",
                "  coldframe gc --s3-bucket coldframe --grace 72h --delete"})
public final class GcCommand extends ToolCommand {

    @Mixin
    StoreOptions store;

    @Option(names = "--grace", paramLabel = "DURATION", defaultValue = "24h", converter = DurationArgument.class,
            description = "Keep segments stored (or stored again) less than this long ago. Must exceed the longest time between "
                    + "an archiver storing a segment and committing it. Default: ${DEFAULT-VALUE}.")
    Duration grace;

    @Option(names = "--delete", description = "Remove what is removable (default: a dry run that only lists it).")
    boolean delete;

    @Override
    protected int run() throws Exception {
        ArchiverConfig config = store.archiverConfig();
        if (grace.isNegative() || grace.isZero()) {
            throw new Failure(USAGE, "--grace must be positive");
        }
        KafkaConnection kafka = KafkaConnection.from(config);
        try (SegmentStore segments = SegmentStores.create(config)) {
            SegmentGc gc = new SegmentGc(segments, grace, !delete, Clock.systemUTC(), decision -> {
                if (decision.verdict() != SegmentGc.Verdict.REFERENCED) {
                    out().println(decision.verdict().name().toLowerCase() + " " + decision.segmentId() + " (stored " + decision.storedAt()
                            + "): " + decision.reason());
                }
            });
            SegmentGc.Result result;
            try {
                result = gc.run(() -> ArchiveCatalog.load(kafka, config.topics(), store.kafkaTimeout));
            } catch (ArchiveCatalog.UnavailableException e) {
                return fail(FAILED, "the catalog cannot be read, so nothing was removed: " + e.getMessage());
            }
            out().println((delete ? "" : "dry run, nothing removed: ") + result.decisions().size() + " segments in "
                    + SegmentStores.describe(config) + ": " + result.count(SegmentGc.Verdict.REFERENCED) + " referenced, "
                    + result.count(SegmentGc.Verdict.YOUNG) + " younger than " + grace + ", "
                    + result.count(SegmentGc.Verdict.UNKNOWN_MEMORIES) + " kept for memories the catalog does not know, "
                    + (delete ? result.count(SegmentGc.Verdict.REMOVED) + " removed, " + result.count(SegmentGc.Verdict.REMOVABLE) + " not removed"
                            : result.count(SegmentGc.Verdict.REMOVABLE) + " removable (give --delete)"));
            if (result.stoppedEarly() != null) {
                return fail(FAILED, result.stoppedEarly());
            }
            return OK;
        }
    }
}
