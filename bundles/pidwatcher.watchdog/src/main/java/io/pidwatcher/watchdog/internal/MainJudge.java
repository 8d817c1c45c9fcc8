package io.pidwatcher.watchdog.internal;

import io.pidwatcher.api.reader.TaskSnapshot;
import io.pidwatcher.api.supervisor.Failure;

import java.util.List;
import java.util.OptionalInt;

/**
 * Applies a module's {@code main=} rule to each scan whose tree lives (issue 11 part 3; the rule
 * itself is MainProcess): a main process that died is a failure with the tree still running, so
 * the restart planner stops the whole tree, orphaned workers included, before the restart. A new
 * main (a pid file rewritten, the member a daemonizing launcher left behind) is taken over and
 * watched. Called with the engine's lock held.
 */
final class MainJudge {

	private final Engine e;

	MainJudge(Engine e) {
		this.e = e;
	}

	/**
	 * @return null when the main process died (the failure is reported), "" when it lives, else
	 *         why the run is still starting
	 */
	String judge(Module m, List<TaskSnapshot> alive, long now) {
		MainProcess rule = m.run.mainProcess;
		if (rule == null) {
			return "";
		}
		ModuleSpec spec = m.specOfRun();
		Process child = m.run.process;
		Integer startedExit = child != null && !child.isAlive() ? child.exitValue() : null;
		MainProcess.Verdict v = rule.judge(new MainProcess.Observation(now, m.run.main,
				child != null ? (int) child.pid() : 0, child != null, child != null && child.isAlive(),
				startedExit, m.run.mainWaitStatus, alive, spec.startTimeout()));
		if (v instanceof MainProcess.Died d) {
			e.lifecycle.failure(m, Failure.Kind.EXITED, d.reason(), d.exitStatus(), true);
			return null;
		}
		if (v instanceof MainProcess.Undecided u) {
			return u.why();
		}
		MainProcess.Alive a = (MainProcess.Alive) v;
		if (a.main() != null && !a.main().equals(m.run.main)) {
			takeOver(m, a);
		}
		if (a.change() != null) {
			e.recorder.note(m, a.change());
		}
		TaskSnapshot main = m.run.main == null ? null
				: alive.stream().filter(t -> t.id().equals(m.run.main)).findFirst().orElse(null);
		if (main != null && (child == null || child.pid() != main.pid()) && Recorder.knownByLineage(main)) {
			e.watchMain(m.name, main.pid(), main.startTimeNanos()); // its exit may come from no reader
		} else {
			e.mainWatch.unwatch(m.name);
		}
		return "";
	}

	private void takeOver(Module m, MainProcess.Alive a) {
		m.run.main = a.main();
		m.run.mainPid = a.main().pid();
		m.run.mainWaitStatus = OptionalInt.empty();
		long generation = m.generation;
		ProcessHandle.of(m.run.mainPid).ifPresent(h -> h.onExit().thenRun(() -> {
			synchronized (e) {
				if (m.generation == generation) {
					e.loop.kick(m);
				}
			}
		}));
		e.recorder.persist(m);
	}
}
