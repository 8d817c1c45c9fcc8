package io.pidwatcher.policies.internal;

import io.pidwatcher.api.policy.HealthCheck;
import io.pidwatcher.api.policy.HealthPolicy;
import io.pidwatcher.api.policy.HealthVerdict;

import java.util.Map;

import org.osgi.service.component.annotations.Component;

/**
 * {@code zombies}: more than {@code policy.zombies.max} (default 10) unreaped children in the tree
 * means a parent stopped calling wait(): the pid table fills up until fork fails.
 */
@Component(property = HealthPolicy.NAME_PROPERTY + "=zombies")
public final class ZombiesPolicy implements HealthPolicy {

	private static int max(Map<String, String> parameters) {
		return new Parameters("zombies", parameters).integer("max", 10);
	}

	@Override
	public void checkParameters(Map<String, String> parameters) {
		max(parameters);
	}

	@Override
	public HealthVerdict evaluate(HealthCheck check) {
		int max = max(check.parameters());
		long zombies = check.latest().inState('Z');
		String measured = zombies + " zombies (max " + max + ")";
		return zombies > max ? new HealthVerdict.Unhealthy(measured) : new HealthVerdict.Healthy(measured);
	}
}
