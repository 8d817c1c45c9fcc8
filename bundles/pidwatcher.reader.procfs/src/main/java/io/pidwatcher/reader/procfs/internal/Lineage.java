package io.pidwatcher.reader.procfs.internal;

import io.pidwatcher.api.reader.Membership;
import io.pidwatcher.api.reader.ScanScope;
import io.pidwatcher.api.reader.TaskId;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The processes known to belong to a module, and how each is known: by its tag, or because a
 * member forked it. One writer (the connector's thread) changes it; scans read copies, so a scan
 * never waits for an event being handled.
 */
final class Lineage {

	/**
	 * @param sinceNanos {@link System#nanoTime()} when it became a member (fork-to-membership
	 *                   latency is measured against it)
	 */
	record Member(TaskId id, String value, Membership how, int uid, long sinceNanos) {

		int pid() {
			return id.pid();
		}
	}

	private final Map<Integer, Member> byPid = new HashMap<>();
	private final Map<String, Set<Integer>> byValue = new HashMap<>();

	synchronized Member get(int pid) {
		return byPid.get(pid);
	}

	/** Adds or replaces the member with that pid; returns the one it replaced, if any. */
	synchronized Member put(Member m) {
		Member old = byPid.put(m.pid(), m);
		if (old != null) {
			unindex(old);
		}
		byValue.computeIfAbsent(m.value(), v -> new LinkedHashSet<>()).add(m.pid());
		return old;
	}

	/** Removes exactly this member (not a newer owner of its pid); true when it was there. */
	synchronized boolean remove(Member m) {
		if (!byPid.remove(m.pid(), m)) {
			return false;
		}
		unindex(m);
		return true;
	}

	synchronized Member withUid(Member m, int uid) {
		Member changed = new Member(m.id(), m.value(), m.how(), uid, m.sinceNanos());
		if (byPid.replace(m.pid(), m, changed)) {
			return changed;
		}
		return m;
	}

	private void unindex(Member m) {
		Set<Integer> pids = byValue.get(m.value());
		if (pids != null) {
			pids.remove(m.pid());
			if (pids.isEmpty()) {
				byValue.remove(m.value());
			}
		}
	}

	/** The members a scan of this scope lists (every member for EVERYTHING), in no order. */
	synchronized List<Member> members(ScanScope scope) {
		return switch (scope.kind()) {
			case MODULE -> byValue.getOrDefault(scope.module(), Set.of()).stream().map(byPid::get).toList();
			case TAGGED, EVERYTHING -> new ArrayList<>(byPid.values());
		};
	}

	synchronized int size() {
		return byPid.size();
	}

	synchronized long count(Membership how) {
		return byPid.values().stream().filter(m -> m.how() == how).count();
	}

	synchronized void clear() {
		byPid.clear();
		byValue.clear();
	}
}
