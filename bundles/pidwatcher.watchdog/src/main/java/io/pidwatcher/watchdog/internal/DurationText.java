package io.pidwatcher.watchdog.internal;

import java.time.Duration;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Durations as people write them in config files: {@code 500ms}, {@code 2s}, {@code 1.5s}, {@code 5m}, {@code 1h}. */
final class DurationText {

	private static final Pattern FORM = Pattern.compile("\\s*([0-9]+(?:\\.[0-9]+)?)\\s*(ms|s|m|h)?\\s*");

	private DurationText() {
	}

	/** A bare number means seconds, as in systemd's RestartSec=. */
	static Duration parse(String text) {
		Matcher m = FORM.matcher(text == null ? "" : text);
		if (!m.matches()) {
			throw new IllegalArgumentException("'" + text + "' is not a duration (examples: 500ms, 2s, 1.5s, 5m)");
		}
		double amount = Double.parseDouble(m.group(1));
		String unit = m.group(2) == null ? "s" : m.group(2);
		double millis = switch (unit) {
			case "ms" -> amount;
			case "s" -> amount * 1000;
			case "m" -> amount * 60_000;
			default -> amount * 3_600_000;
		};
		return Duration.ofNanos(Math.round(millis * 1_000_000));
	}

	static String format(Duration d) {
		long ms = d.toMillis();
		if (ms < 1000) {
			return ms + "ms";
		}
		if (ms % 1000 == 0 && ms < 120_000) {
			return (ms / 1000) + "s";
		}
		if (ms < 120_000) {
			return String.format("%.1fs", ms / 1000.0);
		}
		return (ms / 60_000) + "m" + ((ms / 1000) % 60) + "s";
	}
}
