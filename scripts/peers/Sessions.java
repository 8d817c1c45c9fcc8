import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.locks.LockSupport;

/**
 * The three sessions run against each tool, each on a fresh start of the tool with its own
 * programs: sleepers (idle cost, restart latency, with and without thousands of other processes),
 * nasty programs (duplicates of a daemon, what a stop leaves behind) and load (200 trees of 25
 * with random kills). Results go into the table as they come.
 */
final class Sessions {

	private final Settings settings;
	private final Table table;
	private final String pwtest;
	private final Cleanup cleanup;

	Sessions(Settings settings, Table table, String pwtest, Cleanup cleanup) {
		this.settings = settings;
		this.table = table;
		this.pwtest = pwtest;
		this.cleanup = cleanup;
	}

	/** Programs named p0.. with tokens PREFIX + name; {@code args} are pwtest's. */
	private List<Program> programs(String prefix, int n, List<String> args, boolean treeMain, Path dir) {
		List<Program> out = new ArrayList<>();
		for (int i = 0; i < n; i++) {
			String name = "p" + i;
			List<String> argv = new ArrayList<>(List.of(pwtest));
			argv.addAll(args);
			argv.add(prefix + name);
			out.add(new Program(name, prefix + name, argv, dir.resolve(name + ".pid"), treeMain));
		}
		return out;
	}

	void sleepers(Peer peer, String prefix, Path dir) throws Exception {
		int n = settings.programs();
		List<Program> programs = programs(prefix, n, List.of("sleep", "86400"), false, dir);
		peer.start(dir, programs);
		try {
			MainTracker tracker = awaitMains(peer, programs, 120);
			log(peer, n + " programs run; settling " + peer.settleSeconds() + " s");
			Thread.sleep(peer.settleSeconds() * 1000L);

			List<Integer> own = peer.ownProcesses();
			int machine = Procs.pids().size();
			long cpu0 = Procs.cpuTicks(own);
			long t0 = System.nanoTime();
			Thread.sleep(settings.idleSeconds() * 1000L);
			double percent = 100.0 * (Procs.cpuTicks(own) - cpu0) / Procs.CLK_TCK / ((System.nanoTime() - t0) / 1e9);
			String idleRow = "idle CPU, " + n + " programs, over " + settings.idleSeconds() + " s (% of one core)";
			table.put(idleRow, peer.name(), String.format("%.2f", percent));
			table.put("  processes on the machine meanwhile (others' too)", peer.name(), Integer.toString(machine));
			table.put("RSS of the tool's own processes, " + n + " programs (MB, summed)", peer.name(),
					String.format("%.1f (%d proc.)", Procs.memoryKb(own, "status", "VmRSS") / 1024.0, own.size()));
			table.put("PSS of the same (MB, shared pages divided)", peer.name(),
					String.format("%.1f", Procs.memoryKb(own, "smaps_rollup", "Pss") / 1024.0));
			log(peer, "idle " + String.format("%.2f", percent) + " %");

			latencies(peer, tracker, programs, "restart after kill -9, " + n + " programs");

			if (settings.background() > 0) {
				Background background = Background.start(pwtest, settings.background(), cleanup.marker() + "-background", dir);
				try {
					int all = Procs.pids().size();
					log(peer, all + " processes on the machine; settling 5 s");
					Thread.sleep(5000);
					latencies(peer, tracker, programs, "restart after kill -9, " + n + " programs + " + settings.background()
							+ " other processes");
				} finally {
					background.kill();
				}
			}
			stopAndCount(peer, prefix, "left after stop: " + n + " sleepers");
		} finally {
			cleanup.sweep(peer);
		}
	}

