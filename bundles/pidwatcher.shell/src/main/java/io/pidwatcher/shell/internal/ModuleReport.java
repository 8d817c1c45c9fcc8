package io.pidwatcher.shell.internal;

import io.pidwatcher.api.supervisor.JournalEntry;
import io.pidwatcher.api.supervisor.ModuleState;
import io.pidwatcher.api.supervisor.ModuleStatus;
import io.pidwatcher.api.supervisor.Failure;
import io.pidwatcher.api.supervisor.StopReport;
import io.pidwatcher.api.reader.TaskSnapshot;

import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * The text of the module commands, shared by Gogo (pw:modules, pw:status...) and the control
 * socket behind bin/pidwatcher, so both always print the same. All formatting lives here.
 */
final class ModuleReport {

	private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss.SSS")
			.withZone(ZoneOffset.UTC);

	private ModuleReport() {
	}

	static String modules(List<ModuleStatus> modules, Instant now) {
		if (modules.isEmpty()) {
			return "no modules configured (add etc/pidwatcher.module-<name>.cfg)\n";
		}
		int width = Math.max(6, modules.stream().mapToInt(m -> m.name().length()).max().orElse(6));
		String row = "%-" + width + "s  %-10s %9s %8s %5s %6s %9s  %s%n";
		StringBuilder out = new StringBuilder(String.format(row, "MODULE", "STATE", "UPTIME", "RESTARTS", "TASKS",
				"%CPU", "RSS", "REASON"));
		for (ModuleStatus m : modules) {
			boolean up = m.startedAt() != null && (m.state() == ModuleState.RUNNING || m.state() == ModuleState.STARTING);
			out.append(String.format(row, m.name(), m.state().label(), up ? duration(m.uptime(now)) : "-",
					m.state() == ModuleState.INVALID ? "-" : Integer.toString(m.restarts()),
					m.tasks().isEmpty() ? "-" : Integer.toString(m.tasks().size()),
					m.tasks().isEmpty() ? "-" : String.format("%.1f", m.cpuPercent()),
					m.tasks().isEmpty() ? "-" : PsTable.bytes(m.rssBytes()), oneLine(m)));
		}
		return out.toString();
	}

	private static String oneLine(ModuleStatus m) {
		String reason = m.reason();
		if (!m.configProblem().isEmpty() && m.state() != ModuleState.INVALID) {
			reason += " [" + m.configProblem() + "]";
		}
		return reason;
	}

	static String status(ModuleStatus m, Instant now) {
		StringBuilder out = new StringBuilder();
		out.append("module ").append(m.name()).append(": ").append(m.state().label()).append(" since ")
				.append(TIME.format(m.since())).append(" UTC\n");
		line(out, "reason", m.reason());
		if (!m.configProblem().isEmpty()) {
			line(out, "config", m.configProblem());
		}
		if (!m.command().isEmpty()) {
			line(out, "command", String.join(" ", m.command()));
		}
		if (!m.instance().isEmpty()) {
			line(out, "instance", m.instance());
		}
		if (m.startedAt() != null) {
			line(out, "uptime", duration(m.uptime(now)) + " (started " + TIME.format(m.startedAt()) + " UTC)");
		}
		if (m.main() != null) {
			line(out, "main", "pid " + m.main().pid());
		}
		line(out, "restarts", Integer.toString(m.restarts()));
		ModuleStatus.Dependencies d = m.dependencies();
		if (!d.isEmpty()) {
			// both ways: what it waits for, and what waits for it (requires= / after=)
			line(out, "requires", names(d.requires()) + (d.after().isEmpty() ? "" : "; after: " + names(d.after())));
			line(out, "needed by", names(d.requiredBy()) + (d.before().isEmpty() ? "" : "; before: " + names(d.before())));
		}
		if (m.strategy() != null) {
			String strategy = m.strategy().name() + (m.strategy().available() ? "" : " (unavailable)");
			line(out, "strategy", strategy + (m.lastDecision().isEmpty() ? "" : "; last verdict: " + m.lastDecision()));
		}
		if (m.policies().isEmpty()) {
			line(out, "policies", "none (the module fails only when its whole tree has exited)");
		} else {
			out.append("policies\n");
			for (ModuleStatus.PolicyStatus p : m.policies()) {
				out.append(String.format("    %-10s %s%n", p.name(), p.verdict()));
			}
		}
		if (m.tasks().isEmpty()) {
			line(out, "tree", "no tasks");
		} else {
			out.append(String.format("tree: %d tasks, %.1f%% CPU, %s RSS%n", m.tasks().size(), m.cpuPercent(),
					PsTable.bytes(m.rssBytes())));
			out.append(tree(m.tasks(), m.name()));
		}
		if (!m.failures().isEmpty()) {
			out.append("last failures\n");
			List<Failure> last = m.failures().subList(Math.max(0, m.failures().size() - 5), m.failures().size());
			for (Failure f : last) {
				out.append("    ").append(TIME.format(f.at())).append("  ").append(f.kind().name().toLowerCase())
						.append(": ").append(f.reason()).append('\n');
			}
		}
		return out.toString();
	}

