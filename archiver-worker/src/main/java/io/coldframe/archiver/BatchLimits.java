package io.coldframe.archiver;

import java.time.Duration;

/** When an open batch closes: max records, max bytes or max linger, whichever comes first. */
record BatchLimits(int maxRecords, long maxBytes, Duration linger) {
}