	void nasty(Peer peer, String prefix, Path dir) throws Exception {
		Program daemon = new Program("daemon", prefix + "daemon",
				List.of(pwtest, "daemon", dir.resolve("daemon.pid").toString(), "86400", prefix + "daemon"), dir.resolve("daemon.pid"), false);
		Program ignorer = new Program("ignorer", prefix + "ignorer", List.of(pwtest, "ignore-term", "86400", prefix + "ignorer"),
				dir.resolve("ignorer.pid"), false);
		Program envi = new Program("envi", prefix + "envi",
				List.of("/bin/sh", "-c", "env -i " + pwtest + " sleep 86400 " + prefix + "envi & exec " + pwtest + " sleep 86400 " + prefix + "envi",
						prefix + "envi"),
				dir.resolve("envi.pid"), false);
		Program forker = new Program("forker", prefix + "forker", List.of(pwtest, "forker", "500", "86400", prefix + "forker"),
				dir.resolve("forker.pid"), false);
		peer.start(dir, List.of(daemon, ignorer, envi, forker));
		try {
			// from the first instance on, so that a tool's own start-up (a JVM's) is not counted
			long first = System.nanoTime() + 60_000_000_000L;
			while (Procs.withMarker(daemon.token()).isEmpty() && System.nanoTime() < first) {
				Thread.sleep(100);
			}
			Thread.sleep(settings.daemonSeconds() * 1000L);
			List<Procs.Stat> instances = Procs.withMarker(daemon.token());
			table.put("daemon instances alive " + settings.daemonSeconds() + " s after the first one (1 is right)", peer.name(),
					Integer.toString(instances.size()));
			instances.stream().min(Comparator.comparingLong(Procs.Stat::startTicks)).ifPresent(s -> Procs.kill9(s.pid()));
			Thread.sleep(settings.daemonSeconds() * 1000L);
			table.put("daemon instances " + settings.daemonSeconds() + " s after a kill -9 of it (1 is right)", peer.name(),
					Integer.toString(Procs.withMarker(daemon.token()).size()));
			log(peer, "daemon instances: " + instances.size() + ", then " + Procs.withMarker(daemon.token()).size());
			stopAndCount(peer, prefix, "left after stop: daemon, TERM-ignorer, env -i child, fork loop");
		} finally {
			cleanup.sweep(peer);
		}
	}

	void load(Peer peer, String prefix, Path dir) throws Exception {
		int n = settings.loadPrograms();
		int tasks = settings.loadTasks();
		List<Program> programs = programs(prefix, n, List.of("tree", "1", Integer.toString(tasks - 1), "86400"), true, dir);
		peer.start(dir, programs);
		try {
			MainTracker tracker = awaitMains(peer, programs, 300);
			long deadline = System.nanoTime() + 120_000_000_000L;
			while (Procs.withMarker(prefix).size() < n * tasks && System.nanoTime() < deadline) {
				Thread.sleep(500);
			}
			log(peer, Procs.withMarker(prefix).size() + " processes of " + n + " trees; settling 10 s");
			Thread.sleep(10_000);
			String what = n + "x" + tasks + ", a kill -9 of a random main every " + settings.killGapMillis() + " ms";
			Random random = new Random(42);
			List<Integer> own = peer.ownProcesses();
			Map<Integer, Long> before = new HashMap<>();
			own.forEach(p -> before.put(p, Procs.stat(p).map(Procs.Stat::cpuTicks).orElse(0L)));
			long t0 = System.nanoTime(), end = t0 + settings.loadSeconds() * 1_000_000_000L;
			Map<String, long[]> killed = new HashMap<>(); // program -> {old pid, kill time}
			List<Double> millis = new ArrayList<>();
			int kills = 0;
			long nextKill = t0;
			while (System.nanoTime() < end || (!killed.isEmpty() && System.nanoTime() < end + 10_000_000_000L)) {
				tracker.poll();
				for (var it = killed.entrySet().iterator(); it.hasNext();) {
					var e = it.next();
					MainTracker.Main m = tracker.main(e.getKey());
					if (m != null && m.pid() != e.getValue()[0]) {
						millis.add((m.seenNanos() - e.getValue()[1]) / 1e6);
						it.remove();
					}
				}
				long now = System.nanoTime();
				if (now >= nextKill && now < end) {
					nextKill += settings.killGapMillis() * 1_000_000L;
					Program p = programs.get(random.nextInt(n));
					MainTracker.Main m = tracker.main(p.name());
					if (m != null && !killed.containsKey(p.name()) && now - m.seenNanos() > 2_000_000_000L) {
						killed.put(p.name(), new long[] { m.pid(), System.nanoTime() });
						Procs.kill9(m.pid());
						kills++;
					}
				}
				LockSupport.parkNanos(1_000_000);
			}
			double seconds = (System.nanoTime() - t0) / 1e9;
			List<Integer> ownAfter = peer.ownProcesses();
			long ticks = 0;
			for (int p : ownAfter) {
				ticks += Procs.stat(p).map(Procs.Stat::cpuTicks).orElse(0L) - before.getOrDefault(p, 0L);
			}
			table.put("CPU, " + what + " (% of one core, over " + settings.loadSeconds() + " s)", peer.name(),
					String.format("%.1f", 100.0 * ticks / Procs.CLK_TCK / seconds));
			table.put("  mains killed / restarted within 10 s", peer.name(), kills + " / " + millis.size());
			millis.sort(null);
			table.put("  restart latency under that load, median / p90 (ms)", peer.name(),
					millis.isEmpty() ? "-" : String.format("%.1f / %.1f", pct(millis, 50), pct(millis, 90)));
			table.put("  processes of the programs at the end (" + n * tasks + " started)", peer.name(),
					Integer.toString(Procs.withMarker(prefix).size()));
			log(peer, "load done: " + kills + " kills");
			stopAndCount(peer, prefix, "left after stop: " + n + "x" + tasks + " after those kills");
		} finally {
			cleanup.sweep(peer);
		}
	}

