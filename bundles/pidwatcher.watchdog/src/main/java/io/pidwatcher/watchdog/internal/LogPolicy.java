package io.pidwatcher.watchdog.internal;

import io.pidwatcher.api.text.SizeText;
import java.time.ZonedDateTime;
import java.time.temporal.ChronoUnit;
import java.util.Map;

/**
 * How a module's var/log/NAME.log is kept: rotated past {@code log.size} and, with
 * {@code log.rotate=hourly|daily}, at the first check in a new hour or day (local time); at most
 * {@code log.files} rotated files, gzipped with {@code log.compress}; all of NAME.log* within
 * {@code log.max} (bytes, or a percentage of the file system that holds var/; 0 for no bound).
 */
record LogPolicy(long size, int files, Period rotate, boolean compress, long maxBytes, double maxShareOfVar) {

	/** When the live file is rotated besides past log.size. */
	enum Period {
		SIZE, HOURLY, DAILY;

		/** The start of the hour or day that {@code t} is in (SIZE has no periods: null). */
		ZonedDateTime start(ZonedDateTime t) {
			return switch (this) {
				case SIZE -> null;
				case HOURLY -> t.truncatedTo(ChronoUnit.HOURS);
				case DAILY -> t.truncatedTo(ChronoUnit.DAYS);
			};
		}
	}

	static final LogPolicy DEFAULT = new LogPolicy(10L << 20, 3, Period.SIZE, false, 0, 0);

	/** Reads the log.* keys; throws IllegalArgumentException naming the key. */
	static LogPolicy parse(Map<String, Object> props) {
		long size = size(props, "log.size", "10M");
		String filesText = ModuleSpec.text(props, "log.files", "3").trim();
		int files;
		try {
			files = Integer.parseInt(filesText);
		} catch (NumberFormatException ex) {
			throw new IllegalArgumentException("log.files '" + filesText + "' is not a number");
		}
		if (files < 0 || files > 1000) {
			throw new IllegalArgumentException("log.files " + files + " is not between 0 and 1000");
		}
		String rotateText = ModuleSpec.text(props, "log.rotate", "size").trim();
		Period rotate = switch (rotateText.toLowerCase(java.util.Locale.ROOT)) {
			case "size" -> Period.SIZE;
			case "hourly" -> Period.HOURLY;
			case "daily" -> Period.DAILY;
			default -> throw new IllegalArgumentException("log.rotate '" + rotateText + "' is none of size, hourly, daily");
		};
		boolean compress = ModuleSpec.bool(props, "log.compress", false);
		// absent: no bound; present, even empty, it must be a size or a share (as log.size must)
		String maxText = ModuleSpec.text(props, "log.max", null);
		long maxBytes = 0;
		double share = 0;
		if (maxText != null && maxText.trim().endsWith("%")) {
			maxText = maxText.trim();
			try {
				share = Double.parseDouble(maxText.substring(0, maxText.length() - 1).trim()) / 100;
			} catch (NumberFormatException ex) {
				share = -1;
			}
			if (!(share > 0 && share <= 1)) {
				throw new IllegalArgumentException("log.max '" + maxText + "' is not a percentage above 0 and at most 100");
			}
		} else if (maxText != null) {
			maxBytes = size(props, "log.max", null);
			if (maxBytes == 0) {
				throw new IllegalArgumentException("log.max: must be more than 0 (leave the key out for no bound)");
			}
		}
		return new LogPolicy(size, files, rotate, compress, maxBytes, share);
	}

	/** The bound on the sum of NAME.log*, given the size of var/'s file system; 0 for none. */
	long bound(long varFileSystemBytes) {
		return maxShareOfVar > 0 ? (long) (varFileSystemBytes * maxShareOfVar) : maxBytes;
	}

	boolean bounded() {
		return maxBytes > 0 || maxShareOfVar > 0;
	}

	private static long size(Map<String, Object> props, String key, String fallback) {
		try {
			return SizeText.parse(ModuleSpec.text(props, key, fallback));
		} catch (IllegalArgumentException e) {
			throw new IllegalArgumentException(key + ": " + e.getMessage());
		}
	}
}
