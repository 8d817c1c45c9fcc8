package io.pidwatcher.watchdog.internal;

import io.pidwatcher.api.reader.TaskId;
import io.pidwatcher.api.reader.TaskSnapshot;

import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A module's tree as the last scan found it, and what the next scan needs to find it again.
 * Guarded by the engine's lock, except while the module is STOPPING, when the stopping thread owns
 * {@link #tracked}.
 */
final class TrackedTree {

	/** Every task of the tree by pid and start time: how descendants that lost the tag stay tracked. */
	Set<TaskId> tracked = new HashSet<>();
	List<TaskSnapshot> tasks = List.of();
	/** The reader whose scan found the tree: another one may measure start times differently. */
	String lastSource;
	double cpuPercent;
	long lastSampleNanos;
	Map<TaskId, Long> lastCpu = Map.of();
	/**
	 * Tasks released from the module on request (pw:release), and their descendants: never part of
	 * the tree again, across runs and runtime restarts (the state file keeps them); a stop leaves
	 * them be, so {@link #clear()} does too.
	 */
	Set<TaskId> released = new HashSet<>();
	/** When the last whole-tree stop ended (engine nanos; 0: never): scans begun before it are stale. */
	long stoppedNanos;

	/** The tree stopped: nothing is left to track. */
	void clear() {
		tracked = new HashSet<>();
		tasks = List.of();
		lastCpu = Map.of();
		cpuPercent = 0;
	}
}
