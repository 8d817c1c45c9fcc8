import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * The watchdog benchmark (run by scripts/bench-watchdog): starts the exported runtime jar with a
 * temporary home and measures, from outside, with /proc only:
 *
 *   1. restart latency: SIGKILL the module's process, then time until a new process carrying the
 *      module's tag exists (it has been exec'd with the tag), with strategy fixed, strategy.delay=0;
 *      50 deaths, median and spread;
 *   2. idle cost: the runtime's CPU (utime+stime of the JVM) over a window and its RSS while it
 *      watches 50 modules at interval=1s.
 *
 * usage: java BenchWatchdog.java RUNTIME_JAR PWTEST [DEATHS] [MODULES] [IDLE_SECONDS] [JVM_OPTION...]
 */
public class BenchWatchdog {

	static final long CLK_TCK = 100; // USER_HZ

	public static void main(String[] a) throws Exception {
		Path jar = Path.of(a[0]).toAbsolutePath();
		String pwtest = a[1];
		int deaths = a.length > 2 ? Integer.parseInt(a[2]) : 50;
		int count = a.length > 3 ? Integer.parseInt(a[3]) : 50;
		int idleSeconds = a.length > 4 ? Integer.parseInt(a[4]) : 30;
		List<String> jvmOptions = a.length > 5 ? Arrays.asList(a).subList(5, a.length) : List.of();

		System.out.printf("machine: %d CPUs, %s; JVM options: %s%n", Runtime.getRuntime().availableProcessors(),
				Files.readAllLines(Path.of("/proc/cpuinfo")).stream().filter(l -> l.startsWith("model name")).findFirst()
						.orElse("?").replaceAll(".*:\\s*", ""), jvmOptions.isEmpty() ? "(none)" : jvmOptions);

		// 1. restart latency
		Path home = Files.createTempDirectory("pw-bench");
		Files.createDirectories(home.resolve("etc"));
		String module = "bench" + ProcessHandle.current().pid();
		Files.writeString(home.resolve("etc/pidwatcher.module-" + module + ".cfg"),
				"command=" + pwtest + " sleep 3600\ninterval=1s\nstrategy=fixed\nstrategy.delay=0\n");
		Process runtime = start(jar, home, jvmOptions);
		List<Double> millis = new ArrayList<>();
		try {
			int pid = waitForTagged(module, Set.of(), 30_000);
			for (int i = 0; i < deaths; i++) {
				Set<Integer> before = pids();
				long t0 = System.nanoTime();
				ProcessHandle.of(pid).orElseThrow().destroyForcibly();
				int next = waitForTagged(module, before, 10_000);
				millis.add((System.nanoTime() - t0) / 1e6);
				pid = next;
				Thread.sleep(300); // let the new run settle (scan, RUNNING) before the next death
			}
		} finally {
			stopAll(runtime, home, List.of(module));
		}
		Collections.sort(millis);
		System.out.println();
		System.out.println("restart latency, /proc reader, strategy fixed delay 0 (SIGKILL -> new tagged process exists)");
		System.out.printf("  %-8s %8s %8s %8s %8s %8s%n", "deaths", "min", "median", "p90", "max", "mean");
		System.out.printf("  %-8d %6.1fms %6.1fms %6.1fms %6.1fms %6.1fms%n", millis.size(), millis.get(0),
				pct(millis, 50), pct(millis, 90), millis.get(millis.size() - 1),
				millis.stream().mapToDouble(Double::doubleValue).average().orElse(0));

		// 2. idle cost with many modules
		Path home2 = Files.createTempDirectory("pw-bench-idle");
		Files.createDirectories(home2.resolve("etc"));
		List<String> names = new ArrayList<>();
		for (int i = 0; i < count; i++) {
			String name = "idle" + ProcessHandle.current().pid() + "n" + i;
			names.add(name);
			Files.writeString(home2.resolve("etc/pidwatcher.module-" + name + ".cfg"),
					"command=" + pwtest + " sleep 3600\ninterval=1s\n");
		}
		Process runtime2 = start(jar, home2, jvmOptions);
		try {
			long deadline = System.currentTimeMillis() + 60_000;
			while (countTagged(names) < count) {
				if (System.currentTimeMillis() > deadline) {
					throw new IllegalStateException("only " + countTagged(names) + " of " + count + " modules started");
				}
				Thread.sleep(200);
			}
			Thread.sleep(60_000); // start-up and JIT compilation settle: idle means steady state
			long cpu0 = cpuTicks(runtime2.pid());
			long t0 = System.nanoTime();
			Thread.sleep(idleSeconds * 1000L);
			long cpu1 = cpuTicks(runtime2.pid());
			double seconds = (System.nanoTime() - t0) / 1e9;
			double percent = 100.0 * (cpu1 - cpu0) / CLK_TCK / seconds;
			System.out.println();
			System.out.printf("idle runtime watching %d modules at interval=1s, over %.0f s%n", count, seconds);
			System.out.printf("  CPU %.2f%% of one core (%d ticks of 10 ms), RSS %s, threads %s%n", percent, cpu1 - cpu0,
					status(runtime2.pid(), "VmRSS"), status(runtime2.pid(), "Threads"));
		} finally {
			stopAll(runtime2, home2, names);
		}
	}

