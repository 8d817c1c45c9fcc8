package io.pidwatcher.policies.internal;

import io.pidwatcher.api.text.DurationText;
import io.pidwatcher.api.text.SizeText;

import java.time.Duration;
import java.util.Map;

/**
 * Reads a policy's {@code policy.<name>.*} parameters, failing with words for people
 * (IllegalArgumentException, which the watchdog shows as "misconfigured").
 */
final class Parameters {

	private final String policy;
	private final Map<String, String> values;

	Parameters(String policy, Map<String, String> values) {
		this.policy = policy;
		this.values = values;
	}

	private String raw(String key) {
		return values.get(key);
	}

	private IllegalArgumentException bad(String key, String expected) {
		return new IllegalArgumentException("policy." + policy + "." + key + " '" + raw(key) + "' is not " + expected);
	}

	double number(String key, double fallback) {
		String v = raw(key);
		if (v == null) {
			return fallback;
		}
		try {
			return Double.parseDouble(v.trim().replace("%", ""));
		} catch (NumberFormatException e) {
			throw bad(key, "a number");
		}
	}

	int integer(String key, int fallback) {
		String v = raw(key);
		if (v == null) {
			return fallback;
		}
		try {
			int n = Integer.parseInt(v.trim());
			if (n < 0) {
				throw bad(key, "a positive number");
			}
			return n;
		} catch (NumberFormatException e) {
			throw bad(key, "a whole number");
		}
	}

	boolean bool(String key, boolean fallback) {
		String v = raw(key);
		return v == null ? fallback : Boolean.parseBoolean(v.trim());
	}

	String text(String key, String fallback) {
		String v = raw(key);
		return v == null ? fallback : v.trim();
	}

	Duration duration(String key, Duration fallback) {
		String v = raw(key);
		if (v == null) {
			if (fallback == null) {
				throw new IllegalArgumentException("policy." + policy + "." + key + " is required (e.g. 2s)");
			}
			return fallback;
		}
		try {
			return DurationText.parse(v);
		} catch (IllegalArgumentException e) {
			throw new IllegalArgumentException("policy." + policy + "." + key + ": " + e.getMessage(), e);
		}
	}

	long bytes(String key, long fallback) {
		String v = raw(key);
		if (v == null) {
			if (fallback < 0) {
				throw new IllegalArgumentException("policy." + policy + "." + key + " is required (e.g. 256M)");
			}
			return fallback;
		}
		try {
			return SizeText.parse(v);
		} catch (IllegalArgumentException e) {
			throw new IllegalArgumentException("policy." + policy + "." + key + ": " + e.getMessage(), e);
		}
	}

	static String seconds(long nanos) {
		return String.format("%.1fs", nanos / 1e9);
	}

	static String mib(long bytes) {
		return String.format("%.1fM", bytes / (1024.0 * 1024));
	}
}
