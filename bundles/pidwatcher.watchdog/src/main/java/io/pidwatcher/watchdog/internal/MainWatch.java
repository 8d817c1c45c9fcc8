package io.pidwatcher.watchdog.internal;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Watches the main processes whose exit may reach the watchdog late: a main that is not our child
 * and carries no tag (nginx's master after a runtime restart: the new reader never saw it fork, so
 * no reader reports its exit, and the JDK polls a non-child's exit at intervals growing to 5 s).
 * Checked every {@link #PERIOD_MILLIS} by pid and start time (ProcessHandle.isAlive), which bounds
 * the time from such a death to the tree stop. Only these mains are watched: the others' exits come
 * from the reader or from waitpid at once.
 */
final class MainWatch {

	static final long PERIOD_MILLIS = 50;

	private final Map<String, ProcessHandle> watched = new ConcurrentHashMap<>();

	/** Watches the module's main process (replacing the one watched before); a pid already gone is reported at the next check. */
	void watch(String module, int pid, long startTimeNanos) {
		ProcessHandle current = watched.get(module);
		if (current != null && current.pid() == pid) {
			return;
		}
		ProcessHandle.of(pid).ifPresentOrElse(h -> watched.put(module, h), () -> watched.remove(module));
	}

	void unwatch(String module) {
		watched.remove(module);
	}

	/** The modules whose watched main died since the last call; they are no longer watched. */
	List<String> died() {
		List<String> dead = new ArrayList<>();
		watched.forEach((module, h) -> {
			if (!h.isAlive() && watched.remove(module, h)) {
				dead.add(module);
			}
		});
		return dead;
	}
}
