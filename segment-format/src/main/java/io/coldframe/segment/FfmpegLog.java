package io.coldframe.segment;

import java.util.Locale;
import org.bytedeco.ffmpeg.global.avutil;

/**
 * Keeps FFmpeg's stderr chatter (stream banners) down to real errors. The level comes from the system property
 * {@value #LEVEL_PROPERTY} ({@code quiet}, {@code error} (default), {@code warning}, {@code info}, {@code debug}); it is
 * applied whenever a video is opened, so setting the property before that is enough. Command-line tools set
 * {@code quiet}: every damage FFmpeg would complain about (a truncated file, say) already surfaces as this module's
 * own message naming file and frame.
 */
final class FfmpegLog {
    static final String LEVEL_PROPERTY = SegmentOptions.FFMPEG_LOG_LEVEL_PROPERTY;
    private static volatile String applied;

    private FfmpegLog() {
    }

    static void init() {
        String wanted = System.getProperty(LEVEL_PROPERTY, "error").trim().toLowerCase(Locale.ROOT);
        if (!wanted.equals(applied)) {
            synchronized (FfmpegLog.class) {
                if (!wanted.equals(applied)) {
                    avutil.av_log_set_level(levelOf(wanted));
                    applied = wanted;
                }
            }
        }
    }

    private static int levelOf(String name) {
        return switch (name) {
            case "quiet" -> avutil.AV_LOG_QUIET;
            case "panic" -> avutil.AV_LOG_PANIC;
            case "fatal" -> avutil.AV_LOG_FATAL;
            case "warning" -> avutil.AV_LOG_WARNING;
            case "info" -> avutil.AV_LOG_INFO;
            case "verbose" -> avutil.AV_LOG_VERBOSE;
            case "debug" -> avutil.AV_LOG_DEBUG;
            default -> avutil.AV_LOG_ERROR;
        };
    }
}
