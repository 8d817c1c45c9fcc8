package io.pidwatcher.policies.internal;

import io.pidwatcher.api.policy.HealthCheck;
import io.pidwatcher.api.policy.HealthPolicy;
import io.pidwatcher.api.policy.HealthSample;
import io.pidwatcher.api.policy.HealthVerdict;

import java.util.Map;

import org.osgi.service.component.annotations.Component;

/**
 * {@code liveness}: the main task must be alive ({@code policy.liveness.main=true}) and/or at least
 * {@code policy.liveness.min} tasks (default 1). Without this policy a module fails only when its
 * whole tree is gone, which is right for daemons whose first process exits on purpose.
 */
@Component(property = HealthPolicy.NAME_PROPERTY + "=liveness")
public final class LivenessPolicy implements HealthPolicy {

	/** The parameters, read one way for a check and for an evaluation. */
	record Limits(boolean main, int min) {
		static Limits of(Map<String, String> parameters) {
			Parameters p = new Parameters("liveness", parameters);
			return new Limits(p.bool("main", false), p.integer("min", 1));
		}
	}

	@Override
	public void checkParameters(Map<String, String> parameters) {
		Limits.of(parameters);
	}

	@Override
	public HealthVerdict evaluate(HealthCheck check) {
		Limits limits = Limits.of(check.parameters());
		boolean main = limits.main();
		int min = limits.min();
		HealthSample s = check.latest();
		if (main && s.main() != null && !s.mainAlive()) {
			return new HealthVerdict.Unhealthy("main task pid " + s.main().pid() + " is gone");
		}
		if (s.alive() < min) {
			return new HealthVerdict.Unhealthy(s.alive() + " tasks alive (at least " + min + " required)");
		}
		return new HealthVerdict.Healthy(s.alive() + " tasks alive (min " + min + (main ? ", main alive" : "") + ")");
	}
}
