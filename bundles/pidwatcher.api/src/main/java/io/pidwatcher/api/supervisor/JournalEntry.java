package io.pidwatcher.api.supervisor;

import java.time.Instant;

/**
 * One state change of one module, with its reason. The watchdog keeps the recent ones in memory
 * and appends every one to {@code var/watchdog/journal.jsonl}.
 *
 * @param instance the run the change belongs to (the {@code PIDWATCHER_INSTANCE} it was started
 *                 with), empty when there is none
 */
public record JournalEntry(Instant at, String module, String instance, ModuleState from, ModuleState to, String reason) {
}
