package io.pidwatcher.watchdog.internal;

import io.pidwatcher.api.reader.ProcessSnapshot;
import io.pidwatcher.api.reader.TaskSnapshot;
import io.pidwatcher.api.supervisor.Failure;
import io.pidwatcher.api.supervisor.ModuleState;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.OptionalInt;
import java.util.concurrent.TimeUnit;

/**
 * The lifecycle state machine: from what one scan shows of a module's tree, whether it starts,
 * runs, failed or is found running again, and at its first scan whether to adopt the tree, resume
 * where the previous watchdog left it, or start it. A failure goes to the restart planner. Called
 * with the engine's lock held.
 */
final class Lifecycle {

	/** How long a module whose tree is gone waits for our own child's exit status (never blocking). */
	private static final long EXIT_STATUS_WAIT_NANOS = TimeUnit.MILLISECONDS.toNanos(250);
	/** How long a starting module whose launcher exited 0 is scanned again before its tree counts as gone (issue 11). */
	private static final long DAEMON_EXIT_GRACE_NANOS = TimeUnit.MILLISECONDS.toNanos(500);
	private static final long DAEMON_EXIT_RESCAN_NANOS = TimeUnit.MILLISECONDS.toNanos(50);

	private final Engine e;

	Lifecycle(Engine e) {
		this.e = e;
	}

	/** One module, one scan, which began at scanBegan. */
	void evaluate(Module m, ProcessSnapshot snapshot, TreeTracker.Index index, long now, long scanBegan) {
		if (m.state == ModuleState.STOPPING || m.launch != null) {
			return;
		}
		if ((m.state == ModuleState.STARTING || m.state == ModuleState.RUNNING) && m.run.startedNanos - scanBegan > 0) {
			// Started (or adopted) while this scan ran: the scan may not show the new tree, which
			// would be taken for a tree that exited. Judge it with the next scan, at once.
			m.forced = true;
			return;
		}
		if (m.tree.stoppedNanos != 0 && m.tree.stoppedNanos - scanBegan > 0) {
			// Stopped while this scan ran: it may show the tree just stopped, which, waiting for its
			// restart, would be adopted as "found running" (the soak saw that once a stop took 0.2 s
			// instead of seconds). Judge it with the next scan, at once.
			m.forced = true;
			return;
		}
		List<TaskSnapshot> tree = e.trees.follow(m, snapshot, index);
		List<TaskSnapshot> alive = tree.stream().filter(TreeTracker::alive).toList();
		if (!alive.isEmpty()) {
			m.run.goneSinceNanos = 0; // found again (a daemon the reader listed late), not gone
		}
		e.health.sample(m, snapshot, tree);
		e.recorder.persistUntaggedIfChanged(m, tree);
		e.logs.checkSize(m, now);

		if (!m.firstScanDone) {
			firstScan(m, alive);
			return;
		}
		switch (m.state) {
			case STARTING -> {
				String mainUnknown;
				Readiness.NotReady notReady;
				if (alive.isEmpty()) {
					exitedFailure(m, now);
				} else if (m.history.pendingFailure != null) {
					e.planner.decide(m);
				} else if ((mainUnknown = e.mainJudge.judge(m, alive, now)) == null) {
					// the main process died: the failure is reported, and the tree is stopped before the restart
				} else if (!mainUnknown.isEmpty()) {
					m.reason = "started, " + mainUnknown;
				} else if ((notReady = e.readiness.check(m, now)) != null) {
					// readiness (issue 14 part 2): ready= or notify=true, within start.timeout; running only once ready
					if (notReady.timedOut()) {
						failure(m, Failure.Kind.START_FAILED, notReady.reason(), null, true);
					} else {
						m.reason = "started, " + notReady.reason();
					}
				} else {
					e.recorder.transition(m, ModuleState.RUNNING, "running: " + alive.size() + " tasks, main pid "
							+ m.run.mainPid + e.readiness.passed(m));
				}
			}
			case RUNNING -> {
				if (alive.isEmpty()) {
					exitedFailure(m, now);
				} else if (m.history.pendingFailure != null) {
					e.planner.decide(m);
				} else if (e.mainJudge.judge(m, alive, now) != null) { // null: the main process died
					e.health.checkPolicies(m, now);
				}
			}
			case STOPPED, FAILED, WAITING, GAVE_UP -> {
				List<TaskSnapshot> tagged = alive.stream().filter(t -> m.name.equals(t.tagValue())).toList();
				if (!tagged.isEmpty()) {
					e.adoption.adopt(m, tagged, "found tagged tasks running while " + m.state.label());
				} else if (m.state == ModuleState.FAILED && m.history.pendingFailure != null) {
					e.planner.decide(m);
				}
			}
			default -> {
			}
		}
	}

