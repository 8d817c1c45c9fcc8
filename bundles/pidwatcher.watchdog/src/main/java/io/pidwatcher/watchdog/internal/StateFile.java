package io.pidwatcher.watchdog.internal;

import io.pidwatcher.api.reader.TaskId;
import io.pidwatcher.api.supervisor.Failure;
import io.pidwatcher.api.supervisor.ModuleState;

import java.io.IOException;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.OptionalInt;
import java.util.Properties;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.Executor;

/**
 * What a later runtime needs to adopt the running trees exactly ({@code var/watchdog/state.properties}):
 * per module the main task, the run's instance id and start, the restart count and the tracked
 * tasks that no longer carry the tag. Written whole to a temporary file and renamed, so a kill -9
 * leaves either the old or the new version.
 */
final class StateFile {

	/**
	 * One module's remembered run, and where its lifecycle stood: {@code state} is the state to come
	 * back in when no tree runs (failed, waiting or gave up; null when a running or stopped module
	 * needs nothing more), {@code failures} the history strategies decide on, {@code pending} whether
	 * the last failure still waits for its decision, {@code restartAt} when a waiting module is due.
	 * {@code released} are the tasks released from the module on request (pw:release): the next
	 * runtime leaves them alone too.
	 * Files of the previous version have none of these (they read as null, empty and false); keys the
	 * previous version does not know are ignored by it.
	 */
	record Entry(TaskId main, String instance, Instant startedAt, int restarts, Set<TaskId> untagged, boolean stopped,
			ModuleState state, Instant lastStartedAt, List<Failure> failures, boolean pending, Instant restartAt,
			Set<TaskId> released) {

		Entry(TaskId main, String instance, Instant startedAt, int restarts, Set<TaskId> untagged, boolean stopped) {
			this(main, instance, startedAt, restarts, untagged, stopped, null, null, List.of(), false, null);
		}

		Entry(TaskId main, String instance, Instant startedAt, int restarts, Set<TaskId> untagged, boolean stopped,
				ModuleState state, Instant lastStartedAt, List<Failure> failures, boolean pending, Instant restartAt) {
			this(main, instance, startedAt, restarts, untagged, stopped, state, lastStartedAt, failures, pending, restartAt,
					Set.of());
		}
	}

	private final Path file;
	private final WriteTrouble trouble;
	/** Where changes are written: the watchdog's recorder thread, off the lock that exit events need. */
	private final Executor writer;
	/** Guarded by this (short: map updates only). */
	private final Map<String, Entry> entries = new TreeMap<>();
	private boolean writeScheduled;
	/** Guards the file and the fields below it; taken without this object's monitor held. */
	private final Object fileLock = new Object();
	private String lastWritten = "";
	private boolean failing;

	StateFile(Path file, WriteTrouble trouble) {
		this(file, trouble, Runnable::run);
	}

	StateFile(Path file, WriteTrouble trouble, Executor writer) {
		this.file = file;
		this.trouble = trouble;
		this.writer = writer;
	}

	synchronized Map<String, Entry> load() {
		entries.clear();
		if (!Files.isRegularFile(file)) {
			return Map.of();
		}
		Properties p = new Properties();
		try (Reader r = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
			p.load(r);
		} catch (IOException | IllegalArgumentException e) {
			return Map.of();
		}
		Map<String, Map<String, String>> byModule = new HashMap<>();
		for (String key : p.stringPropertyNames()) {
			int dot = key.lastIndexOf('.');
			if (dot > 0) {
				byModule.computeIfAbsent(key.substring(0, dot), k -> new HashMap<>()).put(key.substring(dot + 1),
						p.getProperty(key));
			}
		}
		byModule.forEach((module, m) -> {
			try {
				Set<TaskId> untagged = taskIds(m.get("untagged"));
				Set<TaskId> released = taskIds(m.get("released"));
				List<Failure> failures = new ArrayList<>();
				int count = Integer.parseInt(m.getOrDefault("failures", "0"));
				for (int i = 0; i < count; i++) {
					Failure f = parseFailure(m.get("failure" + i));
					if (f != null) {
						failures.add(f);
					}
				}
				entries.put(module, new Entry(parse(m.get("main")), m.getOrDefault("instance", ""),
						instant(m.get("started")), Integer.parseInt(m.getOrDefault("restarts", "0")), untagged,
						Boolean.parseBoolean(m.getOrDefault("stopped", "false")), state(m.get("state")),
						instant(m.get("lastStarted")), List.copyOf(failures),
						Boolean.parseBoolean(m.getOrDefault("pending", "false")), instant(m.get("restartAt")),
						Set.copyOf(released)));
			} catch (RuntimeException e) {
				// an unreadable entry only costs an exact adoption
			}
		});
		return Map.copyOf(entries);
	}

	/** Records a change; the file is written on the writer, later (see {@link #flush()}). */
	synchronized void put(String module, Entry entry) {
		if (entry == null) {
			entries.remove(module);
		} else {
			entries.put(module, entry);
		}
		if (!writeScheduled) {
			writeScheduled = true;
			writer.execute(this::flush);
		}
	}

	/**
	 * Writes what could not be written before (the disk was full). Without it a change made while
	 * the disk was full (a stop by request) reached the disk only with the next change, and a
	 * runtime started after a kill in between started the stopped module again.
	 */
	void retry() {
		boolean again;
		synchronized (fileLock) {
			again = failing;
		}
		if (again) {
			flush();
		}
	}

