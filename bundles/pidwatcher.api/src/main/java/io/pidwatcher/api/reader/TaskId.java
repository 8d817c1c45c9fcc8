package io.pidwatcher.api.reader;

/**
 * Identifies one process for its whole life. Pids are reused, so a pid alone never names a
 * process: the start time (nanoseconds since boot) tells a new owner of the pid from the old one.
 */
public record TaskId(int pid, long startTimeNanos) {

	@Override
	public String toString() {
		return pid + "@" + startTimeNanos;
	}
}
