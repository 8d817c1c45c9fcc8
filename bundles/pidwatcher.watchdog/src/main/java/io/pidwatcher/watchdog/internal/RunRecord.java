package io.pidwatcher.watchdog.internal;

import io.pidwatcher.api.reader.TaskId;

import java.time.Instant;
import java.util.OptionalInt;

/**
 * The module's current (or last) run: which instance, when it started, its main task, and our
 * child process when this runtime started it. Guarded by the engine's lock.
 */
final class RunRecord {

	String instance = "";
	Instant startedAt;
	/** When the last run started; unlike startedAt it survives the failure (strategies measure stable runs). */
	Instant lastStartedAt;
	long startedNanos;
	/** Our child, when this runtime started the run (null after adoption). */
	Process process;
	int mainPid;
	TaskId main;
	/** When a scan first found the tree gone while our child was not reaped yet (0: not so). */
	long goneSinceNanos;
	/** The main= rule applied to this run (issue 11 part 3); null before the first start or adoption. */
	MainProcess mainProcess;
	/** The main task's wait status, when a reader reported its exit with one (a daemon is not our child). */
	OptionalInt mainWaitStatus = OptionalInt.empty();
}