	private static String names(List<String> modules) {
		return modules.isEmpty() ? "-" : String.join(", ", modules);
	}

	private static void line(StringBuilder out, String key, String value) {
		out.append(String.format("%-10s %s%n", key, value));
	}

	/** The tree by parent pid; a task whose parent is outside the tree starts a tree of its own. */
	private static String tree(List<TaskSnapshot> tasks, String module) {
		StringBuilder out = new StringBuilder(String.format("    %7s %7s %1s %4s %9s %10s  %s%n", "PID", "PPID", "S",
				"THR", "RSS", "TIME", "COMMAND"));
		Set<Integer> pids = tasks.stream().map(TaskSnapshot::pid).collect(Collectors.toSet());
		Map<Integer, List<TaskSnapshot>> children = tasks.stream().collect(Collectors.groupingBy(TaskSnapshot::ppid));
		Set<Integer> printed = new HashSet<>();
		for (TaskSnapshot root : tasks.stream().filter(t -> !pids.contains(t.ppid()))
				.sorted(Comparator.comparingInt(TaskSnapshot::pid)).toList()) {
			append(out, root, "", children, printed, module);
		}
		return out.toString();
	}

	private static void append(StringBuilder out, TaskSnapshot t, String indent, Map<Integer, List<TaskSnapshot>> children,
			Set<Integer> printed, String module) {
		if (!printed.add(t.pid())) {
			return;
		}
		out.append(String.format("    %7d %7d %1s %4d %9s %10s  %s%s%s%n", t.pid(), t.ppid(), t.state(), t.threads(),
				PsTable.bytes(t.rssBytes()), PsTable.cpuTime(t.cpuTimeNanos()), indent, t.comm(),
				PsTable.membershipNote(t)));
		List<TaskSnapshot> kids = new ArrayList<>(children.getOrDefault(t.pid(), List.of()));
		kids.sort(Comparator.comparingInt(TaskSnapshot::pid));
		for (TaskSnapshot kid : kids) {
			append(out, kid, indent.isEmpty() ? " \\_ " : "    " + indent, children, printed, module);
		}
	}

	/** Each module's tree, as bin/pidwatcher ps prints it. */
	static String ps(List<ModuleStatus> modules) {
		StringBuilder out = new StringBuilder();
		for (ModuleStatus m : modules) {
			out.append(String.format("module %s: %s, %d tasks, %.1f%% CPU, %s RSS%n", m.name(), m.state().label(),
					m.tasks().size(), m.cpuPercent(), PsTable.bytes(m.rssBytes())));
			if (!m.tasks().isEmpty()) {
				out.append(tree(m.tasks(), m.name()));
			}
		}
		return out.length() == 0 ? "no modules configured\n" : out.toString();
	}

	static String stopped(StopReport r) {
		return String.format("stopped %s: %d tasks stopped, %d of them with SIGKILL, in %s%s%n", r.module(), r.stopped(),
				r.killed(), duration(r.took()), r.remaining() > 0 ? "; " + r.remaining() + " tasks resist SIGKILL" : "");
	}

	static String started(ModuleStatus m) {
		return String.format("%s: %s (%s)%n", m.name(), m.state().label(), m.reason());
	}

	static String events(List<JournalEntry> entries) {
		if (entries.isEmpty()) {
			return "no events\n";
		}
		StringBuilder out = new StringBuilder();
		for (JournalEntry e : entries) {
			String change = e.from() == e.to() ? e.to().label() : e.from().label() + " -> " + e.to().label();
			out.append(String.format("%s  %-12s %-22s %s%n", TIME.format(e.at()), e.module(), change, e.reason()));
		}
		return out.toString();
	}

	static String duration(Duration d) {
		long s = d.toSeconds();
		if (d.toMillis() < 1000) {
			return d.toMillis() + "ms";
		}
		if (s < 60) {
			return String.format("%.1fs", d.toMillis() / 1000.0);
		}
		if (s < 3600) {
			return String.format("%dm%02ds", s / 60, s % 60);
		}
		if (s < 86400) {
			return String.format("%dh%02dm", s / 3600, (s / 60) % 60);
		}
		return String.format("%dd%02dh", s / 86400, (s / 3600) % 24);
	}
}