	/** The first scan after definition: adopt the tree, resume as the last watchdog left it, or start. */
	private void firstScan(Module m, List<TaskSnapshot> alive) {
		m.firstScanDone = true;
		StateFile.Entry before = m.remembered;
		if (before != null && m.history.failures.isEmpty()) {
			before.failures().forEach(m.history::addFailure); // the history strategies decide on
			m.history.restarts = before.restarts();
		}
		if (!alive.isEmpty() && before != null && before.stopped()) {
			// The state file is written "stopped" before a stop by request touches the tree, so a
			// stopped module with a running tree is a stop the last runtime did not finish. Not
			// wanted (Definitions), adopt() records it so: killed again meanwhile, the next runtime
			// finishes it.
			e.adoption.adopt(m, alive, "adopted the running tree; a stop by request was under way when the last "
					+ "runtime ended: finishing the stop");
			e.stoppers.execute(() -> e.stops.stop(m.name, true));
		} else if (!alive.isEmpty()) {
			e.adoption.adopt(m, alive, "adopted the running tree");
		} else if (before != null && !before.stopped() && resumeLifecycle(m, before)) {
			// failed waiting for its strategy, waiting for its restart, or gave up: as before
		} else if (m.spec.autostart() && m.wanted && before != null && !before.stopped()
				&& before.startedAt() != null) {
			diedUnwatched(m, before);
		} else if (m.spec.autostart() && m.wanted) { // not wanted: stopped by request before (Definitions)
			e.launcher.startNow(m, "autostart");
		} else if (m.state != ModuleState.STOPPED) {
			e.recorder.transition(m, ModuleState.STOPPED, "not running; autostart is off or it was stopped by request");
		}
		m.remembered = null;
	}

	/**
	 * Whether the module's launcher exited 0 while starting and its tree is looked for once more
	 * (see exitedFailure): scans of everything then, since a daemon it left may carry no tag yet.
	 * Not while our child is only waiting to be reaped: that wait needs no such scan, and on a
	 * machine of 5,000 processes each one cost 700 ms of every restart.
	 */
	static boolean inDaemonGrace(Module m) {
		return m.run.goneSinceNanos != 0 && m.run.process != null && !m.run.process.isAlive();
	}

	private void exitedFailure(Module m, long now) {
		// A scan can see the tree gone while our child is still a zombie the JDK has not reaped
		// (a zombie has no environment, so no tag). Its exit status comes soon: the module is judged
		// again when the JDK reaps it (onExit kicks it) or after EXIT_STATUS_WAIT at the latest.
		// Waiting here, with the lock held, held up every exit event and every status query.
		if (m.run.process != null && m.run.process.isAlive()) {
			if (m.run.goneSinceNanos == 0) {
				m.run.goneSinceNanos = now;
			}
			long waited = now - m.run.goneSinceNanos;
			if (waited < EXIT_STATUS_WAIT_NANOS) {
				m.nextCheckNanos = Math.min(m.nextCheckNanos, now + EXIT_STATUS_WAIT_NANOS - waited);
				return;
			}
		}
		Integer status = null;
		if (m.run.process != null && !m.run.process.isAlive()) {
			status = m.run.process.exitValue();
		}
		// A launcher that exits 0 has just left a daemon behind (nginx with daemon on), which the
		// reader may not list yet (its fork record still queued, or its tag already wiped). Taken
		// for gone, the daemon kept the port and every restart failed; a few more scans of
		// everything find it (ScanLoop scans everything while goneSinceNanos is set).
		if (m.state == ModuleState.STARTING && Integer.valueOf(0).equals(status)) {
			if (m.run.goneSinceNanos == 0) {
				m.run.goneSinceNanos = now;
			}
			if (now - m.run.goneSinceNanos < DAEMON_EXIT_GRACE_NANOS) {
				m.nextCheckNanos = Math.min(m.nextCheckNanos, now + DAEMON_EXIT_RESCAN_NANOS);
				return;
			}
		}
		m.run.goneSinceNanos = 0;
		String why = "all tasks exited" + (status == null ? "" : " (main pid " + m.run.mainPid + " exit status " + status + ")");
		failure(m, Failure.Kind.EXITED, why, status, false);
	}

