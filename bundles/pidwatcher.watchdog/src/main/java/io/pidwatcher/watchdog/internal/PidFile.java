package io.pidwatcher.watchdog.internal;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.time.Instant;

/**
 * Reads a daemon's pid file as systemd's PIDFile= does: one decimal pid, surrounding white space
 * allowed. A file older than the run (left by a predecessor killed with -9) is not this run's
 * and reads as not written yet; so does an empty one (written with O_TRUNC and not yet filled).
 */
final class PidFile {

	/** Files larger than this are not pid files. */
	private static final int MAX_BYTES = 64;
	/** File systems keep mtimes at a coarser grain than the clock: a file written just after the start may read as older. */
	private static final long MTIME_SLACK_MILLIS = 1000;

	/** What was read. */
	sealed interface Reading {
	}

	/** No file, an empty one, or one older than the run: the program has not written it yet. */
	record NotYet(String why) implements Reading {
	}

	/** The file holds something that is not a pid: a clear failure, never a guess. */
	record Malformed(String why) implements Reading {
	}

	record Pid(int pid) implements Reading {
	}

	private PidFile() {
	}

	/**
	 * @param runStartedAt the start of the run (null: unknown, any file counts)
	 */
	static Reading read(Path file, Instant runStartedAt) {
		byte[] bytes;
		try {
			BasicFileAttributes attributes = Files.readAttributes(file, BasicFileAttributes.class);
			if (!attributes.isRegularFile()) {
				return new Malformed(file + " is not a regular file");
			}
			if (runStartedAt != null
					&& attributes.lastModifiedTime().toMillis() < runStartedAt.toEpochMilli() - MTIME_SLACK_MILLIS) {
				return new NotYet(file + " is older than this run (left by an earlier one)");
			}
			if (attributes.size() > MAX_BYTES) {
				return new Malformed(file + " holds " + attributes.size() + " bytes, not a pid");
			}
			bytes = Files.readAllBytes(file);
		} catch (NoSuchFileException e) {
			return new NotYet(file + " does not exist yet");
		} catch (IOException e) {
			return new Malformed("cannot read " + file + ": " + e.getMessage());
		}
		String text = new String(bytes, StandardCharsets.US_ASCII).strip();
		if (text.isEmpty()) {
			return new NotYet(file + " is empty");
		}
		if (!text.matches("[0-9]{1,10}")) {
			return new Malformed(file + " holds '" + printable(text) + "', not a pid");
		}
		long pid = Long.parseLong(text);
		if (pid < 1 || pid > Integer.MAX_VALUE) {
			return new Malformed(file + " holds " + text + ", not a pid");
		}
		return new Pid((int) pid);
	}

	private static String printable(String text) {
		StringBuilder b = new StringBuilder();
		for (char c : text.toCharArray()) {
			if (b.length() >= 20) {
				return b + "...";
			}
			b.append(c >= 0x20 && c < 0x7f ? c : '?');
		}
		return b.toString();
	}
}
