package io.pidwatcher.watchdog.internal;

import io.pidwatcher.api.policy.HealthSample;
import io.pidwatcher.api.reader.TaskId;
import io.pidwatcher.api.reader.TaskSnapshot;

import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * What health policies judge a module's run on: its recent samples, what came through its notify
 * socket, and the last verdict of each policy. Starts empty with each run. Guarded by the engine's
 * lock.
 */
final class HealthRecord {

	static final int MAX_SAMPLES = 600;

	final Deque<HealthSample> samples = new ArrayDeque<>();
	final Map<String, String> policyVerdicts = new LinkedHashMap<>();
	/** The run's notify socket, null without the notify protocol. */
	Path notifySocket;
	long lastWatchdogNanos;
	long readyNanos;
	/** WATCHDOG=trigger arrived in this run: the heartbeat policy fails the module at once. */
	boolean watchdogTriggered;

	/** A new run: nothing of the previous one's health counts. */
	void reset() {
		samples.clear();
		policyVerdicts.clear();
		lastWatchdogNanos = 0;
		readyNanos = 0;
		watchdogTriggered = false;
		notifySocket = null;
	}

	/**
	 * Keeps a sample, sharing every task record equal to the previous sample's and the strings of
	 * those that changed: readers make new records each scan, and MAX_SAMPLES copies of every tree
	 * were most of the runtime's heap (3 million records for 200 modules of 25 tasks).
	 */
	void addSample(HealthSample s) {
		HealthSample previous = samples.peekLast();
		if (previous != null) {
			s = new HealthSample(s.monotonicNanos(), s.main(), shareWith(previous.tasks(), s.tasks()), s.cpuPercent());
		}
		samples.addLast(s);
		while (samples.size() > MAX_SAMPLES) {
			samples.removeFirst();
		}
	}

	private static List<TaskSnapshot> shareWith(List<TaskSnapshot> previous, List<TaskSnapshot> tasks) {
		Map<TaskId, TaskSnapshot> before = new HashMap<>();
		previous.forEach(t -> before.put(t.id(), t));
		List<TaskSnapshot> shared = new ArrayList<>(tasks.size());
		for (TaskSnapshot t : tasks) {
			TaskSnapshot old = before.get(t.id());
			if (old == null) {
				shared.add(t);
			} else if (old.equals(t)) {
				shared.add(old);
			} else {
				shared.add(new TaskSnapshot(t.pid(), t.ppid(), t.tgid(), t.threads(), t.state(), t.uid(),
						Objects.equals(old.comm(), t.comm()) ? old.comm() : t.comm(), t.startTimeNanos(), t.cpuTimeNanos(),
						t.rssBytes(), Objects.equals(old.tagValue(), t.tagValue()) ? old.tagValue() : t.tagValue(),
						t.membership())); // without it a member by fork never equalled its copy again: nothing was shared
			}
		}
		return shared;
	}
}
