package io.pidwatcher.watchdog.internal;

/**
 * A module's readiness probe in its current run: which run it probes (a result for an earlier run,
 * or after a stop, is dropped), how many tries, and what the last one found. Guarded by the
 * engine's lock.
 */
final class ReadinessRecord {

	/** The run being probed: the module's generation and the run's start (0, 0: none). */
	long generation;
	long runStartedNanos;
	/** A try is running or scheduled: the scan does not start another. */
	boolean probing;
	int probes;
	String lastResult = "not probed yet";
	/** When the probe passed (0: not yet); also in HealthRecord.readyNanos, which the lifecycle reads. */
	long passedNanos;

	boolean probes(Module m) {
		return generation == m.generation && runStartedNanos == m.run.startedNanos;
	}

	/** Starts the record over for the module's current run. */
	void begin(Module m) {
		generation = m.generation;
		runStartedNanos = m.run.startedNanos;
		probing = false;
		probes = 0;
		lastResult = "not probed yet";
		passedNanos = 0;
	}

	/** No run is probed any more (timed out): whatever is in flight is dropped. */
	void end() {
		generation = 0;
		runStartedNanos = 0;
		probing = false;
	}
}
