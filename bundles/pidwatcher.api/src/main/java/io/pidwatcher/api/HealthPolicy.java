package io.pidwatcher.api;

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
@FunctionalInterface
public interface HealthPolicy {

	/** Service property naming the policy. */
	String NAME_PROPERTY = "pidwatcher.policy";

	HealthVerdict evaluate(HealthCheck check);
}
