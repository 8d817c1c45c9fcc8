package io.pidwatcher.watchdog.internal;

import io.pidwatcher.api.policy.HealthPolicy;
import io.pidwatcher.api.strategy.RestartStrategy;

import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;

import org.osgi.framework.ServiceReference;

/**
 * Asks a module's strategy and policies whether they can use its {@code strategy.*} and
 * {@code policy.<name>.*} parameters, so that a value they cannot parse is a bad key like any
 * other, named in the message, instead of a "misconfigured" verdict or a fallback delay found
 * later. A strategy or policy not registered yet is asked when it appears. The names are checked
 * too, against what the strategy or policy declares ({@link DeclaredParameters}): a
 * {@code strategy.dealy} is an unknown key while the strategy is deployed, and waits unchecked
 * until then.
 */
final class ParameterChecks {

	/** A registered strategy or policy and the parameter names it declares, if it declares any. */
	record Found<S>(S service, Optional<Set<String>> declared) {
	}

	private final Function<String, Found<RestartStrategy>> strategies;
	private final Function<String, Found<HealthPolicy>> policies;

	ParameterChecks(Function<String, Found<RestartStrategy>> strategies, Function<String, Found<HealthPolicy>> policies) {
		this.strategies = strategies;
		this.policies = policies;
	}

	/** @throws IllegalArgumentException naming the key, from the strategy or policy that rejects it */
	void check(ModuleSpec spec) {
		for (String policy : spec.policyParameters().keySet()) {
			if (!spec.policies().contains(policy)) {
				String key = "policy." + policy + "." + spec.policyParameters(policy).keySet().iterator().next();
				throw new IllegalArgumentException("unknown key '" + key + "': policy " + policy + " is not in policies"
						+ KeyNames.suggestion(policy, spec.policies(), "policy ") + " (policies: "
						+ (spec.policies().isEmpty() ? "none" : String.join(", ", spec.policies())) + ")");
			}
		}
		Found<RestartStrategy> strategy = strategies.apply(spec.strategy());
		if (strategy != null) {
			names("strategy.", spec.strategyParameters(), strategy.declared());
			ask(() -> strategy.service().checkParameters(spec.strategyParameters()));
		}
		for (String name : spec.policies()) {
			Found<HealthPolicy> policy = policies.apply(name);
			if (policy != null) {
				names("policy." + name + ".", spec.policyParameters(name), policy.declared());
				ask(() -> policy.service().checkParameters(spec.policyParameters(name)));
			}
		}
	}

	private static void names(String prefix, Map<String, String> parameters, Optional<Set<String>> declared) {
		if (declared.isEmpty()) {
			return;
		}
		for (String key : new java.util.TreeSet<>(parameters.keySet())) {
			if (!declared.get().contains(key)) {
				throw new IllegalArgumentException("unknown key '" + prefix + key + "'"
						+ KeyNames.suggestion(key, declared.get(), prefix));
			}
		}
	}

	/**
	 * The service registered under {@code name} (the highest-ranked) and the parameter names its
	 * bundle's Metatype declares as object class {@code ocdPrefix + name}; null when none is.
	 */
	static <S> Found<S> found(RankedServices<S> services, String name, String ocdPrefix) {
		Map.Entry<ServiceReference<S>, S> e = services.registration(name);
		if (e == null) {
			return null;
		}
		Optional<Set<String>> declared;
		try {
			declared = DeclaredParameters.of(e.getKey().getBundle(), ocdPrefix + name);
		} catch (RuntimeException unreadable) {
			declared = Optional.empty(); // a reference that cannot give its bundle (the engine tests' stand-ins) declares nothing
		}
		return new Found<>(e.getValue(), declared);
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
