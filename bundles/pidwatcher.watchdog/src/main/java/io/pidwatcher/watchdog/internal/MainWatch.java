package io.pidwatcher.watchdog.internal;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Watches the main processes whose exit may reach the watchdog late: a main that is not our child
 * and carries no tag (nginx's master after a runtime restart: the new reader never saw it fork, so
 * no reader reports its exit, and the JDK polls a non-child's exit at intervals growing to 5 s).
 * Checked every {@link #PERIOD_MILLIS} in /proc by pid and start time, a zombie counting as dead
 * (pid 1 in a container may never reap it; ProcessHandle.isAlive took such a zombie for alive),
 * which bounds the time from such a death to the tree stop. Only these mains are watched: the
 * others' exits come from the reader or from waitpid at once.
 */
final class MainWatch {

	static final long PERIOD_MILLIS = 50;
	/** Start times are in clock ticks (USER_HZ 100 on every Linux we run on); readers report nanoseconds. */
	private static final long NANOS_PER_TICK = 10_000_000L;
	private static final long START_SLACK_NANOS = 20_000_000L;

	private record Watched(int pid, long startTimeNanos) {
	}

	private final Map<String, Watched> watched = new ConcurrentHashMap<>();

	/** Watches the module's main process (replacing the one watched before). */
	void watch(String module, int pid, long startTimeNanos) {
		watched.put(module, new Watched(pid, startTimeNanos));
	}

	void unwatch(String module) {
		watched.remove(module);
	}

	/** The modules whose watched main died since the last call; they are no longer watched. */
	boolean isEmpty() {
		return watched.isEmpty();
	}

	List<String> died() {
		List<String> dead = new ArrayList<>();
		watched.forEach((module, w) -> {
			if (!alive(w) && watched.remove(module, w)) {
				dead.add(module);
			}
		});
		return dead;
	}

	private static boolean alive(Watched w) {
		String stat;
		try {
			stat = Files.readString(Path.of("/proc", Integer.toString(w.pid()), "stat"));
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
			return w.startTimeNanos() == 0 || Math.abs(start - w.startTimeNanos()) <= START_SLACK_NANOS;
		} catch (RuntimeException e) {
			return true;
		}
	}
}
