package io.pidwatcher.reader.procfs.internal;

import io.pidwatcher.api.reader.ExitEvent;
import io.pidwatcher.api.reader.ScanScope;
import io.pidwatcher.api.reader.TagName;
import io.pidwatcher.api.reader.TaskSnapshot;
import io.pidwatcher.testing.TestPrograms;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.lang.management.ManagementFactory;
import java.nio.file.Path;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;

/**
 * Benchmark harness (not a test), run by scripts/bench-connector: the process events connector
 * against today's periodic scans, side by side in one run, on MODULES modules of TASKS tasks each
 * ({@code pwtest tree 1 TASKS-1}, tagged). Prints one table:
 * <ul>
 * <li>reader CPU (this JVM's, % of one core) while one tagged scan runs every 500 ms: scans that
 *     walk /proc plus one pidfd per task, against scans of the connector's members;
 * <li>exit-to-detection latency: a task SIGKILLed, until the connector's and the pidfd tracker's
 *     exit events (both running at once, so each kill is timed by both);
 * <li>fork-to-membership latency: {@code pwtest forktimes} stamps CLOCK_MONOTONIC before each
 *     fork; the connector's membership time, against the first 500 ms scan that lists the child.
 * </ul>
 * Usage: {@code ConnectorBench [MODULES TASKS WINDOW_SECONDS KILLS FORKS]} (200 25 15 60 60).
 */
public final class ConnectorBench {

	private static final String TAG = "PIDWATCHER_MODULE";
	private static final long PERIOD_MILLIS = 500;

	/** One measured window: CPU in % of one core, scans done, and the median scan's wall time. */
	private record Window(double percent, int scans, double wallMillisMedian) {

		double cpuMillisPerScan(int windowSeconds) {
			return percent / 100.0 * windowSeconds * 1000 / Math.max(1, scans);
		}
	}

	private ConnectorBench() {
	}

	public static void main(String[] args) throws Exception {
		int modules = args.length > 0 ? Integer.parseInt(args[0]) : 200;
		int tasks = args.length > 1 ? Integer.parseInt(args[1]) : 25;
		int window = args.length > 2 ? Integer.parseInt(args[2]) : 15;
		int kills = args.length > 3 ? Integer.parseInt(args[3]) : 60;
		int forks = args.length > 4 ? Integer.parseInt(args[4]) : 60;
		String prefix = TestPrograms.uniqueModule("cb");
		List<Process> started = new ArrayList<>();
		Runtime.getRuntime().addShutdownHook(new Thread(() -> started.forEach(p -> {
			p.descendants().forEach(ProcessHandle::destroyForcibly);
			p.destroyForcibly();
		})));
		for (int m = 0; m < modules; m++) {
			started.add(TestPrograms.start(TAG, prefix + "m" + m, "tree", "1", Integer.toString(tasks - 1), "3600"));
		}
		ProcfsScanner probe = new ProcfsScanner(Path.of("/proc"));
		long deadline = System.nanoTime() + 120_000_000_000L;
		int expected = modules * tasks;
		while (countOurs(probe, prefix) < expected && System.nanoTime() < deadline) {
			Thread.sleep(200);
		}
		int ours = countOurs(probe, prefix);
		int inProc = probe.scan(TAG, ScanScope.everything()).examined();

		Window[] scanCpu = new Window[2], connectorCpu = new Window[2];
		for (int round = 0; round < 2; round++) {
			scanCpu[round] = cpuOfScanning(window);
			connectorCpu[round] = cpuOfConnector(window);
		}

		List<Double> connectorExit = new ArrayList<>(), pidfdExit = new ArrayList<>();
		exitLatencies(probe, prefix, kills, connectorExit, pidfdExit);
		List<Double> connectorFork = new ArrayList<>(), scanFork = new ArrayList<>();
		forkLatencies(prefix, forks, connectorFork, scanFork);

		System.out.printf("%nconnector vs periodic /proc scans: %d modules x %d tasks (%d tagged of %d in /proc), %s, %d cores%n",
				modules, tasks, ours, inProc, LocalDate.now(), Runtime.getRuntime().availableProcessors());
		System.out.printf("one tagged scan every %d ms; CPU in %d s windows, two rounds; the machine is shared%n%n", PERIOD_MILLIS, window);
		System.out.printf("%-42s | %-24s | %-24s | %s%n", "measure", "connector", "scanning", "scanning/connector");
		System.out.printf("%-42s | %-24s | %-24s | %.1fx%n", "reader CPU, % of one core (round 1, 2)",
				String.format("%.1f, %.1f", connectorCpu[0].percent(), connectorCpu[1].percent()),
				String.format("%.1f, %.1f", scanCpu[0].percent(), scanCpu[1].percent()),
				(scanCpu[0].percent() + scanCpu[1].percent()) / Math.max(0.01, connectorCpu[0].percent() + connectorCpu[1].percent()));
		System.out.printf("%-42s | %-24s | %-24s | %s%n", "scans done of " + 2 * window + " per window (round 1, 2)",
				connectorCpu[0].scans() + ", " + connectorCpu[1].scans(), scanCpu[0].scans() + ", " + scanCpu[1].scans(), "");
		System.out.printf("%-42s | %-24s | %-24s | %.1fx%n", "CPU ms per scan (round 1, 2)",
				String.format("%.1f, %.1f", connectorCpu[0].cpuMillisPerScan(window), connectorCpu[1].cpuMillisPerScan(window)),
				String.format("%.1f, %.1f", scanCpu[0].cpuMillisPerScan(window), scanCpu[1].cpuMillisPerScan(window)),
				(scanCpu[0].cpuMillisPerScan(window) + scanCpu[1].cpuMillisPerScan(window))
						/ Math.max(0.01, connectorCpu[0].cpuMillisPerScan(window) + connectorCpu[1].cpuMillisPerScan(window)));
		System.out.printf("%-42s | %-24s | %-24s | %.1fx%n", "scan wall time, median ms (round 1, 2)",
				String.format("%.1f, %.1f", connectorCpu[0].wallMillisMedian(), connectorCpu[1].wallMillisMedian()),
				String.format("%.1f, %.1f", scanCpu[0].wallMillisMedian(), scanCpu[1].wallMillisMedian()),
				(scanCpu[0].wallMillisMedian() + scanCpu[1].wallMillisMedian())
						/ Math.max(0.01, connectorCpu[0].wallMillisMedian() + connectorCpu[1].wallMillisMedian()));
		System.out.printf("%-42s | %-24s | %-24s | %s%n", "exit -> detection, ms median / p99 (n)", stats(connectorExit, kills),
				stats(pidfdExit, kills) + " pidfd", ratio(pidfdExit, connectorExit));
		System.out.printf("%-42s | %-24s | %-24s | %s%n", "fork -> membership, ms median / p99 (n)", stats(connectorFork, forks),
				stats(scanFork, forks) + " scans", ratio(scanFork, connectorFork));
		started.forEach(p -> {
			p.descendants().forEach(ProcessHandle::destroyForcibly);
			p.destroyForcibly();
		});
	}

