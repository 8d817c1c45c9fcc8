package io.pidwatcher.watchdog.internal;

import io.pidwatcher.api.reader.TaskId;

import java.io.IOException;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Instant;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.TreeMap;

/**
 * What a later runtime needs to adopt the running trees exactly ({@code var/watchdog/state.properties}):
 * per module the main task, the run's instance id and start, the restart count and the tracked
 * tasks that no longer carry the tag. Written whole to a temporary file and renamed, so a kill -9
 * leaves either the old or the new version.
 */
final class StateFile {

	/** One module's remembered run. */
	record Entry(TaskId main, String instance, Instant startedAt, int restarts, Set<TaskId> untagged, boolean stopped) {
	}

	private final Path file;
	private final WriteTrouble trouble;
	private final Map<String, Entry> entries = new TreeMap<>();
	private String lastWritten = "";
	private boolean failing;

	StateFile(Path file, WriteTrouble trouble) {
		this.file = file;
		this.trouble = trouble;
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
				Set<TaskId> untagged = new HashSet<>();
				for (String id : m.getOrDefault("untagged", "").split(",")) {
					TaskId t = parse(id);
					if (t != null) {
						untagged.add(t);
					}
				}
				entries.put(module, new Entry(parse(m.get("main")), m.getOrDefault("instance", ""),
						m.containsKey("started") ? Instant.parse(m.get("started")) : null,
						Integer.parseInt(m.getOrDefault("restarts", "0")), untagged,
						Boolean.parseBoolean(m.getOrDefault("stopped", "false"))));
			} catch (RuntimeException e) {
				// an unreadable entry only costs an exact adoption
			}
		});
		return Map.copyOf(entries);
	}

	synchronized void put(String module, Entry entry) {
		if (entry == null) {
			entries.remove(module);
		} else {
			entries.put(module, entry);
		}
		write();
	}

	/**
	 * Writes what could not be written before (the disk was full). Without it a change made while
	 * the disk was full (a stop by request) reached the disk only with the next change, and a
	 * runtime started after a kill in between started the stopped module again.
	 */
	synchronized void retry() {
		if (failing) {
			write();
		}
	}

	private void write() {
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
		});
		String text = b.toString();
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

	private static String format(TaskId t) {
		return t.pid() + "@" + t.startTimeNanos();
	}

	private static TaskId parse(String s) {
		if (s == null || s.isBlank()) {
			return null;
		}
		int at = s.indexOf('@');
		return new TaskId(Integer.parseInt(s.substring(0, at).trim()), Long.parseLong(s.substring(at + 1).trim()));
	}
}
