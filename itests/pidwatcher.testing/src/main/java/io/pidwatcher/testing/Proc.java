package io.pidwatcher.testing;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** Reads /proc directly: the test checks the runtime with its own eyes, not with the runtime's reader. */
public final class Proc {

	/** A process as identified for its whole life: pid and start time (clock ticks since boot). */
	public record Task(int pid, int ppid, long start) {
	}

	private Proc() {
	}

	public static List<Task> tagged(String module) {
		byte[] entry = ("PIDWATCHER_MODULE=" + module).getBytes(StandardCharsets.UTF_8);
		List<Task> found = new ArrayList<>();
		try (DirectoryStream<Path> dirs = Files.newDirectoryStream(Path.of("/proc"), "[0-9]*")) {
			for (Path dir : dirs) {
				try {
					if (hasEntry(Files.readAllBytes(dir.resolve("environ")), entry)) {
						Task t = task(Integer.parseInt(dir.getFileName().toString()));
						if (t != null) {
							found.add(t);
						}
					}
				} catch (IOException | RuntimeException e) {
					// gone
				}
			}
		} catch (IOException e) {
			throw new IllegalStateException(e);
		}
		found.sort((a, b) -> Integer.compare(a.pid(), b.pid()));
		return found;
	}

	/** null when the process is gone or a zombie. */
	public static Task task(int pid) {
		try {
			String stat = Files.readString(Path.of("/proc", Integer.toString(pid), "stat"));
			String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
			if (f[0].equals("Z") || f[0].equals("X")) {
				return null;
			}
			return new Task(pid, Integer.parseInt(f[1]), Long.parseLong(f[19]));
		} catch (IOException | RuntimeException e) {
			return null;
		}
	}

	public static boolean alive(Task t) {
		Task now = task(t.pid());
		return now != null && now.start() == t.start();
	}

	private static boolean hasEntry(byte[] env, byte[] entry) {
		int start = 0;
		for (int i = 0; i <= env.length; i++) {
			if (i == env.length || env[i] == 0) {
				if (i - start == entry.length && java.util.Arrays.equals(env, start, i, entry, 0, entry.length)) {
					return true;
				}
				start = i + 1;
			}
		}
		return false;
	}
}
