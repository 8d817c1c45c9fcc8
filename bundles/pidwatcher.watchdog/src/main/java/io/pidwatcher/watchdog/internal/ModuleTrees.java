package io.pidwatcher.watchdog.internal;

import io.pidwatcher.api.reader.ProcessSnapshot;
import io.pidwatcher.api.reader.TaskId;
import io.pidwatcher.api.reader.TaskSnapshot;

import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Keeps each module's tree up to date from one scan: the tasks it tracks (by pid and start time,
 * so that descendants that lost the tag stay its own), its main task, and the tracked ids carried
 * over when the reader changes. Called with the engine's lock held.
 */
final class ModuleTrees {

	private static final int SELF_PID = (int) ProcessHandle.current().pid();
	/** Readers may measure start times at different resolutions; within this a task is the same. */
	private static final long SAME_START_NANOS = 20_000_000L;

	private final Engine e;

	ModuleTrees(Engine e) {
		this.e = e;
	}

	/** The module's tree in this scan (dead tasks included); m.tree.tracked, m.tree.tasks and m.run.main follow it. */
	List<TaskSnapshot> follow(Module m, ProcessSnapshot snapshot, TreeTracker.Index index) {
		if (m.tree.lastSource != null && !m.tree.lastSource.equals(snapshot.source())) {
			remapTracked(m, snapshot); // readers may measure start times at different resolutions
		}
		m.tree.lastSource = snapshot.source();
		trackStartedMain(m, index);
		if (!m.firstScanDone && m.remembered != null) {
			m.tree.released.addAll(m.remembered.released()); // released stays released (issue 11 part 4)
			// A tree whose every member lost the tag (nginx with daemon on: the master's parent is
			// init, its environment overwritten) is found only from the members remembered.
			m.remembered.untagged().stream().filter(t -> !m.tree.released.contains(t)).forEach(m.tree.tracked::add);
			if (m.remembered.main() != null) {
				m.tree.tracked.add(m.remembered.main()); // tagged at its exec, title written over its environment since
			}
		}
		List<TaskSnapshot> tree = TreeTracker.members(m.name, index, m.tree.tracked, m.tree.released);
		Set<TaskId> ids = new HashSet<>();
		tree.forEach(t -> ids.add(t.id()));
		m.tree.tracked = ids;
		m.tree.tasks = tree;
		if (m.run.main == null && m.run.mainPid > 0) {
			tree.stream().filter(t -> t.pid() == m.run.mainPid).findFirst().ifPresent(t -> {
				m.run.main = t.id();
				e.recorder.persist(m);
			});
		}
		return tree;
	}

	/**
	 * The process we started is the module's main task whatever its environment says: one that
	 * wipes its environment (setproctitle) or execs with env -i before the first scan carries no
	 * tag, and was taken for dead and started again while it kept running. While the JDK has not
	 * reaped it, our child's pid cannot have been reused, so the child with that pid is it.
	 */
	private static void trackStartedMain(Module m, TreeTracker.Index index) {
		if (!startedMainUnseen(m)) {
			return;
		}
		index.children.getOrDefault(SELF_PID, List.of()).stream().filter(t -> t.pid() == m.run.mainPid).findFirst()
				.ifPresent(t -> m.tree.tracked.add(t.id()));
	}

	/** Started by us, alive, not yet found: it may carry no tag, so only a scan of everything finds it. */
	static boolean startedMainUnseen(Module m) {
		return m.run.main == null && m.run.mainPid > 0 && m.run.process != null && m.run.process.isAlive();
	}

	private static void remapTracked(Module m, ProcessSnapshot snapshot) {
		Map<Integer, TaskSnapshot> byPid = new HashMap<>();
		snapshot.tasks().forEach(t -> byPid.put(t.pid(), t));
		Set<TaskId> remapped = new HashSet<>();
		for (TaskId id : m.tree.tracked) {
			TaskSnapshot t = byPid.get(id.pid());
			if (t != null && Math.abs(t.startTimeNanos() - id.startTimeNanos()) <= SAME_START_NANOS) {
				remapped.add(t.id());
			}
		}
		m.tree.tracked = remapped;
		if (m.run.main != null) {
			TaskSnapshot t = byPid.get(m.run.main.pid());
			m.run.main = t != null && Math.abs(t.startTimeNanos() - m.run.main.startTimeNanos()) <= SAME_START_NANOS ? t.id() : null;
		}
	}
}
