package io.pidwatcher.api.policy;

import org.osgi.annotation.versioning.ConsumerType;
/**
 * Judges whether a running module is healthy. Registered as a service with the property
 * {@value #NAME_PROPERTY} naming it (e.g. {@code pidwatcher.policy=cpu}); a module's config lists
 * the policies it wants by that name in {@code policies}.
 *
 * <p>Like a {@link RestartStrategy}, a policy is a pure function of its input: the watchdog keeps
 * the samples and heartbeat times, so a policy bundle can be replaced while modules run. A policy
 * that cannot understand its parameters throws {@link IllegalArgumentException} with a message
 * for people; the watchdog shows it and ignores the policy rather than stopping the module.
 */
@ConsumerType
public interface HealthPolicy {

	/** Service property naming the policy. */
	String NAME_PROPERTY = "pidwatcher.policy";

	HealthVerdict evaluate(HealthCheck check);

	/**
	 * Checks a module's {@code policy.<name>.*} parameters (without the prefix) when its config is
	 * read, so that a value this policy cannot use marks the config invalid at once, like any other
	 * bad key, instead of showing up later as "misconfigured". The default accepts anything.
	 *
	 * @throws IllegalArgumentException naming the key and what is wrong with its value
	 */
	default void checkParameters(java.util.Map<String, String> parameters) {
	}
}