	/**
	 * Writes the latest version now, on the calling thread (never with the watchdog's lock held).
	 * Called before a process is started and before a stop by request touches a tree: what a later
	 * runtime reads is never older than the trees it finds.
	 */
	void flush() {
		synchronized (fileLock) {
			String text;
			synchronized (this) {
				writeScheduled = false;
				text = render();
			}
			write(text);
		}
	}

	private String render() {
		StringBuilder b = new StringBuilder("# pidwatcher watchdog state, for adoption after a restart. Rewritten whole.\n");
		entries.forEach((module, e) -> {
			if (e.main() != null) {
				b.append(module).append(".main=").append(format(e.main())).append('\n');
			}
			b.append(module).append(".instance=").append(e.instance()).append('\n');
			if (e.startedAt() != null) {
				b.append(module).append(".started=").append(e.startedAt()).append('\n');
			}
			b.append(module).append(".restarts=").append(e.restarts()).append('\n');
			b.append(module).append(".stopped=").append(e.stopped()).append('\n');
			StringBuilder u = new StringBuilder();
			e.untagged().stream().limit(500).forEach(t -> u.append(u.length() == 0 ? "" : ",").append(format(t)));
			b.append(module).append(".untagged=").append(u).append('\n');
			if (!e.released().isEmpty()) {
				StringBuilder r = new StringBuilder();
				e.released().stream().limit(500).forEach(t -> r.append(r.length() == 0 ? "" : ",").append(format(t)));
				b.append(module).append(".released=").append(r).append('\n');
			}
			if (e.state() != null) {
				b.append(module).append(".state=").append(e.state().name()).append('\n');
			}
			if (e.lastStartedAt() != null) {
				b.append(module).append(".lastStarted=").append(e.lastStartedAt()).append('\n');
			}
			if (e.pending()) {
				b.append(module).append(".pending=true\n");
			}
			if (e.restartAt() != null) {
				b.append(module).append(".restartAt=").append(e.restartAt()).append('\n');
			}
			if (!e.failures().isEmpty()) {
				b.append(module).append(".failures=").append(e.failures().size()).append('\n');
				for (int i = 0; i < e.failures().size(); i++) {
					b.append(module).append(".failure").append(i).append('=').append(escape(format(e.failures().get(i))))
							.append('\n');
				}
			}
		});
		return b.toString();
	}

	private void write(String text) {
		if (text.equals(lastWritten)) {
			return;
		}
		try {
			Files.createDirectories(file.getParent());
			Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
			// Unbuffered: a failed write closes the file at once (a buffered writer that cannot
			// flush on close left its descriptor open, one per failed write).
			Files.write(tmp, text.getBytes(StandardCharsets.UTF_8));
			Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
			lastWritten = text;
			if (failing) {
				failing = false;
				trouble.writtenAgain("the adoption state", file, "");
			}
		} catch (IOException e) {
			if (!failing) {
				failing = true;
				trouble.cannotWrite("the adoption state", file, e, "it keeps its last complete version; a runtime "
						+ "started after a kill adopts from that one (a stop made meanwhile is not in it), by the tag "
						+ "where it is out of date");
			}
		}
	}

	/** "at KIND status reason", the status "-" when unknown; the reason last, since it may hold spaces. */
	private static String format(Failure f) {
		return f.at() + " " + f.kind().name() + " " + (f.exitStatus().isPresent() ? f.exitStatus().getAsInt() : "-")
				+ " " + f.reason();
	}

	private static Failure parseFailure(String s) {
		if (s == null) {
			return null;
		}
		String[] parts = s.split(" ", 4);
		if (parts.length < 4) {
			return null;
		}
		return new Failure(Instant.parse(parts[0]), Failure.Kind.valueOf(parts[1]), parts[3],
				parts[2].equals("-") ? OptionalInt.empty() : OptionalInt.of(Integer.parseInt(parts[2])));
	}

	/** Escapes a value as Properties.load reads it (a reason may hold newlines or backslashes). */
	private static String escape(String value) {
		StringBuilder b = new StringBuilder();
		for (char c : value.toCharArray()) {
			switch (c) {
				case '\\' -> b.append("\\\\");
				case '\n' -> b.append("\\n");
				case '\r' -> b.append("\\r");
				case '\t' -> b.append("\\t");
				default -> {
					if (c < 0x20 || c > 0x7e) {
						b.append(String.format("\\u%04x", (int) c));
					} else {
						b.append(c);
					}
				}
			}
		}
		return b.toString();
	}

	private static Instant instant(String s) {
		return s == null || s.isBlank() ? null : Instant.parse(s.trim());
	}

	private static ModuleState state(String s) {
		return s == null || s.isBlank() ? null : ModuleState.valueOf(s.trim());
	}

	private static String format(TaskId t) {
		return t.pid() + "@" + t.startTimeNanos();
	}

	private static Set<TaskId> taskIds(String list) {
		Set<TaskId> ids = new HashSet<>();
		for (String id : (list == null ? "" : list).split(",")) {
			TaskId t = parse(id);
			if (t != null) {
				ids.add(t);
			}
		}
		return ids;
	}

	private static TaskId parse(String s) {
		if (s == null || s.isBlank()) {
			return null;
		}
		int at = s.indexOf('@');
		return new TaskId(Integer.parseInt(s.substring(0, at).trim()), Long.parseLong(s.substring(at + 1).trim()));
	}
}
