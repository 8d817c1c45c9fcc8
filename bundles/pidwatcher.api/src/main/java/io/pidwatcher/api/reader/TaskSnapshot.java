package io.pidwatcher.api.reader;

/**
 * One process (a thread group) as a reader saw it at one instant.
 *
 * @param pid            process id, relative to the reader's pid namespace
 * @param ppid           parent's process id (1 or a subreaper once the parent is gone, 0 if unknown)
 * @param tgid           thread group id; equals {@code pid} for the processes readers list
 * @param threads        number of threads in the group
 * @param state          one-letter state as /proc shows it (R, S, D, T, t, Z, X, I)
 * @param uid            real user id
 * @param comm           the kernel's short command name (at most 15 bytes)
 * @param startTimeNanos start time in nanoseconds since boot (the resolution the source has)
 * @param cpuTimeNanos   user + system CPU time of all threads, cumulative, in nanoseconds
 * @param rssBytes       resident memory in bytes
 * @param tagValue       value of the watched environment variable, or {@code null} when the
 *                       process is no member (only listed by {@link ScanScope#everything()}); for
 *                       a member known by lineage, the value it inherited at fork
 * @param membership     how the reader knows the process belongs to its module ({@code TAG} for an
 *                       untagged process listed by {@link ScanScope#everything()})
 */
public record TaskSnapshot(
		int pid,
		int ppid,
		int tgid,
		int threads,
		char state,
		int uid,
		String comm,
		long startTimeNanos,
		long cpuTimeNanos,
		long rssBytes,
		String tagValue,
		Membership membership) {

	public TaskSnapshot {
		java.util.Objects.requireNonNull(membership, "membership");
	}

	/** A process whose membership, if any, comes from its own environment. */
	public TaskSnapshot(int pid, int ppid, int tgid, int threads, char state, int uid, String comm, long startTimeNanos,
			long cpuTimeNanos, long rssBytes, String tagValue) {
		this(pid, ppid, tgid, threads, state, uid, comm, startTimeNanos, cpuTimeNanos, rssBytes, tagValue, Membership.TAG);
	}

	public TaskId id() {
		return new TaskId(pid, startTimeNanos);
	}

	public boolean isTagged() {
		return tagValue != null;
	}
}
