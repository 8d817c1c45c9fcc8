package io.pidwatcher.api.text;

import java.time.Duration;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Durations as people write them in config files: {@code 500ms}, {@code 2s}, {@code 1.5s},
 * {@code 10min}, {@code 1h}, or a bare number of seconds. One syntax for every pidwatcher key, so
 * {@code interval=2s} and {@code strategy.delay=2s} mean the same thing.
 */
public record DurationText(Duration value) {

	private static final Pattern SYNTAX = Pattern.compile("\\s*(\\d+(?:\\.\\d+)?)\\s*(ms|s|sec|m|min|h)?\\s*");

	public DurationText {
		if (value == null || value.isNegative()) {
			throw new IllegalArgumentException("a duration must not be negative");
		}
	}

	/** Parses the syntax above; the message of the exception names the text and what is expected. */
	public static Duration parse(String text) {
		Matcher m = text == null ? null : SYNTAX.matcher(text);
		if (m == null || !m.matches()) {
			throw new IllegalArgumentException("'" + text + "' is not a duration (expected e.g. 500ms, 2s, 10min, 1h)");
		}
		double amount = Double.parseDouble(m.group(1));
		String unit = m.group(2) == null ? "s" : m.group(2);
		double millis = switch (unit) {
			case "ms" -> amount;
			case "s", "sec" -> amount * 1000;
			case "m", "min" -> amount * 60_000;
			case "h" -> amount * 3_600_000;
			default -> throw new IllegalStateException(unit);
		};
		return Duration.ofNanos(Math.round(millis * 1_000_000));
	}

	/** Parses {@code text}, or returns {@code fallback} when it is null or blank. */
	public static Duration parse(String text, Duration fallback) {
		return text == null || text.isBlank() ? fallback : parse(text);
	}

	/** The shortest exact text for a duration, e.g. "100ms", "2s", "5min". */
	public static String format(Duration d) {
		long ms = d.toMillis();
		if (ms % 3_600_000 == 0 && ms > 0) {
			return ms / 3_600_000 + "h";
		}
		if (ms % 60_000 == 0 && ms > 0) {
			return ms / 60_000 + "min";
		}
		if (ms % 1000 == 0 && ms > 0) {
			return ms / 1000 + "s";
		}
		return ms + "ms";
	}
}