	private static int countOurs(ProcfsScanner scanner, String prefix) {
		return (int) scanner.scan(TAG, ScanScope.tagged()).tasks().stream().filter(t -> t.tagValue().startsWith(prefix)).count();
	}

	private static double processCpuNanos() {
		return ((com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean()).getProcessCpuTime();
	}

	/** Today's scanning mode: a /proc walk every period, each tagged task handed to the pidfd tracker. */
	private static Window cpuOfScanning(int window) throws Exception {
		ExitTracker tracker = new ExitTracker(Path.of("/proc"), e -> { }, true);
		tracker.start();
		ProcfsScanner scanner = new ProcfsScanner(Path.of("/proc"));
		Window cpu = measure(window, () -> {
			tracker.track(scanner.scan(TAG, ScanScope.tagged()).tasks());
			return null;
		});
		tracker.stop();
		return cpu;
	}

	private static Window cpuOfConnector(int window) throws Exception {
		ConnectorEvents c = ConnectorEvents.start(Path.of("/proc"), TagName::defaultName, e -> { }, m -> { },
				ConnectorEvents.DEFAULT_RECEIVE_BUFFER);
		while (!c.ready()) {
			Thread.sleep(10);
		}
		ProcfsScanner scanner = new ProcfsScanner(Path.of("/proc"));
		Window cpu = measure(window, () -> c.scan(scanner, TAG, ScanScope.tagged()));
		c.stop();
		return cpu;
	}

	/** Scans every period for 5 s of warm-up, then for {@code window} seconds measured. */
	private static Window measure(int window, Supplier<?> scan) throws Exception {
		long next = System.nanoTime();
		long warmEnd = next + 5_000_000_000L;
		long end = warmEnd + window * 1_000_000_000L;
		double cpuStart = -1;
		long wallStart = 0;
		List<Double> walls = new ArrayList<>();
		while (System.nanoTime() < end) {
			if (cpuStart < 0 && System.nanoTime() >= warmEnd) {
				cpuStart = processCpuNanos();
				wallStart = System.nanoTime();
			}
			long t0 = System.nanoTime();
			scan.get();
			if (cpuStart >= 0) {
				walls.add((System.nanoTime() - t0) / 1e6);
			}
			next += PERIOD_MILLIS * 1_000_000;
			Thread.sleep(Math.max(0, (next - System.nanoTime()) / 1_000_000));
		}
		double percent = 100.0 * (processCpuNanos() - cpuStart) / (System.nanoTime() - wallStart);
		walls.sort(null);
		return new Window(percent, walls.size(), walls.isEmpty() ? 0 : walls.get(walls.size() / 2));
	}

	/** Kills leaves of the trees one by one; the connector and the pidfd tracker both time each. */
	private static void exitLatencies(ProcfsScanner probe, String prefix, int kills, List<Double> connector,
			List<Double> pidfd) throws Exception {
		Map<Integer, Long> byConnector = new ConcurrentHashMap<>(), byPidfd = new ConcurrentHashMap<>();
		ConnectorEvents c = ConnectorEvents.start(Path.of("/proc"), TagName::defaultName,
				e -> byConnector.putIfAbsent(e.task().pid(), e.monotonicNanos()), m -> { }, ConnectorEvents.DEFAULT_RECEIVE_BUFFER);
		ExitTracker tracker = new ExitTracker(Path.of("/proc"), (ExitEvent e) -> byPidfd.putIfAbsent(e.task().pid(), e.monotonicNanos()), true);
		tracker.start();
		List<TaskSnapshot> all = probe.scan(TAG, ScanScope.tagged()).tasks().stream()
				.filter(t -> t.tagValue().startsWith(prefix)).toList();
		tracker.track(all);
		while (!c.ready()) {
			Thread.sleep(10);
		}
		List<TaskSnapshot> leaves = all.stream().filter(t -> all.stream().noneMatch(o -> o.ppid() == t.pid())).toList();
		for (int i = 0; i < kills && i < leaves.size(); i++) {
			TaskSnapshot v = leaves.get(i * (leaves.size() / Math.min(kills, leaves.size())));
			Thread.sleep(150);
			long t0 = System.nanoTime();
			ProcessHandle.of(v.pid()).ifPresent(ProcessHandle::destroyForcibly);
			long until = t0 + 5_000_000_000L;
			while ((!byConnector.containsKey(v.pid()) || !byPidfd.containsKey(v.pid())) && System.nanoTime() < until) {
				Thread.sleep(1);
			}
			Long a = byConnector.get(v.pid()), b = byPidfd.get(v.pid());
			if (a != null) {
				connector.add((a - t0) / 1e6);
			}
			if (b != null) {
				pidfd.add((b - t0) / 1e6);
			}
		}
		tracker.stop();
		c.stop();
	}

	/** pwtest forktimes: the connector's membership time and the first 500 ms scan listing each child. */
	private static void forkLatencies(String prefix, int forks, List<Double> connector, List<Double> scans) throws Exception {
		ConnectorEvents c = ConnectorEvents.start(Path.of("/proc"), TagName::defaultName, e -> { }, m -> { },
				ConnectorEvents.DEFAULT_RECEIVE_BUFFER);
		while (!c.ready()) {
			Thread.sleep(10);
		}
		String module = prefix + "fork";
		Map<Integer, Long> firstScanned = new ConcurrentHashMap<>();
		Thread scanning = new Thread(() -> {
			ProcfsScanner own = new ProcfsScanner(Path.of("/proc"));
			long next = System.nanoTime();
			while (!Thread.currentThread().isInterrupted()) {
				long at = System.nanoTime();
				for (TaskSnapshot t : own.scan(TAG, ScanScope.module(module)).tasks()) {
					firstScanned.putIfAbsent(t.pid(), at);
				}
				next += PERIOD_MILLIS * 1_000_000;
				try {
					Thread.sleep(Math.max(0, (next - System.nanoTime()) / 1_000_000));
				} catch (InterruptedException e) {
					return;
				}
			}
		});
		scanning.setDaemon(true);
		scanning.start();
		ProcessBuilder b = new ProcessBuilder(TestPrograms.pwtest().toString(), "forktimes", Integer.toString(forks), "37", "60");
		b.environment().put(TAG, module);
		Process forker = b.start();
		List<long[]> stamped = new ArrayList<>();
		try (BufferedReader in = new BufferedReader(new InputStreamReader(forker.getInputStream()))) {
			for (int i = 0; i < forks; i++) {
				String[] f = in.readLine().split(" ");
				stamped.add(new long[] { Long.parseLong(f[0]), Long.parseLong(f[1]) });
			}
		}
		Thread.sleep(2 * PERIOD_MILLIS + 200);
		for (long[] s : stamped) {
			long since = c.memberSince((int) s[0]);
			if (since > 0) {
				connector.add((since - s[1]) / 1e6);
			}
			Long scanned = firstScanned.get((int) s[0]);
			if (scanned != null) {
				scans.add((scanned - s[1]) / 1e6);
			}
		}
		scanning.interrupt();
		forker.descendants().forEach(ProcessHandle::destroyForcibly);
		forker.destroyForcibly();
		c.stop();
	}

	private static String stats(List<Double> ms, int of) {
		if (ms.isEmpty()) {
			return "none of " + of;
		}
		List<Double> sorted = new ArrayList<>(ms);
		sorted.sort(null);
		return String.format("%.2f / %.2f (%d)", sorted.get(sorted.size() / 2),
				sorted.get(Math.min(sorted.size() - 1, (int) Math.ceil(sorted.size() * 0.99) - 1)), sorted.size());
	}

	private static String ratio(List<Double> slow, List<Double> fast) {
		if (slow.isEmpty() || fast.isEmpty()) {
			return "-";
		}
		List<Double> a = new ArrayList<>(slow), b = new ArrayList<>(fast);
		a.sort(null);
		b.sort(null);
		return String.format("%.1fx (medians)", a.get(a.size() / 2) / Math.max(0.001, b.get(b.size() / 2)));
	}
}
