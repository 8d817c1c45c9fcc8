package io.pidwatcher.api.text;

import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Sizes as people write them in config files: {@code 512k}, {@code 10M}, {@code 1.5G}, {@code 4096}
 * (bytes), with an optional {@code B} or {@code iB} ({@code 64MiB}, {@code 64MB}). Units are binary
 * (k = 1024), as for ps, top and systemd's {@code MemoryMax=}. One syntax for every pidwatcher key
 * that takes a size ({@code log.size}, {@code policy.memory.limit}, ...).
 */
public final class SizeText {

	private static final Pattern SYNTAX = Pattern.compile("\\s*(\\d+(?:\\.\\d+)?)\\s*(?:([kKmMgGtT])(?:i?[bB])?|[bB])?\\s*");

	private SizeText() {
	}

	/**
	 * Parses the syntax above into bytes.
	 *
	 * @throws IllegalArgumentException naming the text and what is expected
	 */
	public static long parse(String text) {
		Matcher m = text == null ? null : SYNTAX.matcher(text);
		if (m == null || !m.matches()) {
			throw new IllegalArgumentException("'" + text + "' is not a size (expected e.g. 4096, 512k, 10M, 1G)");
		}
		double amount = Double.parseDouble(m.group(1));
		String unit = m.group(2) == null ? "" : m.group(2).toUpperCase(Locale.ROOT);
		long factor = switch (unit) {
			case "K" -> 1L << 10;
			case "M" -> 1L << 20;
			case "G" -> 1L << 30;
			case "T" -> 1L << 40;
			default -> 1;
		};
		double bytes = amount * factor;
		if (bytes >= Long.MAX_VALUE) {
			throw new IllegalArgumentException("'" + text + "' is too large a size");
		}
		return Math.round(bytes);
	}

	/** Parses {@code text}, or returns {@code fallback} when it is null or blank. */
	public static long parse(String text, long fallback) {
		return text == null || text.isBlank() ? fallback : parse(text);
	}

	/** A short text for people, e.g. "512k", "10M", "1.5G" (exact when a unit divides it). */
	public static String format(long bytes) {
		String[] units = { "T", "G", "M", "k" };
		int[] shifts = { 40, 30, 20, 10 };
		for (int i = 0; i < units.length; i++) {
			long unit = 1L << shifts[i];
			if (bytes >= unit) {
				return bytes % unit == 0 ? bytes / unit + units[i]
						: String.format(Locale.ROOT, "%.1f%s", (double) bytes / unit, units[i]);
			}
		}
		return Long.toString(bytes);
	}
}
