package io.pidwatcher.watchdog.internal;

import io.pidwatcher.api.reader.ProcessSnapshot;
import io.pidwatcher.api.reader.TaskId;
import io.pidwatcher.api.reader.TaskSnapshot;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Finds a module's whole tree in a snapshot of every process. A task belongs to the module when
 * it carries the module's tag, when it was tracked before (by pid and start time: it may have
 * lost its tag since, through env -i or setproctitle), or when its parent belongs and it started
 * no earlier than its parent (a pid reused by an older process is not a child). A task tagged
 * for another module never belongs: retagging is the explicit way to detach. A task released from
 * supervision ({@code pw:release}) never belongs, nor does anything it forks, whatever its tag says:
 * that is the other explicit way, and the only one that keeps the tag.
 */
final class TreeTracker {

	private TreeTracker() {
	}

	static List<TaskSnapshot> members(String module, ProcessSnapshot everything, Set<TaskId> tracked) {
		return members(module, new Index(everything), tracked, Set.of());
	}

	static List<TaskSnapshot> members(String module, ProcessSnapshot everything, Set<TaskId> tracked,
			Set<TaskId> released) {
		return members(module, new Index(everything), tracked, released);
	}

	static List<TaskSnapshot> members(String module, Index index, Set<TaskId> tracked) {
		return members(module, index, tracked, Set.of());
	}

	/**
	 * One snapshot indexed once, so that finding the trees of many modules costs a lookup per
	 * member rather than a pass over every process per module.
	 */
	static final class Index {
		final Map<String, List<TaskSnapshot>> byTag = new HashMap<>();
		final Map<Integer, List<TaskSnapshot>> children = new HashMap<>();
		final Map<TaskId, TaskSnapshot> byId = new HashMap<>();

		Index(ProcessSnapshot snapshot) {
			for (TaskSnapshot t : snapshot.tasks()) {
				byId.put(t.id(), t);
				children.computeIfAbsent(t.ppid(), k -> new ArrayList<>()).add(t);
				if (t.tagValue() != null) {
					byTag.computeIfAbsent(t.tagValue(), k -> new ArrayList<>()).add(t);
				}
			}
		}
	}

	/**
	 * @param released tasks released from the module; grown in place with their descendants in the
	 *                 index, so a released task's child stays released once its parent is gone
	 */
	static List<TaskSnapshot> members(String module, Index index, Set<TaskId> tracked, Set<TaskId> released) {
		if (!released.isEmpty()) {
			releaseDescendants(index, released);
		}
		Map<TaskId, TaskSnapshot> members = new LinkedHashMap<>();
		for (TaskSnapshot t : index.byTag.getOrDefault(module, List.of())) {
			if (!released.contains(t.id())) {
				members.put(t.id(), t);
			}
		}
		for (TaskId id : tracked) {
			TaskSnapshot t = index.byId.get(id);
			if (t != null && mayBelong(module, t) && !released.contains(id)) {
				members.put(t.id(), t);
			}
		}
		Deque<TaskSnapshot> todo = new ArrayDeque<>(members.values());
		while (!todo.isEmpty()) {
			TaskSnapshot parent = todo.removeFirst();
			for (TaskSnapshot child : index.children.getOrDefault(parent.pid(), List.of())) {
				if (mayBelong(module, child) && child.startTimeNanos() >= parent.startTimeNanos()
						&& !members.containsKey(child.id()) && !released.contains(child.id())) {
					members.put(child.id(), child);
					todo.addLast(child);
				}
			}
		}
		List<TaskSnapshot> sorted = new ArrayList<>(members.values());
		sorted.sort((a, b) -> Integer.compare(a.pid(), b.pid()));
		return sorted;
	}

	private static void releaseDescendants(Index index, Set<TaskId> released) {
		Deque<TaskSnapshot> todo = new ArrayDeque<>();
		for (TaskId id : released) {
			TaskSnapshot t = index.byId.get(id);
			if (t != null) {
				todo.add(t);
			}
		}
		while (!todo.isEmpty()) {
			TaskSnapshot parent = todo.removeFirst();
			for (TaskSnapshot child : index.children.getOrDefault(parent.pid(), List.of())) {
				if (child.startTimeNanos() >= parent.startTimeNanos() && released.add(child.id())) {
					todo.addLast(child);
				}
			}
		}
	}

	private static boolean mayBelong(String module, TaskSnapshot t) {
		return t.tagValue() == null || module.equals(t.tagValue());
	}

	static boolean alive(TaskSnapshot t) {
		return t.state() != 'Z' && t.state() != 'X';
	}
}
