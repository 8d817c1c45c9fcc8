package io.pidwatcher.api.policy;

/** What a {@link HealthPolicy} concluded, always with words for people (pw:status, journal). */
public sealed interface HealthVerdict {

	String explanation();

	/** Nothing to do; {@code explanation} says what was measured, e.g. "cpu 12% (limit 90%)". */
	record Healthy(String explanation) implements HealthVerdict {
	}

	/** The module should be stopped and handed to its restart strategy. */
	record Unhealthy(String explanation) implements HealthVerdict {
	}
}
