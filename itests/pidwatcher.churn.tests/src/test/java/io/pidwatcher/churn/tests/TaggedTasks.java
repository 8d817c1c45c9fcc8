package io.pidwatcher.churn.tests;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * One pass over /proc: every live task carrying the tag, with the instance variable the watchdog
 * gives each start. The test's own eyes: it does not ask the runtime's reader.
 */
final class TaggedTasks {

	static final String TAG = "PIDWATCHER_MODULE=";
	static final String INSTANCE = "PIDWATCHER_INSTANCE=";

	/** A task for its whole life (pid and start time in clock ticks), and the start it belongs to. */
	record Task(int pid, int ppid, long start, String instance) {
		String id() {
			return pid + "@" + start;
		}
	}

	private TaggedTasks() {
	}

	/** Live (not zombie) tagged tasks by module name. */
	static Map<String, List<Task>> scan() {
		Map<String, List<Task>> byModule = new HashMap<>();
		try (DirectoryStream<Path> dirs = Files.newDirectoryStream(Path.of("/proc"), "[0-9]*")) {
			for (Path dir : dirs) {
				try {
					String env = new String(Files.readAllBytes(dir.resolve("environ")), StandardCharsets.ISO_8859_1);
					String module = null;
					String instance = "";
					for (String entry : env.split("\0")) {
						if (entry.startsWith(TAG)) {
							module = entry.substring(TAG.length());
						} else if (entry.startsWith(INSTANCE)) {
							instance = entry.substring(INSTANCE.length());
						}
					}
					if (module == null) {
						continue;
					}
					String stat = Files.readString(dir.resolve("stat"));
					String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
					if (f[0].equals("Z") || f[0].equals("X")) {
						continue;
					}
					byModule.computeIfAbsent(module, k -> new ArrayList<>()).add(new Task(
							Integer.parseInt(dir.getFileName().toString()), Integer.parseInt(f[1]), Long.parseLong(f[19]),
							instance));
				} catch (IOException | RuntimeException e) {
					// gone meanwhile
				}
			}
		} catch (IOException e) {
			throw new IllegalStateException(e);
		}
		return byModule;
	}
}
