package io.pidwatcher.shell.internal;

import io.pidwatcher.api.reader.ProcessSnapshot;
import io.pidwatcher.api.reader.TaskId;
import io.pidwatcher.api.reader.Membership;
import io.pidwatcher.api.reader.TaskSnapshot;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * Formats a snapshot as the table {@code pw:ps} prints: one block per module, processes drawn as
 * a tree by parent pid. A process whose parent is not in the module (a daemon re-parented to
 * init, the module's first process) starts a tree of its own. All formatting lives here.
 */
final class PsTable {

	private static final String HEADER = String.format("%7s %7s %1s %4s %6s %9s %10s  %s",
			"PID", "PPID", "S", "THR", "%CPU", "RSS", "TIME", "COMMAND");

	private PsTable() {
	}

	static String format(ProcessSnapshot snapshot, Map<TaskId, Double> cpuPercent) {
		Map<String, List<TaskSnapshot>> modules = snapshot.byModule();
		if (modules.isEmpty()) {
			return "no process carries " + snapshot.tagName()
					+ (snapshot.scope().module() != null ? "=" + snapshot.scope().module() : "") + "\n";
		}
		StringBuilder out = new StringBuilder();
		for (Map.Entry<String, List<TaskSnapshot>> module : modules.entrySet()) {
			List<TaskSnapshot> tasks = module.getValue();
			double cpu = tasks.stream().mapToDouble(t -> cpuPercent.getOrDefault(t.id(), 0.0)).sum();
			long rss = tasks.stream().mapToLong(TaskSnapshot::rssBytes).sum();
			int threads = tasks.stream().mapToInt(TaskSnapshot::threads).sum();
			out.append(String.format("module %s: %d processes, %d threads, %.1f%% CPU, %s RSS%n",
					module.getKey(), tasks.size(), threads, cpu, bytes(rss)));
			out.append(HEADER).append('\n');
			Set<Integer> pids = tasks.stream().map(TaskSnapshot::pid).collect(Collectors.toSet());
			Map<Integer, List<TaskSnapshot>> children = tasks.stream()
					.collect(Collectors.groupingBy(TaskSnapshot::ppid));
			List<TaskSnapshot> roots = tasks.stream().filter(t -> !pids.contains(t.ppid()))
					.sorted(Comparator.comparingInt(TaskSnapshot::pid)).toList();
			Set<Integer> printed = new HashSet<>();
			for (TaskSnapshot root : roots) {
				appendTree(out, root, "", children, cpuPercent, printed);
			}
			out.append('\n');
		}
		if (snapshot.truncated()) {
			out.append("(truncated: the reader hit its task limit, some processes are missing)\n");
		}
		return out.toString();
	}

	private static void appendTree(StringBuilder out, TaskSnapshot task, String indent,
			Map<Integer, List<TaskSnapshot>> children, Map<TaskId, Double> cpuPercent, Set<Integer> printed) {
		if (!printed.add(task.pid())) {
			return;
		}
		Double cpu = cpuPercent.get(task.id());
		out.append(String.format("%7d %7d %1s %4d %6s %9s %10s  %s%s%s%n", task.pid(), task.ppid(), task.state(),
				task.threads(), cpu == null ? "-" : String.format("%.1f", cpu), bytes(task.rssBytes()),
				cpuTime(task.cpuTimeNanos()), indent, task.comm(), membershipNote(task)));
		List<TaskSnapshot> kids = new ArrayList<>(children.getOrDefault(task.pid(), List.of()));
		kids.sort(Comparator.comparingInt(TaskSnapshot::pid));
		for (TaskSnapshot kid : kids) {
			appendTree(out, kid, indent.isEmpty() ? " \\_ " : "    " + indent, children, cpuPercent, printed);
		}
	}

	static String bytes(long n) {
		if (n < 1024) {
			return n + "B";
		}
		if (n < 1024 * 1024) {
			return String.format("%.1fK", n / 1024.0);
		}
		if (n < 1024L * 1024 * 1024) {
			return String.format("%.1fM", n / (1024.0 * 1024));
		}
		return String.format("%.2fG", n / (1024.0 * 1024 * 1024));
	}

	static String cpuTime(long nanos) {
		long centis = nanos / 10_000_000;
		return String.format("%d:%02d.%02d", centis / 6000, (centis / 100) % 60, centis % 100);
	}

	/**
	 * How a member that does not carry the tag itself is known, after its command: by the reader's
	 * fork-time lineage, or by the watchdog's ancestry (a reader without lineage gives it no value).
	 */
	static String membershipNote(TaskSnapshot task) {
		if (task.tagValue() == null) {
			return "  (tag lost, tracked by ancestry)";
		}
		return task.membership() == Membership.FORK ? "  (tag lost, member by lineage: inherited at fork)" : "";
	}
}
