package io.pidwatcher.api.strategy;

import java.time.Instant;
import java.util.List;
import java.util.Map;

import io.pidwatcher.api.supervisor.Failure;
import io.pidwatcher.api.text.DurationText;

/**
 * Everything a {@link RestartStrategy} may base its decision on.
 *
 * @param module      the failed module's name
 * @param failure     the failure at hand
 * @param history     earlier failures of this module, oldest first (bounded by the watchdog)
 * @param lastStarted when the module's current run started (for "stable for N minutes" resets)
 * @param now         the time of the decision; strategies never read a clock themselves, so tests
 *                    can drive them with any time they like
 * @param parameters  the module config's {@code strategy.*} keys, without the prefix
 *                    (e.g. {@code strategy.delay=2s} arrives as {@code delay -> "2s"})
 * @param group       the modules of this module's group in start order, itself included; just
 *                    this module when it belongs to no group
 */
public record RestartRequest(
		String module,
		Failure failure,
		List<Failure> history,
		Instant lastStarted,
		Instant now,
		Map<String, String> parameters,
		List<String> group) {

	public RestartRequest {
		history = List.copyOf(history);
		parameters = Map.copyOf(parameters);
		group = List.copyOf(group);
	}

	/** The text parameter {@code key}, or {@code fallback} when the module config does not set it. */
	public String parameter(String key, String fallback) {
		String value = parameters.get(key);
		return value == null || value.isBlank() ? fallback : value.trim();
	}

	/**
	 * The duration parameter {@code key} (syntax of {@link DurationText}), or {@code fallback}.
	 *
	 * @throws IllegalArgumentException naming the key and the bad text
	 */
	public java.time.Duration duration(String key, String fallback) {
		String text = parameter(key, fallback);
		try {
			return DurationText.parse(text);
		} catch (IllegalArgumentException e) {
			throw new IllegalArgumentException("strategy." + key + ": " + e.getMessage(), e);
		}
	}

	/**
	 * The number parameter {@code key}, or {@code fallback}.
	 *
	 * @throws IllegalArgumentException naming the key and the bad text
	 */
	public double number(String key, double fallback) {
		String text = parameters.get(key);
		if (text == null || text.isBlank()) {
			return fallback;
		}
		try {
			return Double.parseDouble(text.trim());
		} catch (NumberFormatException e) {
			throw new IllegalArgumentException("strategy." + key + ": '" + text + "' is not a number", e);
		}
	}

	/** Failures in the window (now - period, now], the one at hand included. */
	public int failuresWithin(java.time.Duration period) {
		Instant since = now.minus(period);
		int count = failure.at().isAfter(since) ? 1 : 0;
		for (Failure f : history) {
			if (f.at().isAfter(since)) {
				count++;
			}
		}
		return count;
	}
}
