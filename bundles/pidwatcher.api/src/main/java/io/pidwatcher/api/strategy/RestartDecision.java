package io.pidwatcher.api.strategy;

import java.time.Duration;
import java.util.List;

/** What a {@link RestartStrategy} decided. Every decision carries words for people (pw:status, journal). */
public sealed interface RestartDecision {

	String explanation();

	/** Start the failed module again after {@code delay}. */
	record RestartAfter(Duration delay, String explanation) implements RestartDecision {
	}

	/** Leave the module stopped; {@code explanation} says why, e.g. "5 restarts in 10s (limit 5)". */
	record GiveUp(String explanation) implements RestartDecision {
	}

	/**
	 * Stop these modules (the failed one included) and start them again in the given order after
	 * {@code delay}: one_for_all and rest_for_one.
	 */
	record RestartModules(List<String> modules, Duration delay, String explanation) implements RestartDecision {
		public RestartModules {
			modules = List.copyOf(modules);
		}
	}
}