	static Process start(Path jar, Path home, List<String> jvmOptions) throws IOException {
		List<String> cmd = new ArrayList<>(List.of("java"));
		cmd.addAll(jvmOptions);
		cmd.addAll(List.of("-Dpidwatcher.home=" + home, "-Dgosh.args=--nointeractive", "-jar", jar.toString()));
		return new ProcessBuilder(cmd).directory(home.toFile())
				.redirectOutput(ProcessBuilder.Redirect.appendTo(home.resolve("runtime.out").toFile()))
				.redirectErrorStream(true).redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null"))).start();
	}

	/** Deletes the module files (the runtime stops the trees), then stops the runtime. */
	static void stopAll(Process runtime, Path home, List<String> names) throws Exception {
		try (DirectoryStream<Path> cfgs = Files.newDirectoryStream(home.resolve("etc"), "*.cfg")) {
			for (Path cfg : cfgs) {
				Files.delete(cfg);
			}
		}
		long deadline = System.currentTimeMillis() + 30_000;
		while (countTagged(names) > 0 && System.currentTimeMillis() < deadline) {
			Thread.sleep(200);
		}
		runtime.destroy();
		runtime.waitFor();
		try (var files = Files.walk(home)) {
			files.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
		}
		for (String n : names) { // whatever the runtime left behind
			for (int pid : tagged(n)) {
				ProcessHandle.of(pid).ifPresent(ProcessHandle::destroyForcibly);
			}
		}
	}

	static double pct(List<Double> sorted, int p) {
		return sorted.get(Math.min(sorted.size() - 1, (int) Math.ceil(p / 100.0 * sorted.size()) - 1));
	}

	static Set<Integer> pids() throws IOException {
		Set<Integer> pids = new HashSet<>();
		try (DirectoryStream<Path> dirs = Files.newDirectoryStream(Path.of("/proc"), "[0-9]*")) {
			for (Path d : dirs) {
				pids.add(Integer.parseInt(d.getFileName().toString()));
			}
		}
		return pids;
	}

	/** Waits for a process tagged with the module whose pid is not in {@code known}. */
	static int waitForTagged(String module, Set<Integer> known, long timeoutMillis) throws Exception {
		byte[] entry = ("PIDWATCHER_MODULE=" + module).getBytes(StandardCharsets.UTF_8);
		long deadline = System.nanoTime() + timeoutMillis * 1_000_000;
		while (System.nanoTime() < deadline) {
			for (int pid : pids()) {
				if (!known.contains(pid) && hasTag(pid, entry)) {
					return pid;
				}
			}
			Thread.sleep(0, 200_000);
		}
		throw new IllegalStateException("no new process tagged " + module);
	}

	static List<Integer> tagged(String module) throws IOException {
		byte[] entry = ("PIDWATCHER_MODULE=" + module).getBytes(StandardCharsets.UTF_8);
		List<Integer> out = new ArrayList<>();
		for (int pid : pids()) {
			if (hasTag(pid, entry)) {
				out.add(pid);
			}
		}
		return out;
	}

	static int countTagged(List<String> names) throws IOException {
		int n = 0;
		for (String name : names) {
			n += tagged(name).isEmpty() ? 0 : 1;
		}
		return n;
	}

	static boolean hasTag(int pid, byte[] entry) {
		try {
			byte[] env = Files.readAllBytes(Path.of("/proc", Integer.toString(pid), "environ"));
			int start = 0;
			for (int i = 0; i <= env.length; i++) {
				if (i == env.length || env[i] == 0) {
					if (i - start == entry.length && Arrays.equals(env, start, i, entry, 0, entry.length)) {
						return true;
					}
					start = i + 1;
				}
			}
		} catch (IOException e) {
			// gone
		}
		return false;
	}

	static long cpuTicks(long pid) throws IOException {
		String stat = Files.readString(Path.of("/proc/" + pid + "/stat"));
		String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
		return Long.parseLong(f[11]) + Long.parseLong(f[12]);
	}

	static String status(long pid, String key) throws IOException {
		return Files.readAllLines(Path.of("/proc/" + pid + "/status")).stream().filter(l -> l.startsWith(key + ":"))
				.map(l -> l.substring(key.length() + 1).trim()).findFirst().orElse("?");
	}
}
