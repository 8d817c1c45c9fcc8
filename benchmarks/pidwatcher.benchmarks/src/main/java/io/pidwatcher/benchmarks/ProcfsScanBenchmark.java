package io.pidwatcher.benchmarks;

import io.pidwatcher.api.reader.ProcessReader;
import io.pidwatcher.api.reader.ScanScope;
import io.pidwatcher.reader.procfs.internal.ProcfsReader;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Scan cost of the /proc reader against procps {@code ps e}, side by side on the same processes.
 * For each size it spawns that many sleepers (half of them tagged), then times repeated scans of
 * both, and prints medians. Usage: {@code ProcfsScanBenchmark [sizes...] [--runs N]}.
 */
public final class ProcfsScanBenchmark {

	private static final String MODULE = "bench";

	private ProcfsScanBenchmark() {
	}

	public static void main(String[] args) throws Exception {
		List<Integer> sizes = new ArrayList<>();
		int runs = 15;
		for (int i = 0; i < args.length; i++) {
			if (args[i].equals("--runs")) {
				runs = Integer.parseInt(args[++i]);
			} else {
				sizes.add(Integer.parseInt(args[i]));
			}
		}
		if (sizes.isEmpty()) {
			sizes = List.of(100, 1000, 5000);
		}
		ProcessReader reader = new ProcfsReader();
		System.out.printf("procfs reader vs `ps -e -o pid,ppid,stat,comm e`, median of %d runs, %d cores%n%n", runs,
				Runtime.getRuntime().availableProcessors());
		System.out.printf("%8s %9s %8s | %12s %12s | %12s %12s | %8s%n", "spawned", "in /proc", "tagged",
				"procfs ms", "procfs us/t", "ps ms", "ps us/task", "ps/procfs");
		for (int size : sizes) {
			List<Process> spawners = spawn(size);
			try {
				warmUp(reader);
				long[] procfs = new long[runs];
				long[] ps = new long[runs];
				int tagged = 0;
				for (int r = 0; r < runs; r++) {
					// Interleave the two so machine noise hits both alike.
					long t0 = System.nanoTime();
					tagged = reader.scan(ScanScope.tagged()).tasks().size();
					procfs[r] = System.nanoTime() - t0;
					ps[r] = timePs();
				}
				int inProc = countProc();
				double procfsMs = median(procfs) / 1e6;
				double psMs = median(ps) / 1e6;
				System.out.printf("%8d %9d %8d | %12.2f %12.2f | %12.2f %12.2f | %7.2fx%n", size, inProc, tagged,
						procfsMs, procfsMs * 1000 / inProc, psMs, psMs * 1000 / inProc, psMs / procfsMs);
			} finally {
				for (Process spawner : spawners) {
					spawner.descendants().forEach(ProcessHandle::destroyForcibly);
					spawner.destroyForcibly();
					spawner.waitFor();
				}
			}
		}
		System.out.println("\nprocfs: the Java /proc reader's tagged scan (reads environ of every process, stat and status"
				+ " of tagged ones).\nps: the whole `ps` run, fork and exec included, which prints every process with its environment.");
	}

	/** Starts size/2 tagged and size/2 untagged sleepers under two shells, and waits until all are up. */
	private static List<Process> spawn(int size) throws Exception {
		int before = countProc();
		List<Process> spawners = new ArrayList<>();
		for (boolean tag : new boolean[] { true, false }) {
			int n = tag ? size / 2 : size - size / 2;
			ProcessBuilder builder = new ProcessBuilder("sh", "-c",
					"i=0; while [ $i -lt " + n + " ]; do sleep 3600 & i=$((i+1)); done; wait")
					.redirectOutput(ProcessBuilder.Redirect.DISCARD).redirectErrorStream(true);
			builder.environment().remove(ProcessReader.DEFAULT_TAG_NAME);
			if (tag) {
				builder.environment().put(ProcessReader.DEFAULT_TAG_NAME, MODULE);
			}
			spawners.add(builder.start());
		}
		long deadline = System.currentTimeMillis() + 120_000;
		while (countProc() < before + size && System.currentTimeMillis() < deadline) {
			Thread.sleep(200);
		}
		Thread.sleep(500); // let the last exec()s finish, so comm and environ are final
		return spawners;
	}

	private static void warmUp(ProcessReader reader) throws Exception {
		for (int i = 0; i < 3; i++) {
			reader.scan(ScanScope.tagged());
			timePs();
		}
	}

	private static long timePs() throws IOException, InterruptedException {
		long t0 = System.nanoTime();
		Process ps = new ProcessBuilder("ps", "-e", "-o", "pid,ppid,stat,comm", "e")
				.redirectOutput(ProcessBuilder.Redirect.DISCARD).redirectErrorStream(true).start();
		ps.waitFor();
		return System.nanoTime() - t0;
	}

	private static int countProc() throws IOException {
		try (var entries = Files.list(Path.of("/proc"))) {
			return (int) entries.filter(p -> p.getFileName().toString().chars().allMatch(Character::isDigit)).count();
		}
	}

	private static double median(long[] values) {
		long[] sorted = values.clone();
		Arrays.sort(sorted);
		return sorted.length % 2 == 1 ? sorted[sorted.length / 2]
				: (sorted[sorted.length / 2 - 1] + sorted[sorted.length / 2]) / 2.0;
	}
}
