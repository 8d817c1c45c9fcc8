package io.pidwatcher.reader.procfs.internal;

import io.pidwatcher.api.reader.ExitEvent;
import io.pidwatcher.api.reader.ScanScope;
import io.pidwatcher.api.reader.TaskSnapshot;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

/**
 * Benchmark harness (not a test), run by scripts/bench-device in a QEMU guest: {@code scan RUNS}
 * times the /proc reader's tagged scan; {@code pidfd N MODULE} and {@code poll1s N MODULE} kill N
 * processes of MODULE one by one and time kill to detection, by pidfd and by a plain scan every
 * second.
 */
public final class ProcfsBench {

	private static final String TAG = "PIDWATCHER_MODULE";

	private ProcfsBench() {
	}

	public static void main(String[] args) throws Exception {
		ProcfsScanner scanner = new ProcfsScanner(Path.of("/proc"));
		switch (args[0]) {
			case "scan" -> scan(scanner, Integer.parseInt(args[1]));
			case "pidfd" -> pidfd(scanner, Integer.parseInt(args[1]), args[2]);
			default -> poll1s(scanner, Integer.parseInt(args[1]), args[2]);
		}
	}

	private static void scan(ProcfsScanner scanner, int runs) {
		for (int i = 0; i < 5; i++) {
			scanner.scan(TAG, ScanScope.tagged());
		}
		long[] nanos = new long[runs];
		int tasks = 0, examined = 0;
		for (int i = 0; i < runs; i++) {
			long start = System.nanoTime();
			ProcfsScanner.Result r = scanner.scan(TAG, ScanScope.tagged());
			nanos[i] = System.nanoTime() - start;
			tasks = r.tasks().size();
			examined = r.examined();
		}
		Arrays.sort(nanos);
		long median = nanos[runs / 2];
		System.out.printf("BENCH procfs scan: %d tagged tasks (%d processes examined), median %.2f ms (min %.2f, max %.2f) over %d scans = %.2f us/task%n",
				tasks, examined, median / 1e6, nanos[0] / 1e6, nanos[runs - 1] / 1e6, runs, median / 1e3 / Math.max(1, tasks));
	}

	private static List<TaskSnapshot> victims(ProcfsScanner scanner, String module, int kills) {
		List<TaskSnapshot> all = scanner.scan(TAG, ScanScope.module(module)).tasks();
		return all.subList(0, Math.min(kills, all.size()));
	}

	private static void pidfd(ProcfsScanner scanner, int kills, String module) throws Exception {
		LinkedBlockingQueue<ExitEvent> events = new LinkedBlockingQueue<>();
		ExitTracker tracker = new ExitTracker(Path.of("/proc"), events::add, true);
		tracker.start();
		tracker.track(scanner.scan(TAG, ScanScope.tagged()).tasks());
		List<Double> ms = new ArrayList<>();
		for (TaskSnapshot v : victims(scanner, module, kills)) {
			Thread.sleep(200);
			long t0 = System.nanoTime();
			ProcessHandle.of(v.pid()).ifPresent(ProcessHandle::destroyForcibly);
			for (ExitEvent e; (e = events.poll(5, TimeUnit.SECONDS)) != null;) {
				if (e.task().pid() == v.pid()) {
					ms.add((e.monotonicNanos() - t0) / 1e6);
					break;
				}
			}
		}
		tracker.stop();
		report("pidfd", ms, kills);
	}

	/** The baseline: a tagged scan every second, an exit noticed when the pid is missing. */
	private static void poll1s(ProcfsScanner scanner, int kills, String module) throws Exception {
		List<TaskSnapshot> victims = victims(scanner, module, kills);
		ConcurrentHashMap<Integer, Long> seenGone = new ConcurrentHashMap<>();
		Set<Integer> watched = victims.stream().map(TaskSnapshot::pid).collect(Collectors.toSet());
		Thread poller = new Thread(() -> {
			ProcfsScanner own = new ProcfsScanner(Path.of("/proc"));
			long next = System.nanoTime();
			while (!Thread.currentThread().isInterrupted()) {
				Set<Integer> alive = own.scan(TAG, ScanScope.tagged()).tasks().stream().map(TaskSnapshot::pid)
						.collect(Collectors.toSet());
				long now = System.nanoTime();
				for (int pid : watched) {
					if (!alive.contains(pid)) {
						seenGone.putIfAbsent(pid, now);
					}
				}
				next += 1_000_000_000L;
				try {
					Thread.sleep(Math.max(0, (next - System.nanoTime()) / 1_000_000));
				} catch (InterruptedException e) {
					return;
				}
			}
		});
		poller.setDaemon(true);
		poller.start();
		Random random = new Random(1);
		List<Double> ms = new ArrayList<>();
		for (TaskSnapshot v : victims) {
			Thread.sleep(200 + random.nextInt(1000)); // kill at a random phase of the poll loop
			long t0 = System.nanoTime();
			ProcessHandle.of(v.pid()).ifPresent(ProcessHandle::destroyForcibly);
			long deadline = t0 + 5_000_000_000L;
			while (!seenGone.containsKey(v.pid()) && System.nanoTime() < deadline) {
				Thread.sleep(1);
			}
			Long at = seenGone.get(v.pid());
			if (at != null) {
				ms.add((at - t0) / 1e6);
			}
		}
		poller.interrupt();
		report("1 s polling (/proc scan)", ms, kills);
	}

	static void report(String what, List<Double> ms, int kills) {
		ms.sort(null);
		if (ms.isEmpty()) {
			System.out.printf("BENCH %s exit latency: no events (of %d kills)%n", what, kills);
			return;
		}
		System.out.printf("BENCH %s exit latency: %d of %d kills seen, median %.2f ms, p90 %.2f ms, max %.2f ms%n", what,
				ms.size(), kills, ms.get(ms.size() / 2), ms.get((int) (ms.size() * 0.9)), ms.get(ms.size() - 1));
	}
}
