package io.pidwatcher.watchdog.internal;

import io.pidwatcher.api.text.SizeText;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.OptionalLong;
import java.util.TreeMap;

/**
 * One {@code limit.<name>=} key: a soft and a hard resource limit (setrlimit(2)), named as
 * prlimit(1) names them. An empty bound is "unlimited" (RLIM_INFINITY). Values the kernel would
 * refuse at every start (a nofile above fs.nr_open, a soft above its hard) are refused here,
 * where the message can name the key.
 *
 * @param name the prlimit name, e.g. {@code nofile}
 */
record ResourceLimit(String name, OptionalLong soft, OptionalLong hard) {

	/** What a value of each limit counts, which decides how it is written: sizes take k, M, G. */
	enum Unit {
		BYTES, COUNT, SECONDS, MICROSECONDS, PRIORITY
	}

	/** Every limit prlimit(1) knows, with what it counts. */
	static final Map<String, Unit> NAMES;

	static {
		Map<String, Unit> m = new TreeMap<>();
		for (String n : new String[] { "as", "core", "data", "fsize", "memlock", "msgqueue", "rss", "stack" }) {
			m.put(n, Unit.BYTES);
		}
		for (String n : new String[] { "locks", "nofile", "nproc", "sigpending" }) {
			m.put(n, Unit.COUNT);
		}
		m.put("cpu", Unit.SECONDS);
		m.put("rttime", Unit.MICROSECONDS);
		m.put("nice", Unit.PRIORITY);
		m.put("rtprio", Unit.PRIORITY);
		NAMES = java.util.Collections.unmodifiableMap(m);
	}

	/**
	 * Parses {@code N}, {@code SOFT:HARD}, each {@code infinity} (or {@code unlimited}).
	 *
	 * @throws IllegalArgumentException naming the key {@code limit.<name>}
	 */
	static ResourceLimit parse(String name, String text) {
		String key = "limit." + name;
		Unit unit = NAMES.get(name);
		if (unit == null) {
			throw new IllegalArgumentException("unknown key '" + key + "': no resource limit '" + name + "'"
					+ KeyNames.suggestion(name, NAMES.keySet(), "limit.") + "; limits are " + String.join(", ", NAMES.keySet()));
		}
		String t = text.trim();
		int colon = t.indexOf(':');
		OptionalLong soft = bound(key, unit, colon < 0 ? t : t.substring(0, colon));
		OptionalLong hard = colon < 0 ? soft : bound(key, unit, t.substring(colon + 1));
		if (hard.isPresent() && soft.isEmpty()) {
			throw new IllegalArgumentException(key + " '" + t + "': an unlimited soft limit needs an unlimited hard limit");
		}
		if (hard.isPresent() && soft.getAsLong() > hard.getAsLong()) {
			throw new IllegalArgumentException(key + " '" + t + "': the soft limit is above the hard limit");
		}
		if (name.equals("nofile")) {
			long max = nrOpen();
			if (hard.isEmpty() || hard.getAsLong() > max) {
				throw new IllegalArgumentException(key + " '" + t + "' is above the kernel's maximum of open files, "
						+ "fs.nr_open = " + max);
			}
		}
		if (name.equals("nice") && hard.isPresent() && hard.getAsLong() > 40
				|| name.equals("rtprio") && hard.isPresent() && hard.getAsLong() > 99) {
			throw new IllegalArgumentException(key + " '" + t + "' is out of range (nice: 0 to 40, rtprio: 0 to 99)");
		}
		return new ResourceLimit(name, soft, hard);
	}

	private static OptionalLong bound(String key, Unit unit, String text) {
		String t = text.trim();
		if (t.equalsIgnoreCase("infinity") || t.equalsIgnoreCase("unlimited")) {
			return OptionalLong.empty();
		}
		if (t.startsWith("-")) {
			throw new IllegalArgumentException(key + " '" + text + "' is negative");
		}
		long v;
		try {
			v = unit == Unit.BYTES ? SizeText.parse(t) : Long.parseLong(t);
		} catch (IllegalArgumentException e) {
			throw new IllegalArgumentException(key + " '" + text + "' is not " + (unit == Unit.BYTES
					? "a size (4096, 64k, 10M, 1G)" : "a whole number") + " or infinity");
		}
		// RLIM_INFINITY is ~0UL: anything near it would silently mean "unlimited"
		if (v < 0 || v > (1L << 62)) {
			throw new IllegalArgumentException(key + " '" + text + "' is too large (write infinity for no limit)");
		}
		return OptionalLong.of(v);
	}

	private static long nrOpen() {
		try {
			// readAllLines, not readString: a /proc file has no size to read up to
			return Long.parseLong(Files.readAllLines(Path.of("/proc/sys/fs/nr_open")).get(0).trim());
		} catch (IOException | NumberFormatException | IndexOutOfBoundsException e) {
			return 1L << 20; // the kernel's default
		}
	}

	/** The prlimit(1) option that sets this limit. */
	String prlimitOption() {
		return "--" + name + "=" + text(soft) + ":" + text(hard);
	}

	private static String text(OptionalLong bound) {
		return bound.isPresent() ? Long.toString(bound.getAsLong()) : "unlimited";
	}
}
