package io.pidwatcher.watchdog.internal;

import io.pidwatcher.api.supervisor.Failure;

import java.time.Instant;
import java.util.ArrayDeque;
import java.util.Deque;

/**
 * What a module's strategy decides on and what it decided: the recent failures, the one still
 * waiting for a decision, the restart count and when the next restart is due. The state file keeps
 * it across watchdogs. Guarded by the engine's lock.
 */
final class RestartHistory {

	static final int MAX_FAILURES = 32;

	final Deque<Failure> failures = new ArrayDeque<>();
	/** A failure waiting for its strategy (not registered, or failed). */
	Failure pendingFailure;
	/** The pending failure's tree still runs (unhealthy, or no READY=1): it is stopped once decided. */
	boolean pendingWithTree;
	String lastDecision = "";
	int restarts;
	/** When a WAITING module's restart is due (kept in the state file, so a new watchdog keeps the date). */
	Instant restartAt;

	void addFailure(Failure f) {
		failures.addLast(f);
		while (failures.size() > MAX_FAILURES) {
			failures.removeFirst();
		}
	}
}
