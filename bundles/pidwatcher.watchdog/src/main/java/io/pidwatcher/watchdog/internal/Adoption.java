package io.pidwatcher.watchdog.internal;

import io.pidwatcher.api.reader.TaskId;
import io.pidwatcher.api.reader.TaskSnapshot;
import io.pidwatcher.api.supervisor.ModuleState;

import java.time.Instant;
import java.util.Comparator;
import java.util.List;
import java.util.OptionalInt;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * Takes a running tree the engine did not start as the module's run: left by an earlier runtime
 * or watchdog (the state file says which run it is), or started behind our back with the module's
 * tag. Called with the engine's lock held.
 */
final class Adoption {

	private final Engine e;

	Adoption(Engine e) {
		this.e = e;
	}

	void adopt(Module m, List<TaskSnapshot> alive, String why) {
		m.generation++;
		m.history.pendingFailure = null;
		m.run.process = null;
		m.runSpec = m.spec;
		alive.forEach(t -> m.tree.tracked.add(t.id()));
		StateFile.Entry before = m.remembered;
		TaskId main = null;
		if (before != null && before.main() != null
				&& alive.stream().anyMatch(t -> t.id().equals(before.main()))) {
			main = before.main();
		}
		if (main == null) {
			Set<Integer> pids = alive.stream().map(TaskSnapshot::pid).collect(Collectors.toSet());
			main = alive.stream().filter(t -> !pids.contains(t.ppid()))
					.min(Comparator.comparingLong(TaskSnapshot::startTimeNanos)).map(TaskSnapshot::id)
					.orElse(alive.get(0).id());
		}
		// The same run as before: its main task, or a run the previous watchdog started and went
		// away from before its first scan saw the main task (the state file has its instance and
		// start, not yet its main): the tree found is that run, carrying that instance.
		boolean exact = before != null && (main.equals(before.main()) || before.main() == null
				&& before.startedAt() != null && !before.instance().isEmpty());
		m.run.main = main;
		m.run.mainPid = main.pid();
		m.run.instance = exact ? before.instance() : m.name + ".adopted." + Long.toString(System.currentTimeMillis(), 36);
		m.run.startedAt = exact && before.startedAt() != null ? before.startedAt() : Instant.now();
		m.run.lastStartedAt = m.run.startedAt;
		m.run.startedNanos = e.nanos();
		m.run.mainWaitStatus = OptionalInt.empty();
		m.run.mainProcess = new MainProcess(m.spec.main(), m.run.startedNanos, m.run.startedAt); // main= (issue 11 part 3)
		TaskId adoptedMain = main;
		alive.stream().filter(t -> t.id().equals(adoptedMain) && Recorder.knownByLineage(t)).findFirst()
				.ifPresent(t -> e.watchMain(m.name, t.pid(), t.startTimeNanos())); // its exit may come from no reader
		if (before != null) {
			m.history.restarts = before.restarts();
			for (TaskId t : before.untagged()) {
				if (!m.tree.released.contains(t)) {
					m.tree.tracked.add(t);
				}
			}
		}
		// A runtime killed in the middle of a whole-tree stop leaves the tree frozen by SIGSTOP; a
		// module shown running must run, so what is adopted stopped is resumed, and said so.
		List<Integer> frozen = alive.stream().filter(t -> t.state() == 'T').map(TaskSnapshot::pid).toList();
		int resumed = frozen.isEmpty() ? 0 : Signals.send(frozen, Signals.SIGCONT);
		e.recorder.transition(m, ModuleState.RUNNING, why + ": " + alive.size() + " tasks, main pid " + main.pid()
				+ (exact ? " (the same run as before: " + m.run.instance + ")" : "")
				+ (resumed > 0 ? "; resumed " + resumed + " tasks found stopped (SIGSTOP)" : ""));
		e.recorder.persist(m);
		long generation = m.generation;
		ProcessHandle.of(main.pid()).ifPresent(h -> h.onExit().thenRun(() -> {
			synchronized (e) {
				if (m.generation == generation) {
					e.loop.kick(m);
				}
			}
		}));
	}
}
