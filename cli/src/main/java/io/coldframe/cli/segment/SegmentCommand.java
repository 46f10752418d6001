package io.coldframe.cli.segment;

import picocli.CommandLine.Command;

/**
 * {@code coldframe segment encode|inspect|verify|get|cat}: the segment files (QR-code video {@code S.mkv} plus
 * manifest {@code S.manifest.json}, see docs/segment-format.md) from the command line.
 */
@Command(name = "segment", mixinStandardHelpOptions = true,
        description = {"Works with segment files: S.mkv (QR-code video) beside S.manifest.json (see docs/segment-format.md).",
                "Where a SEGMENT is asked for, give the .mkv, the .manifest.json, or a directory (all segments in it)."},
        subcommands = {SegmentEncodeCommand.class, SegmentInspectCommand.class, SegmentVerifyCommand.class,
                SegmentGetCommand.class, SegmentCatCommand.class},
        footerHeading = "%n",
        footer = {"Memory ids are the canonical Extended JSON of the document's _id: '{\"$oid\": \"65f0...\"}', '\"mem-1\"'. "
                + "get also takes 24 hex digits alone as an ObjectId and text that is not JSON as a string (mem-1).",
                "",
                "Exit codes: 0 success; 1 segment damaged or unreadable, verification or writing failed; "
                        + "2 usage error, missing or malformed input; 3 memory id not found (get)."})
public final class SegmentCommand {
}
