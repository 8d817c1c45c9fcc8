package io.pidwatcher.api.policy;

import java.util.List;
import io.pidwatcher.api.reader.TaskSnapshot;
import io.pidwatcher.api.reader.TaskId;

/**
 * One look at a module's whole process tree (tagged tasks and their tracked descendants).
 *
 * @param monotonicNanos {@link System#nanoTime()} of the scan it comes from
 * @param main           the task the watchdog started (or adopted) as the module's main one,
 *                       {@code null} when unknown
 * @param tasks          every task of the tree at that moment, zombies included
 * @param cpuPercent     CPU used by the tree since the previous sample, in percent of one CPU,
 *                       summed over the tree
 */
public record HealthSample(long monotonicNanos, TaskId main, List<TaskSnapshot> tasks, double cpuPercent) {

	public HealthSample {
		tasks = List.copyOf(tasks);
	}

	/** Resident memory summed over the tree. */
	public long rssBytes() {
		return tasks.stream().mapToLong(TaskSnapshot::rssBytes).sum();
	}

	/** Whether the main task is still there (and not a zombie). */
	public boolean mainAlive() {
		return main != null && tasks.stream().anyMatch(t -> t.id().equals(main) && t.state() != 'Z' && t.state() != 'X');
	}

	/** Tasks that are alive, that is neither zombies nor dead. */
	public long alive() {
		return tasks.stream().filter(t -> t.state() != 'Z' && t.state() != 'X').count();
	}

	public long inState(char state) {
		return tasks.stream().filter(t -> t.state() == state).count();
	}
}
