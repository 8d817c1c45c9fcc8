package io.pidwatcher.watchdog.internal;

import static org.assertj.core.api.Assertions.assertThat;

import io.pidwatcher.api.reader.ProcessSnapshot;
import io.pidwatcher.api.reader.ScanScope;
import io.pidwatcher.api.reader.TaskId;
import io.pidwatcher.api.reader.TaskSnapshot;

import java.time.Instant;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

import org.junit.jupiter.api.Test;

/** Which tasks belong to a module: tag, earlier tracking, ancestry; never by pid alone. */
class TreeTrackerTest {

	private static TaskSnapshot task(int pid, int ppid, long start, String tag) {
		return new TaskSnapshot(pid, ppid, pid, 1, 'S', 0, "t" + pid, start, 0, 0, tag);
	}

	private static ProcessSnapshot snapshot(TaskSnapshot... tasks) {
		return new ProcessSnapshot("test", "TAG", ScanScope.everything(), 0, Instant.now(), List.of(tasks), false);
	}

	private static List<Integer> pids(List<TaskSnapshot> tasks) {
		return tasks.stream().map(TaskSnapshot::pid).toList();
	}

	@Test
	void descendantsThatLostTheTagBelongThroughAncestry() {
		ProcessSnapshot s = snapshot(task(10, 1, 100, "web"), task(11, 10, 110, null), task(12, 11, 120, null),
				task(20, 1, 50, null), task(21, 10, 130, "db"));
		assertThat(pids(TreeTracker.members("web", s, Set.of()))).containsExactly(10, 11, 12);
	}

	@Test
	void aTrackedTaskStaysTrackedAfterItsParentDiedAndItLostTheTag() {
		Set<TaskId> tracked = new HashSet<>(Set.of(new TaskId(11, 110)));
		ProcessSnapshot s = snapshot(task(11, 1, 110, null), task(12, 11, 120, null));
		assertThat(pids(TreeTracker.members("web", s, tracked))).containsExactly(11, 12);
	}

	@Test
	void aReusedPidIsNotTheTrackedTask() {
		Set<TaskId> tracked = Set.of(new TaskId(11, 110));
		assertThat(TreeTracker.members("web", snapshot(task(11, 1, 999, null)), tracked)).isEmpty();
		// a child listed under a parent pid that was reused by a younger process is not a child
		ProcessSnapshot s = snapshot(task(10, 1, 500, "web"), task(30, 10, 400, null));
		assertThat(pids(TreeTracker.members("web", s, Set.of()))).containsExactly(10);
	}

	/** Issue 11 part 4: a released task and what it forks leave the module, tag or no tag, parent gone or not. */
	@Test
	void aReleasedTaskAndItsDescendantsNeverBelong() {
		Set<TaskId> released = new HashSet<>(Set.of(new TaskId(11, 110)));
		ProcessSnapshot s = snapshot(task(10, 1, 100, "web"), task(11, 10, 110, "web"), task(12, 11, 120, "web"),
				task(13, 12, 130, null), task(14, 10, 140, "web"));
		assertThat(pids(TreeTracker.members("web", s, Set.of(new TaskId(12, 120)), released))).containsExactly(10, 14);
		assertThat(released).contains(new TaskId(12, 120), new TaskId(13, 130));
		// 11 exits, 12 is reparented to init: still released, because the set grew
		ProcessSnapshot later = snapshot(task(10, 1, 100, "web"), task(12, 1, 120, "web"), task(13, 12, 130, null));
		assertThat(pids(TreeTracker.members("web", later, Set.of(), released))).containsExactly(10);
	}
}
