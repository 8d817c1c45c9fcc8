package io.pidwatcher.watchdog.internal;

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

	boolean isEmpty() {
		return watched.isEmpty();
	}

	/** The modules whose watched main died since the last call; they are no longer watched. */
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
		return ProcStat.alive(w.pid(), w.startTimeNanos());
	}
}
