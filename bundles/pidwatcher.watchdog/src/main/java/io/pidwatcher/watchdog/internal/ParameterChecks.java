package io.pidwatcher.watchdog.internal;

import io.pidwatcher.api.policy.HealthPolicy;
import io.pidwatcher.api.strategy.RestartStrategy;

import java.util.function.Function;

/**
 * Asks a module's strategy and policies whether they can use its {@code strategy.*} and
 * {@code policy.<name>.*} parameters, so that a value they cannot parse is a bad key like any
 * other, named in the message, instead of a "misconfigured" verdict or a fallback delay found
 * later. A strategy or policy not registered yet is asked when it appears.
 */
final class ParameterChecks {

	private final Function<String, RestartStrategy> strategies;
	private final Function<String, HealthPolicy> policies;

	ParameterChecks(Function<String, RestartStrategy> strategies, Function<String, HealthPolicy> policies) {
		this.strategies = strategies;
		this.policies = policies;
	}

	/** @throws IllegalArgumentException naming the key, from the strategy or policy that rejects it */
	void check(ModuleSpec spec) {
		RestartStrategy strategy = strategies.apply(spec.strategy());
		if (strategy != null) {
			ask(() -> strategy.checkParameters(spec.strategyParameters()));
		}
		for (String name : spec.policies()) {
			HealthPolicy policy = policies.apply(name);
			if (policy != null) {
				ask(() -> policy.checkParameters(spec.policyParameters(name)));
			}
		}
	}

	/** Whether the spec names this strategy or this policy: it is checked again when that appears. */
	static boolean uses(ModuleSpec spec, String strategy, String policy) {
		return spec.strategy().equals(strategy) || spec.policies().contains(policy);
	}

	private static void ask(Runnable check) {
		try {
			check.run();
		} catch (IllegalArgumentException e) {
			throw e;
		} catch (RuntimeException e) {
			// A checker that breaks must not make every module invalid: the decision will show it.
			return;
		}
	}
}
