package io.pidwatcher.api.supervisor;

import java.time.Duration;
import java.time.Instant;
import java.util.List;

import io.pidwatcher.api.reader.TaskId;
import io.pidwatcher.api.reader.TaskSnapshot;

/**
 * One module as the watchdog sees it now: what pw:modules, pw:status and bin/pidwatcher show.
 *
 * @param name          the module's name (the tag value its processes carry)
 * @param state         where it is in its life
 * @param reason        why it is in that state, for people
 * @param since         when it entered that state
 * @param instance      the current (or last) run's instance id, empty before the first run
 * @param startedAt     when the current run started or was adopted, null when not running
 * @param restarts      restarts since the module was defined (or since the runtime started)
 * @param main          the task the watchdog started or adopted as main, null when unknown
 * @param tasks         the whole tree at the last scan (tagged tasks and tracked descendants)
 * @param cpuPercent    CPU of the tree between the last two scans, percent of one CPU
 * @param command       the argv in force
 * @param strategy      the restart strategy the config names and whether it is deployed; null for
 *                      a module whose config never parsed
 * @param lastDecision  the strategy's last verdict in words, empty before the first failure
 * @param policies      one line per configured policy with its last verdict
 * @param failures      recent failures, oldest first
 * @param configProblem why the last config change was rejected (the previous config stays in
 *                      force), empty when there is none
 * @param dependencies  the modules it names in requires= and after=, and those naming it (since 1.1)
 */
public record ModuleStatus(
		String name,
		ModuleState state,
		String reason,
		Instant since,
		String instance,
		Instant startedAt,
		int restarts,
		TaskId main,
		List<TaskSnapshot> tasks,
		double cpuPercent,
		List<String> command,
		StrategyStatus strategy,
		String lastDecision,
		List<PolicyStatus> policies,
		List<Failure> failures,
		String configProblem,
		Dependencies dependencies) {

	public ModuleStatus {
		tasks = List.copyOf(tasks);
		command = List.copyOf(command);
		policies = List.copyOf(policies);
		failures = List.copyOf(failures);
		dependencies = dependencies == null ? Dependencies.NONE : dependencies;
	}

	/** The 1.0 constructor: a module with no dependencies either way. */
	public ModuleStatus(String name, ModuleState state, String reason, Instant since, String instance, Instant startedAt,
			int restarts, TaskId main, List<TaskSnapshot> tasks, double cpuPercent, List<String> command,
			StrategyStatus strategy, String lastDecision, List<PolicyStatus> policies, List<Failure> failures,
			String configProblem) {
		this(name, state, reason, since, instance, startedAt, restarts, main, tasks, cpuPercent, command, strategy,
				lastDecision, policies, failures, configProblem, Dependencies.NONE);
	}

	/** Resident memory summed over the tree. */
	public long rssBytes() {
		return tasks.stream().mapToLong(TaskSnapshot::rssBytes).sum();
	}

	/** How long the current run has lasted at {@code now}, zero when not running. */
	public Duration uptime(Instant now) {
		return startedAt == null ? Duration.ZERO : Duration.between(startedAt, now);
	}

	/**
	 * One configured health policy.
	 *
	 * @param name      as listed in the module's {@code policies}
	 * @param available whether a policy service of that name is registered
	 * @param verdict   the last verdict's explanation (or why it could not be evaluated)
	 */
	public record PolicyStatus(String name, boolean available, String verdict) {
	}

	/**
	 * A module's dependencies both ways (since 1.1).
	 *
	 * @param requires   what it names in {@code requires=}: started first, and its failure stops this one
	 * @param after      what it names only in {@code after=}: started first, nothing more
	 * @param requiredBy the modules whose {@code requires=} names it
	 * @param before     the modules whose {@code after=} (only) names it
	 */
	public record Dependencies(List<String> requires, List<String> after, List<String> requiredBy, List<String> before) {

		public static final Dependencies NONE = new Dependencies(List.of(), List.of(), List.of(), List.of());

		public Dependencies {
			requires = List.copyOf(requires);
			after = List.copyOf(after);
			requiredBy = List.copyOf(requiredBy);
			before = List.copyOf(before);
		}

		/** Whether it names no module and none names it. */
		public boolean isEmpty() {
			return requires.isEmpty() && after.isEmpty() && requiredBy.isEmpty() && before.isEmpty();
		}
	}
}
