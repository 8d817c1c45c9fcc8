package io.pidwatcher.reliability.tests;

import io.pidwatcher.testing.Proc;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Running instances of several modules from one pass over /proc (a pass per module made the
 * duplicate sampler too slow to sample often): per module, the tagged processes whose parent is
 * not tagged by the same module. More than one is a module started twice.
 */
final class MainProcesses {

	private static final String TAG = "PIDWATCHER_MODULE=";

	private MainProcesses() {
	}

	static Map<String, Integer> count(Collection<String> modules) {
		Map<String, List<Proc.Task>> tagged = new HashMap<>();
		try (DirectoryStream<Path> dirs = Files.newDirectoryStream(Path.of("/proc"), "[0-9]*")) {
			for (Path dir : dirs) {
				try {
					String module = tag(Files.readAllBytes(dir.resolve("environ")));
					if (module != null && modules.contains(module)) {
						Proc.Task t = Proc.task(Integer.parseInt(dir.getFileName().toString()));
						if (t != null) {
							tagged.computeIfAbsent(module, k -> new ArrayList<>()).add(t);
						}
					}
				} catch (IOException | RuntimeException e) {
					// gone
				}
			}
		} catch (IOException e) {
			throw new IllegalStateException(e);
		}
		Map<String, Integer> counts = new TreeMap<>();
		for (String m : modules) {
			List<Proc.Task> tasks = tagged.getOrDefault(m, List.of());
			counts.put(m, (int) tasks.stream().filter(t -> tasks.stream().noneMatch(p -> p.pid() == t.ppid())).count());
		}
		return counts;
	}

	private static String tag(byte[] env) {
		int start = 0;
		for (int i = 0; i <= env.length; i++) {
			if (i == env.length || env[i] == 0) {
				if (i - start > TAG.length() && new String(env, start, TAG.length(), java.nio.charset.StandardCharsets.UTF_8).equals(TAG)) {
					return new String(env, start + TAG.length(), i - start - TAG.length(), java.nio.charset.StandardCharsets.UTF_8);
				}
				start = i + 1;
			}
		}
		return null;
	}
}
