package io.coldframe.cli.hotcache;

import picocli.CommandLine.Command;

/** {@code coldframe hot-cache <command>}: the Redis hot tier (docs/hot-cache.md). */
@Command(name = "hot-cache", mixinStandardHelpOptions = true,
        description = "Works with the Redis hot tier the hot-cache service keeps (docs/hot-cache.md).",
        subcommands = {HotCacheCheckCommand.class})
public final class HotCacheCommand {
}
