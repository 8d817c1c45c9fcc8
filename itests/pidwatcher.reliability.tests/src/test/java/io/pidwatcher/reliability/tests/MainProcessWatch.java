package io.pidwatcher.reliability.tests;

import io.pidwatcher.testing.Proc;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Stream;

/**
 * The main processes of the modules, seen from outside: the runtime JVM's direct children that
 * carry a module's tag, read from /proc every {@code every} milliseconds. It keeps every main
 * process each module had (by pid and start time, with when it was first seen), the moments a
 * module had more than one at once (a duplicate instance), and how long each module went
 * without one. Cheap enough to run often: it reads the JVM's children lists and the stat of
 * ~200 processes, and a process's environment only until its tag is known.
 */
final class MainProcessWatch implements Runnable {

	/** A main process: pid and start time identify it for its whole life. */
	record Main(int pid, long start, long firstSeenNanos) {

		boolean alive() {
			return Proc.alive(new Proc.Task(pid, 0, start));
		}

		boolean sameProcess(Main other) {
			return pid == other.pid && start == other.start;
		}
	}

	/** A moment when a module had more than one main process. */
	record Duplicate(long atNanos, String module, List<Main> mains) {
	}

	private final long runtimePid;
	private final Set<String> modules;
	private final long everyMillis;
	private final Map<String, List<Main>> history = new ConcurrentHashMap<>();
	private final Map<String, Main> current = new ConcurrentHashMap<>();
	private final Map<String, Long> absentSince = new ConcurrentHashMap<>();
	private final Map<String, Long> longestAbsenceNanos = new ConcurrentHashMap<>();
	private final List<Duplicate> duplicates = java.util.Collections.synchronizedList(new ArrayList<>());
	/** pid@start to module, for processes whose tag was read once (a process cannot change its initial environment). */
	private final Map<String, String> tagOf = new HashMap<>();
	private volatile boolean stopped;
	private volatile long samples;
	private volatile long longestGapNanos;

	MainProcessWatch(long runtimePid, Collection<String> modules, long everyMillis) {
		this.runtimePid = runtimePid;
		this.modules = Set.copyOf(modules);
		this.everyMillis = everyMillis;
		for (String m : modules) {
			history.put(m, java.util.Collections.synchronizedList(new ArrayList<>()));
		}
	}

	@Override
	public void run() {
		long last = System.nanoTime();
		while (!stopped) {
			sample();
			long now = System.nanoTime();
			longestGapNanos = Math.max(longestGapNanos, now - last);
			last = now;
			samples++;
			try {
				Thread.sleep(everyMillis);
			} catch (InterruptedException e) {
				return;
			}
		}
	}

	void stop() {
		stopped = true;
	}

	private void sample() {
		long now = System.nanoTime();
		Map<String, List<Main>> seen = new HashMap<>();
		for (int pid : children(runtimePid)) {
			Proc.Task t = Proc.task(pid);
			if (t == null) {
				continue; // gone, or a zombie the JDK has not reaped yet: not running
			}
			String key = pid + "@" + t.start();
			String module = tagOf.get(key);
			if (module == null) {
				// an untagged child may still be the JDK's spawn helper before its exec: read again next time
				module = tag(pid);
				if (module == null || !modules.contains(module)) {
					continue;
				}
				tagOf.put(key, module);
			}
			seen.computeIfAbsent(module, m -> new ArrayList<>()).add(new Main(pid, t.start(), now));
		}
		for (String module : modules) {
			List<Main> mains = seen.get(module);
			if (mains == null) {
				current.remove(module);
				if (!history.get(module).isEmpty()) { // absent after its first start, not before it
					absentSince.putIfAbsent(module, now);
				}
				continue;
			}
			Long since = absentSince.remove(module);
			if (since != null) {
				longestAbsenceNanos.merge(module, now - since, Math::max);
			}
			if (mains.size() > 1) {
				duplicates.add(new Duplicate(now, module, mains));
			}
			List<Main> known = history.get(module);
			for (Main m : mains) {
				if (known.stream().noneMatch(m::sameProcess)) {
					known.add(m);
				}
			}
			current.put(module, known.stream().filter(k -> k.sameProcess(mains.get(0))).findFirst().orElseThrow());
		}
	}

	/** The direct children of a process, from every thread's children list (a child belongs to the thread that forked it). */
	static List<Integer> children(long pid) {
		List<Integer> children = new ArrayList<>();
		try (Stream<Path> tasks = Files.list(Path.of("/proc", Long.toString(pid), "task"))) {
			for (Path task : tasks.toList()) {
				try {
					for (String c : Files.readString(task.resolve("children")).trim().split(" ")) {
						if (!c.isEmpty()) {
							children.add(Integer.parseInt(c));
						}
					}
				} catch (IOException | RuntimeException e) {
					// the thread ended
				}
			}
		} catch (IOException e) {
			// the process is gone
		}
		return children;
	}

	/** The value of PIDWATCHER_MODULE in a process's environment, or null. */
	static String tag(int pid) {
		try {
			byte[] env = Files.readAllBytes(Path.of("/proc", Integer.toString(pid), "environ"));
			for (String entry : new String(env, StandardCharsets.UTF_8).split("\0")) {
				if (entry.startsWith("PIDWATCHER_MODULE=")) {
					return entry.substring("PIDWATCHER_MODULE=".length());
				}
			}
		} catch (IOException e) {
			// gone
		}
		return null;
	}

	Optional<Main> current(String module) {
		return Optional.ofNullable(current.get(module));
	}

	List<Main> history(String module) {
		synchronized (history.get(module)) {
			return List.copyOf(history.get(module));
		}
	}

	/** The first main process of the module seen after {@code afterNanos} that is not {@code old}. */
	Optional<Main> successor(String module, Main old, long afterNanos) {
		return history(module).stream().filter(m -> !m.sameProcess(old) && m.firstSeenNanos() > afterNanos).findFirst();
	}

	List<Duplicate> duplicates() {
		synchronized (duplicates) {
			return List.copyOf(duplicates);
		}
	}

	/** The longest time the module had no main process, counting an absence still going on. */
	long longestAbsenceNanos(String module) {
		Long since = absentSince.get(module);
		long ongoing = since == null ? 0 : System.nanoTime() - since;
		return Math.max(ongoing, longestAbsenceNanos.getOrDefault(module, 0L));
	}

	long samples() {
		return samples;
	}

	long longestGapNanos() {
		return longestGapNanos;
	}
}