	/** Waits until every program's main runs (bounded), then returns a tracker of their mains. */
	private MainTracker awaitMains(Peer peer, List<Program> programs, int seconds) throws Exception {
		long deadline = System.nanoTime() + seconds * 1_000_000_000L;
		MainTracker tracker = new MainTracker(programs);
		while (programs.stream().anyMatch(p -> tracker.main(p.name()) == null)) {
			if (System.nanoTime() > deadline) {
				long up = programs.stream().filter(p -> tracker.main(p.name()) != null).count();
				throw new IllegalStateException(peer.name() + ": only " + up + " of " + programs.size() + " programs started in " + seconds + " s");
			}
			Thread.sleep(100);
			tracker.poll();
		}
		return tracker;
	}

	/** Kills the main of each program in turn (so runit's and s6's one-second rule never applies). */
	private void latencies(Peer peer, MainTracker tracker, List<Program> programs, String row) throws Exception {
		List<Double> millis = new ArrayList<>();
		int missed = 0;
		for (int i = 0; i < settings.kills(); i++) {
			Program p = programs.get(i % programs.size());
			tracker.poll();
			MainTracker.Main old = tracker.main(p.name());
			long t0 = System.nanoTime();
			Procs.kill9(old.pid());
			MainTracker.Main next = old;
			while (next.pid() == old.pid() && System.nanoTime() - t0 < 30_000_000_000L) {
				LockSupport.parkNanos(200_000);
				tracker.poll();
				next = tracker.main(p.name());
			}
			if (next.pid() == old.pid()) {
				missed++;
			} else {
				millis.add((next.seenNanos() - t0) / 1e6);
			}
			Thread.sleep(settings.killGapMillis());
		}
		millis.sort(null);
		String v = millis.isEmpty() ? "-"
				: String.format("%.1f / %.1f / %.1f", pct(millis, 50), pct(millis, 90), millis.get(millis.size() - 1));
		table.put(row + ": median / p90 / max (ms)", peer.name(), v + (missed > 0 ? " (" + missed + " not restarted in 30 s)" : ""));
		log(peer, row + ": " + v);
	}

	/** Stops everything the tool's way, then counts the programs' processes still alive (up to 5 s later). */
	private void stopAndCount(Peer peer, String prefix, String row) throws Exception {
		peer.stopAll();
		long deadline = System.nanoTime() + 5_000_000_000L;
		int left = Procs.withMarker(prefix).size();
		while (left > 0 && System.nanoTime() < deadline) {
			Thread.sleep(250);
			left = Procs.withMarker(prefix).size();
		}
		table.put(row + " (0 is right)", peer.name(), Integer.toString(left));
	}

	static double pct(List<Double> sorted, int p) {
		return sorted.get(Math.min(sorted.size() - 1, (int) Math.ceil(p / 100.0 * sorted.size()) - 1));
	}

	private static void log(Peer peer, String line) {
		System.err.printf("[%tT] %s: %s%n", System.currentTimeMillis(), peer.name(), line);
	}

	/** Thousands of other (untagged, unmarked for the tools) processes: one pwtest tree in its own session. */
	record Background(Process tree, int count) {
		static Background start(String pwtest, int count, String marker, Path dir) throws Exception {
			int width = (int) Math.ceil((-1 + Math.sqrt(1 + 4.0 * count)) / 2); // width + width^2 >= count
			Process p = Peer.spawn(dir, dir.resolve("background.out"),
					List.of("setsid", pwtest, "tree", "2", Integer.toString(width), "86400", marker));
			long deadline = System.nanoTime() + 120_000_000_000L;
			while (Procs.withMarker(marker).size() < width + width * width && System.nanoTime() < deadline) {
				Thread.sleep(500);
			}
			return new Background(p, count);
		}

		void kill() throws Exception {
			Peer.run(Path.of("/dev/null"), 10, "kill", "-KILL", "--", "-" + tree.pid());
			tree.waitFor();
		}
	}
}
