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
 * member forked it. One writer (the connector's thread) changes it, except that scans drop the
 * exited members they find reaped; scans read copies, so a scan never waits for an event being
 * handled.
 *
 * <p>A member that exited is kept apart until a scan finds it reaped or orphaned: a zombie is still
 * in its module's tree (the zombies policy counts them, and a parent that never reaps is the fault
 * it looks for), but it forks nothing, and its pid is not yet free for another process.
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
	/** Members that exited and whose parent has not reaped them yet (as far as we know). */
	private final Map<Integer, Member> exited = new HashMap<>();

	synchronized Member get(int pid) {
		return byPid.get(pid);
	}

	/** The live member or, failing that, the exited one not yet reaped with that pid. */
	synchronized Member known(int pid) {
		Member m = byPid.get(pid);
		return m != null ? m : exited.get(pid);
	}

	/** Adds or replaces the member with that pid; returns the one it replaced, if any. */
	synchronized Member put(Member m) {
		exited.remove(m.pid()); // the pid is in new hands: the zombie we knew was reaped
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

	/** The member exited: kept, apart, until a scan finds it reaped; true when it was a live member. */
	synchronized boolean exited(Member m) {
		if (!remove(m)) {
			return false;
		}
		exited.put(m.pid(), m);
		return true;
	}

	/** A scan found this exited member gone from /proc (or its pid in new hands). */
	synchronized void reaped(Member m) {
		exited.remove(m.pid(), m);
	}

	synchronized boolean isExited(Member m) {
		return exited.get(m.pid()) == m;
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

	/** The live members of this scope (every member for EVERYTHING), in no order. */
	synchronized List<Member> members(ScanScope scope) {
		return switch (scope.kind()) {
			case MODULE -> byValue.getOrDefault(scope.module(), Set.of()).stream().map(byPid::get).toList();
			case TAGGED, EVERYTHING -> new ArrayList<>(byPid.values());
		};
	}

	/** The exited members not yet reaped of this scope, in no order. */
	synchronized List<Member> exitedMembers(ScanScope scope) {
		return exited.values().stream()
				.filter(m -> scope.kind() != ScanScope.Kind.MODULE || m.value().equals(scope.module())).toList();
	}

	synchronized int size() {
		return byPid.size();
	}

	synchronized long count(Membership how) {
		return byPid.values().stream().filter(m -> m.how() == how).count();
	}

	synchronized int exitedCount() {
		return exited.size();
	}

	synchronized void clear() {
		byPid.clear();
		byValue.clear();
		exited.clear();
	}
}
