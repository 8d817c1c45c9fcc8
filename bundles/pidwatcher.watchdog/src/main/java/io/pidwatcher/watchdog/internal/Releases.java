package io.pidwatcher.watchdog.internal;

import io.pidwatcher.api.reader.ProcessSnapshot;
import io.pidwatcher.api.reader.TaskId;
import io.pidwatcher.api.reader.TaskSnapshot;
import io.pidwatcher.api.supervisor.ModuleState;

import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * Moves a process, and everything it forks, out of a module on purpose (issue 11 part 4; see
 * ReleaseCommand): the module's stops and restarts no longer touch it, a runtime restart included
 * (the state file keeps it), and the journal says who asked. Its environment is left as it is:
 * changing that is never a way out.
 */
final class Releases {

	private final Engine e;

	Releases(Engine e) {
		this.e = e;
	}

	/**
	 * @return what was released, in words
	 * @throws IllegalArgumentException when the pid is not a living process of the module, or is its main process
	 */
	String release(String module, int pid, String askedBy) {
		ProcessSnapshot snapshot = e.loop.scanEverything(); // off the lock
		synchronized (e) {
			Module m = e.get(module);
			if (m.state == ModuleState.STOPPING) {
				throw new IllegalStateException("module " + module + " is stopping; release its processes before a stop");
			}
			List<TaskSnapshot> tree = TreeTracker.members(m.name, snapshot, m.tree.tracked, m.tree.released);
			TaskSnapshot t = tree.stream().filter(x -> x.pid() == pid && TreeTracker.alive(x)).findFirst()
					.orElseThrow(() -> new IllegalArgumentException("pid " + pid + " is not a process of module " + module
							+ " (pw:ps " + module + " lists them)"));
			if (t.id().equals(m.run.main)) {
				throw new IllegalArgumentException("pid " + pid + " is the main process of module " + module
						+ ": releasing it would leave the module without one (stop the module, or set main=none)");
			}
			int before = m.tree.released.size();
			m.tree.released.add(t.id());
			List<TaskSnapshot> left = TreeTracker.members(m.name, snapshot, m.tree.tracked, m.tree.released);
			int descendants = m.tree.released.size() - before - 1;
			Set<TaskId> ids = new HashSet<>();
			left.forEach(x -> ids.add(x.id()));
			m.tree.tracked = ids;
			m.tree.tasks = left;
			String what = "released pid " + pid + " (" + t.comm() + ")" + (descendants > 0 ? " and " + descendants
					+ " descendants" : "") + " from the module on request of " + askedBy + ": they keep running, "
					+ "unsupervised; the module's stops and restarts no longer touch them";
			e.recorder.note(m, what);
			e.recorder.persist(m);
			return what;
		}
	}
}