	/**
	 * The previous runtime (or watchdog bundle) left the module up, and its tree is gone now: it died
	 * while no watchdog was active (a bundle update or refresh, a runtime restart). That is a failure
	 * like any other, journaled under the instance that died and decided by the strategy; starting it
	 * as "autostart" hid the crash, reset the restart count and let a crash loop escape the strategy.
	 */
	private void diedUnwatched(Module m, StateFile.Entry before) {
		m.run.instance = before.instance();
		m.history.restarts = before.restarts();
		m.run.mainPid = before.main() != null ? before.main().pid() : 0;
		m.run.lastStartedAt = before.startedAt();
		String main = before.main() != null ? "main pid " + before.main().pid() : "main not seen yet";
		failure(m, Failure.Kind.EXITED, "exited while no watchdog was running (" + main + ", up since "
				+ before.startedAt() + "): found gone when this watchdog started", null, false);
	}

	/**
	 * Comes back to where the previous watchdog (a bundle update or refresh, a runtime restart) left
	 * a module whose tree is down: failed and waiting for its strategy, waiting for its restart, or
	 * gave up. Starting it as "autostart" instead lost the failure and the restart count, and let a
	 * module whose strategy is absent run again without a decision.
	 *
	 * @return false when the entry has no such state (the caller goes on as before)
	 */
	private boolean resumeLifecycle(Module m, StateFile.Entry before) {
		if (before.state() == null) {
			return false;
		}
		m.run.instance = before.instance();
		m.run.lastStartedAt = before.lastStartedAt();
		Failure last = m.history.failures.peekLast();
		String what = last != null ? last.reason() : "no failure recorded";
		switch (before.state()) {
			case FAILED -> {
				if (!before.pending() || last == null) {
					return false;
				}
				m.history.pendingFailure = last;
				m.history.pendingWithTree = false;
				e.recorder.transition(m, ModuleState.FAILED, what + " (failed before this watchdog started; "
						+ m.history.restarts + " restarts so far): waiting for the decision of strategy " + m.spec.strategy());
				e.planner.decide(m);
			}
			case WAITING -> {
				Instant at = before.restartAt() != null ? before.restartAt() : Instant.now();
				Duration delay = Duration.between(Instant.now(), at);
				e.planner.waitThenStart(m, delay.isNegative() ? Duration.ZERO : delay, what + "; restart due at " + at
						+ " (waiting since before this watchdog started)");
			}
			case GAVE_UP -> e.recorder.transition(m, ModuleState.GAVE_UP, what
					+ " (gave up before this watchdog started, after " + m.history.restarts + " restarts)");
			default -> {
				return false;
			}
		}
		return true;
	}

	/** The module failed: recorded, then decided by its strategy (treeRunning: an unhealthy tree still up). */
	void failure(Module m, Failure.Kind kind, String reason, Integer exitStatus, boolean treeRunning) {
		Failure f = new Failure(Instant.now(), kind, reason,
				exitStatus == null ? OptionalInt.empty() : OptionalInt.of(exitStatus));
		m.history.addFailure(f);
		m.history.pendingFailure = f;
		m.history.pendingWithTree = treeRunning;
		if (!treeRunning) {
			m.run.startedAt = null;
			m.run.process = null;
			e.recorder.transition(m, ModuleState.FAILED, reason);
		} else {
			e.recorder.note(m, "failure: " + reason);
		}
		e.dependencies.failed(m, reason); // dependencies (issue 14 part 1): what requires it stops first
		e.planner.decide(m);
	}
}
