package io.pidwatcher.testing;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;

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

	/**
	 * The module's tree as /proc shows it: every live task carrying the tag, and every live
	 * descendant of one (a child that cleared its environment is still the module's), by pid.
	 */
	public static List<Task> tree(String module) {
		List<Task> all = new ArrayList<>();
		try (DirectoryStream<Path> dirs = Files.newDirectoryStream(Path.of("/proc"), "[0-9]*")) {
			for (Path dir : dirs) {
				Task t = task(Integer.parseInt(dir.getFileName().toString()));
				if (t != null) {
					all.add(t);
				}
			}
		} catch (IOException e) {
			throw new IllegalStateException(e);
		}
		java.util.Set<Integer> in = new java.util.TreeSet<>();
		tagged(module).forEach(t -> in.add(t.pid()));
		for (boolean grew = true; grew;) {
			grew = false;
			for (Task t : all) {
				if (!in.contains(t.pid()) && in.contains(t.ppid())) {
					grew = in.add(t.pid());
				}
			}
		}
		return all.stream().filter(t -> in.contains(t.pid())).sorted((a, b) -> Integer.compare(a.pid(), b.pid())).toList();
	}

	/** Linux reports start times in USER_HZ clock ticks, 100 a second on every architecture we run on. */
	public static final long NANOS_PER_TICK = 1_000_000_000L / 100;

	/** Whether the process with this pid and start time (nanoseconds since boot, as the readers report it) lives. */
	public static boolean alive(int pid, long startTimeNanos) {
		Task now = task(pid);
		return now != null && now.start() == startTimeNanos / NANOS_PER_TICK;
	}

	/** Whether the process ignores this signal now (SigIgn of /proc/PID/status); false when it is gone. */
	public static boolean ignores(int pid, int signal) {
		try {
			for (String line : Files.readAllLines(Path.of("/proc", Integer.toString(pid), "status"))) {
				if (line.startsWith("SigIgn:")) {
					return (Long.parseUnsignedLong(line.substring(7).trim(), 16) & (1L << (signal - 1))) != 0;
				}
			}
		} catch (IOException | RuntimeException e) {
			// gone
		}
		return false;
	}

	/**
	 * Whether this JVM holds a pidfd of the process (a "Pid:" line in /proc/self/fdinfo, Linux 5.3+):
	 * proof that a reader in this framework tracks its exit, without asking the reader.
	 */
	public static boolean pidfdHeldFor(long pid) {
		String line = "Pid:\t" + pid;
		try (DirectoryStream<Path> fds = Files.newDirectoryStream(Path.of("/proc/self/fdinfo"))) {
			for (Path fd : fds) {
				try {
					if (Files.readAllLines(fd).contains(line)) {
						return true;
					}
				} catch (IOException | RuntimeException e) {
					// closed meanwhile
				}
			}
		} catch (IOException e) {
			throw new IllegalStateException(e);
		}
		return false;
	}

	/** Live children of a pid. */
	public static Set<Integer> children(int parent) {
		Set<Integer> pids = new TreeSet<>();
		for (int pid : allPids()) {
			Task t = task(pid);
			if (t != null && t.ppid() == parent) {
				pids.add(pid);
			}
		}
		return pids;
	}

	/** Live processes whose command line holds this text (a test's temporary directory: only its own). */
	public static Set<Integer> withCommandLineContaining(String text) {
		Set<Integer> pids = new TreeSet<>();
		for (int pid : allPids()) {
			try {
				String cmdline = new String(Files.readAllBytes(Path.of("/proc", Integer.toString(pid), "cmdline")),
						StandardCharsets.UTF_8);
				if (cmdline.contains(text) && task(pid) != null) {
					pids.add(pid);
				}
			} catch (IOException e) {
				// gone meanwhile
			}
		}
		return pids;
	}

	/** Every pid in /proc now. */
	public static List<Integer> allPids() {
		List<Integer> pids = new ArrayList<>();
		try (DirectoryStream<Path> dirs = Files.newDirectoryStream(Path.of("/proc"), "[0-9]*")) {
			dirs.forEach(d -> pids.add(Integer.parseInt(d.getFileName().toString())));
		} catch (IOException e) {
			throw new IllegalStateException(e);
		}
		return pids;
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
