package io.pidwatcher.watchdog.internal;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Whether one known process still lives, read from its /proc/PID/stat by pid and start time. The
 * engine otherwise learns about processes from the reader's scans; this one file per process is
 * for the few it asks about directly (a watched main, a tracked task that a module's lineage scan
 * no longer lists), where a scan of every process would cost what the machine's process count
 * costs. A zombie counts as dead (pid 1 in a container may never reap it).
 */
final class ProcStat {

	/** Start times are in clock ticks (USER_HZ 100 on every Linux we run on); readers report nanoseconds. */
	private static final long NANOS_PER_TICK = 10_000_000L;
	private static final long START_SLACK_NANOS = 20_000_000L;

	private ProcStat() {
	}

	/** False only on evidence of a death: no such pid, a zombie, or another start time (a reused pid). */
	static boolean alive(int pid, long startTimeNanos) {
		String stat;
		try {
			stat = Files.readString(Path.of("/proc", Integer.toString(pid), "stat"));
		} catch (IOException e) {
			return false;
		}
		int close = stat.lastIndexOf(')');
		if (close < 0 || close + 2 >= stat.length()) {
			return true; // unreadable: not evidence of a death
		}
		String[] f = stat.substring(close + 2).split(" ");
		if (f[0].equals("Z") || f[0].equals("X")) {
			return false;
		}
		try {
			long start = Long.parseLong(f[19]) * NANOS_PER_TICK;
			return startTimeNanos == 0 || Math.abs(start - startTimeNanos) <= START_SLACK_NANOS;
		} catch (RuntimeException e) {
			return true;
		}
	}
}
