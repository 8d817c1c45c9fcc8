package io.pidwatcher.api.strategy;

import org.osgi.annotation.versioning.ConsumerType;
/**
 * Decides what happens after a module fails. Registered as a service with the property
 * {@value #NAME_PROPERTY} naming it (e.g. {@code pidwatcher.strategy=backoff}); a module's config
 * chooses one by that name.
 *
 * <p>A strategy is a pure function of its input: the failure history, counters and timers live in
 * the watchdog, so a strategy bundle can be stopped, swapped or upgraded while modules run
 * without losing anything.
 */
@ConsumerType
public interface RestartStrategy {

	/** Service property naming the strategy. */
	String NAME_PROPERTY = "pidwatcher.strategy";

	RestartDecision decide(RestartRequest request);

	/**
	 * Checks a module's {@code strategy.*} parameters (without the prefix) when its config is read,
	 * so that a value this strategy cannot use marks the config invalid at once. The default
	 * accepts anything.
	 *
	 * @throws IllegalArgumentException naming the key and what is wrong with its value
	 */
	default void checkParameters(java.util.Map<String, String> parameters) {
	}
}
