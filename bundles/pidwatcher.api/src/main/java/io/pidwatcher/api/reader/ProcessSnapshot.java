package io.pidwatcher.api.reader;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.TreeMap;
import java.util.function.Function;
import java.util.stream.Collectors;

/**
 * Every process one scan found, with the moment it was taken.
 *
 * @param source          the reader that took it, e.g. "procfs" or "device"
 * @param tagName         the environment variable the scan looked for
 * @param scope           what the scan was asked for
 * @param monotonicNanos  {@link System#nanoTime()} when the scan was taken; only differences mean
 *                        anything, which is all CPU utilisation needs
 * @param takenAt         wall-clock time of the scan, for people
 * @param tasks           the processes, in pid order
 * @param truncated       true when the source hit a limit and some matching processes are missing
 * @param lineage         present when the reader keeps fork-time lineage: then a tagged or module
 *                        scan lists every process forked by a member since the lineage was built
 *                        (whatever its environment says, {@link Membership#FORK}), and a scan of
 *                        everything would find no more members. The value is the lineage's
 *                        generation: it changes whenever the lineage is rebuilt (at its start,
 *                        after lost events, when the reader restarts), that is whenever a member
 *                        may have been missed, so a consumer scans everything once per
 *                        generation and otherwise need not.
 *                        Empty for a reader that knows membership only from scans.
 */
public record ProcessSnapshot(
		String source,
		String tagName,
		ScanScope scope,
		long monotonicNanos,
		Instant takenAt,
		List<TaskSnapshot> tasks,
		boolean truncated,
		OptionalLong lineage) {

	public ProcessSnapshot {
		tasks = List.copyOf(tasks);
		Objects.requireNonNull(lineage, "lineage");
	}

	/** A snapshot of a reader that keeps no fork-time lineage (the form of API 1.0). */
	public ProcessSnapshot(String source, String tagName, ScanScope scope, long monotonicNanos, Instant takenAt,
			List<TaskSnapshot> tasks, boolean truncated) {
		this(source, tagName, scope, monotonicNanos, takenAt, tasks, truncated, OptionalLong.empty());
	}

	public Optional<TaskSnapshot> find(TaskId id) {
		return tasks.stream().filter(t -> t.id().equals(id)).findFirst();
	}

	/** Tagged processes grouped by tag value, modules in name order. Untagged ones are left out. */
	public Map<String, List<TaskSnapshot>> byModule() {
		return tasks.stream()
				.filter(TaskSnapshot::isTagged)
				.collect(Collectors.groupingBy(TaskSnapshot::tagValue, TreeMap::new, Collectors.toList()));
	}

	/**
	 * CPU utilisation of each process between an earlier snapshot and this one, in percent of one
	 * CPU (a process busy on two cores shows 200), computed as htop does: CPU time used in the
	 * interval divided by the interval. Processes absent from the earlier snapshot (new, or a
	 * reused pid with another start time) are measured since they started instead.
	 */
	public Map<TaskId, Double> cpuPercentSince(ProcessSnapshot earlier) {
		long interval = monotonicNanos - earlier.monotonicNanos;
		Map<TaskId, TaskSnapshot> before = earlier.tasks.stream()
				.collect(Collectors.toMap(TaskSnapshot::id, Function.identity(), (a, b) -> a));
		Map<TaskId, Double> percent = new TreeMap<>((a, b) -> Integer.compare(a.pid(), b.pid()));
		for (TaskSnapshot now : tasks) {
			TaskSnapshot then = before.get(now.id());
			if (then != null && interval > 0) {
				percent.put(now.id(), 100.0 * Math.max(0, now.cpuTimeNanos() - then.cpuTimeNanos()) / interval);
			}
		}
		return percent;
	}
}
