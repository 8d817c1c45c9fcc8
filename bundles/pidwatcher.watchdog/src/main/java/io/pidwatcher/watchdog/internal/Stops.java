package io.pidwatcher.watchdog.internal;

import io.pidwatcher.api.reader.TaskId;
import io.pidwatcher.api.supervisor.ModuleState;
import io.pidwatcher.api.supervisor.StopReport;
import io.pidwatcher.api.text.DurationText;

import java.time.Duration;
import java.util.HashSet;
import java.util.Set;

/**
 * Stops of a module's whole tree (see TreeStopper): by request, when its config is deleted, and
 * for the restart planner. A stop waits for processes, so it never runs with the engine's lock
 * held; it takes the lock only to read what to stop and to record what happened.
 */
final class Stops {

	private final Engine e;

	Stops(Engine e) {
		this.e = e;
	}

	/**
	 * @param lastWord whether the stop is the user's last word on the module (a stop by request), so
	 *                 recorded before the tree is touched: a runtime killed in the middle leaves the
	 *                 next one to finish the stop. A restart's stop is not.
	 */
	StopReport stop(String module, boolean lastWord) {
		e.dependencies.stopDependentsFirst(module, lastWord, "is stopping"); // dependencies (issue 14 part 1)
		return stop(module, lastWord, null);
	}

	/** @param cause null for a stop asked for the module itself, else why it stops (dependencies, issue 14 part 1) */
	StopReport stop(String module, boolean lastWord, String cause) {
		Module m;
		ModuleSpec spec;
		while (true) {
			e.launcher.awaitLaunch(module);
			synchronized (e) {
				if (e.get(module).launch == null) {
					break;
				}
			}
		}
		synchronized (e) {
			m = e.get(module);
			m.wanted = false;
			if (lastWord) {
				e.recorder.persist(m);
			}
			m.generation++;
			m.history.pendingFailure = null;
			m.firstScanDone = true;
			spec = m.specOfRun();
			if (m.state != ModuleState.INVALID) {
				e.recorder.transition(m, ModuleState.STOPPING, cause == null ? "stop requested" : "stopping: " + cause);
			}
		}
		if (lastWord) {
			e.stateFile.flush(); // on disk before the tree is touched: a runtime killed meanwhile finishes the stop
		}
		try {
			StopReport report = stopTree(m, spec);
			synchronized (e) {
				m.run.startedAt = null;
				m.run.process = null;
				if (m.state != ModuleState.INVALID) {
					e.recorder.transition(m, ModuleState.STOPPED, (cause == null ? "stopped by request: "
							: "stopped (" + cause + "): ") + describe(report));
				}
				e.recorder.persist(m);
			}
			return report;
		} catch (InterruptedException x) {
			Thread.currentThread().interrupt();
			throw new IllegalStateException("interrupted while stopping " + module);
		}
	}

	/** The config of m was deleted (m is STOPPING): stops its tree, then removes it, unless the config came back. */
	void removeWhenStopped(Module stopping) {
		String name = stopping.name;
		e.stoppers.execute(() -> {
			String outcome;
			try {
				e.dependencies.stopDependentsFirst(name, true, "was removed"); // dependencies (issue 14 part 1)
				outcome = describe(stopTree(stopping, stopping.runSpec));
			} catch (InterruptedException x) {
				outcome = "interrupted";
			}
			synchronized (e) {
				if (stopping.spec != null && e.current(stopping)) {
					// The file came back while the tree was stopping: the module stays, under the new
					// file, and its first scan starts it (removing it lost a configured module).
					e.recorder.transition(stopping, ModuleState.STOPPED, "stopped (config deleted): " + outcome
							+ "; the config is back, so it stays configured");
					stopping.firstScanDone = false;
					e.loop.kick(stopping);
					return;
				}
				e.recorder.transition(stopping, ModuleState.STOPPED, "removed (config deleted): " + outcome);
				if (e.current(stopping)) {
					e.modules.remove(name);
					e.status.remove(name);
					e.dependencies.configs.removed(name); // dependencies (issue 14 part 1)
				}
				e.recorder.forget(name);
			}
		});
	}

	/** Runs the whole-tree stop; not called with the lock held. */
	StopReport stopTree(Module m, ModuleSpec spec) throws InterruptedException {
		Set<TaskId> tracked;
		Set<TaskId> released;
		synchronized (e) {
			tracked = new HashSet<>(m.tree.tracked);
			released = new HashSet<>(m.tree.released);
			// stop.* apply at once (README): the config in force now decides how to stop, even when the
			// run was started under an older one; a deleted config leaves the run's own.
			if (m.spec != null) {
				spec = m.spec;
			}
		}
		int signal = spec != null ? spec.stopSignal() : Signals.SIGTERM;
		Duration timeout = spec != null ? spec.stopTimeout() : Duration.ofSeconds(10);
		StopReport report = new TreeStopper(m.name, tracked, e.loop.treeScans(m.name, tracked), released).stop(signal, timeout);
		synchronized (e) {
			m.tree.clear();
			m.tree.stoppedNanos = e.nanos();
			m.health.samples.clear();
			e.status.publish(m);
		}
		if (m.health.notifySocket != null) {
			e.notifySockets.close(m.name);
		}
		return report;
	}

	static String describe(StopReport r) {
		return r.stopped() + " tasks stopped (" + r.killed() + " with SIGKILL) in " + DurationText.format(r.took())
				+ (r.remaining() > 0 ? "; " + r.remaining() + " tasks resist SIGKILL" : "");
	}
}
