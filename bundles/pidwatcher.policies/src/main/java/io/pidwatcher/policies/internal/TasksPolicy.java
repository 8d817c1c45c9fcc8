package io.pidwatcher.policies.internal;

import io.pidwatcher.api.policy.HealthCheck;
import io.pidwatcher.api.policy.HealthPolicy;
import io.pidwatcher.api.policy.HealthVerdict;

import java.util.Map;

import org.osgi.service.component.annotations.Component;

/**
 * {@code tasks}: more than {@code policy.tasks.max} (default 100) live tasks in the tree means a
 * fork storm (or a leak of workers). The watchdog's whole-tree stop freezes the tree with SIGSTOP
 * before it kills, so a storm cannot outrun the stop.
 */
@Component(property = HealthPolicy.NAME_PROPERTY + "=tasks")
public final class TasksPolicy implements HealthPolicy {

	private static int max(Map<String, String> parameters) {
		return new Parameters("tasks", parameters).integer("max", 100);
	}

	@Override
	public void checkParameters(Map<String, String> parameters) {
		max(parameters);
	}

	@Override
	public HealthVerdict evaluate(HealthCheck check) {
		int max = max(check.parameters());
		long tasks = check.latest().alive();
		String measured = tasks + " tasks (max " + max + ")";
		return tasks > max ? new HealthVerdict.Unhealthy(measured) : new HealthVerdict.Healthy(measured);
	}
}
