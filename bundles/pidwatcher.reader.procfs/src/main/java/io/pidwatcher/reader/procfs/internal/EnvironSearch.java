package io.pidwatcher.reader.procfs.internal;

import java.nio.charset.StandardCharsets;

/**
 * Finds one variable in the raw bytes of /proc/&lt;pid&gt;/environ: NUL-separated NAME=value
 * entries, the last one possibly without its NUL (a process may have rewritten the area).
 * Works on bytes so a huge environment costs one pass and no decoding.
 */
final class EnvironSearch {

	private final byte[] prefix;

	EnvironSearch(String name) {
		this.prefix = (name + "=").getBytes(StandardCharsets.US_ASCII);
	}

	/** The variable's value, or null when no entry has that name. The first entry wins, as in getenv(3). */
	String find(byte[] env, int len) {
		int entry = 0;
		while (entry < len) {
			int end = entry;
			while (end < len && env[end] != 0) {
				end++;
			}
			if (startsWithPrefix(env, entry, end)) {
				int valueStart = entry + prefix.length;
				return new String(env, valueStart, end - valueStart, StandardCharsets.UTF_8);
			}
			entry = end + 1;
		}
		return null;
	}

	private boolean startsWithPrefix(byte[] env, int from, int to) {
		if (to - from < prefix.length) {
			return false;
		}
		for (int i = 0; i < prefix.length; i++) {
			if (env[from + i] != prefix[i]) {
				return false;
			}
		}
		return true;
	}
}
