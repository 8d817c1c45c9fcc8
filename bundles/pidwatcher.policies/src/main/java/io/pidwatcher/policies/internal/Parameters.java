package io.pidwatcher.policies.internal;

import java.time.Duration;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Reads a policy's {@code policy.<name>.*} parameters, failing with words for people
 * (IllegalArgumentException, which the watchdog shows as "misconfigured").
 */
final class Parameters {

	private static final Pattern DURATION = Pattern.compile("\\s*([0-9]+(?:\\.[0-9]+)?)\\s*(ms|s|m|h)?\\s*");

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
		Matcher m = DURATION.matcher(v);
		if (!m.matches()) {
			throw bad(key, "a duration (e.g. 500ms, 2s, 5m)");
		}
		double amount = Double.parseDouble(m.group(1));
		String unit = m.group(2) == null ? "s" : m.group(2);
		double ms = switch (unit) {
			case "ms" -> amount;
			case "s" -> amount * 1000;
			case "m" -> amount * 60_000;
			default -> amount * 3_600_000;
		};
		return Duration.ofNanos(Math.round(ms * 1_000_000));
	}

	long bytes(String key, long fallback) {
		String v = raw(key);
		if (v == null) {
			if (fallback < 0) {
				throw new IllegalArgumentException("policy." + policy + "." + key + " is required (e.g. 256M)");
			}
			return fallback;
		}
		String t = v.trim();
		long factor = switch (t.isEmpty() ? ' ' : Character.toUpperCase(t.charAt(t.length() - 1))) {
			case 'K' -> 1L << 10;
			case 'M' -> 1L << 20;
			case 'G' -> 1L << 30;
			default -> 1;
		};
		try {
			return Math.round(Double.parseDouble(factor == 1 ? t : t.substring(0, t.length() - 1)) * factor);
		} catch (NumberFormatException e) {
			throw bad(key, "a size (e.g. 512k, 64M, 1G)");
		}
	}

	static String seconds(long nanos) {
		return String.format("%.1fs", nanos / 1e9);
	}

	static String mib(long bytes) {
		return String.format("%.1fM", bytes / (1024.0 * 1024));
	}
}
