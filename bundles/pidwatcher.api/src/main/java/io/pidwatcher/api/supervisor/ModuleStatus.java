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
		String configProblem) {

	public ModuleStatus {
		tasks = List.copyOf(tasks);
		command = List.copyOf(command);
		policies = List.copyOf(policies);
		failures = List.copyOf(failures);
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
}
