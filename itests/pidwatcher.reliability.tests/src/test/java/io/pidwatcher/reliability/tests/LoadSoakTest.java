package io.pidwatcher.reliability.tests;

import static org.assertj.core.api.Assertions.assertThat;

import io.pidwatcher.testing.ExportedRuntime;
import io.pidwatcher.testing.TestPrograms;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Load and soak: 200 modules of 25 processes each (5,000 tagged tasks) at interval=500ms for
 * {@code -Dpidwatcher.soak.duration} (2m in the build, 10m by {@code make soak}), while seeded
 * random faults land: kill -9 of a module's main process, kill -9 of a module's whole tree, and a
 * tenth of the modules crash on their own every few seconds (leaving their children behind). The
 * modules use the liveness policy with main=true: the death of the main process is a failure
 * even while its children live (without it, only a tree gone whole is).
 * Everything is counted from outside: /proc (the runtime's children, every tagged process),
 * the journal, the crash programs' own log, the control socket. The runtime's CPU, RSS and scan
 * cost per process are printed over time; RSS must not grow.
 */
class LoadSoakTest {

	private static final long SEED = Long.getLong("pidwatcher.seed", 20261125L);
	private static final Duration DURATION = duration(System.getProperty("pidwatcher.soak.duration", "2m"));
	private static final int MODULES = Integer.getInteger("pidwatcher.soak.modules", 200);
	private static final int TASKS_PER_MODULE = 25;
	/** One module in ten dies on its own, every CRASH_MIN_MS..CRASH_MAX_MS (its own fixed period). */
	private static final int CRASHERS = Math.max(1, MODULES / 10);
	private static final int CRASH_MIN_MS = 8_000;
	private static final int CRASH_MAX_MS = 20_000;
	/** Mean time between two injected kills (exponentially distributed, so kills sometimes come in bursts). */
	private static final double MEAN_KILL_GAP_MS = 1_000;
	/** A main process younger than this is not killed: each kill is then of a running, settled module. */
	private static final long SETTLED_NANOS = 2_000_000_000L;
	/** A module without a main process for longer than this is lost (generous: the machine is shared and loaded). */
	private static final Duration LOST_BOUND = Duration.ofSeconds(60);
	private static final Duration WAIT = Duration.ofMinutes(4);
	private static final long ROW_MILLIS = 10_000;

	private Path home;
	private ExportedRuntime runtime;
	private final List<String> steady = new ArrayList<>();
	private final List<String> crashers = new ArrayList<>();
	/** Untagged sleepers that make the process table big, as on a busy machine. */
	private ProcessHandle crowd;

	/** An injected death: the module's main process (and, for a whole tree, its descendants) killed with SIGKILL. */
	record Injection(String module, boolean wholeTree, MainProcessWatch.Main main, long atNanos, int processesKilled) {
	}

	/**
	 * What the journal says about one module: deaths (transitions into failed, not the strategy's
	 * failed -> failed line), restarts (a start after a death), and deaths whose restart was
	 * overtaken by the stop request at the end (a crasher that crashed just before it).
	 */
	record JournalCounts(int failures, int restarts, int stoppedBeforeRestart) {
	}

	@BeforeEach
	void setUp() throws Exception {
		home = Files.createTempDirectory("pw-soak");
		Files.createDirectories(home.resolve("etc"));
		runtime = new ExportedRuntime(home);
	}

	@AfterEach
	void tearDown() throws Exception {
		if (crowd != null) {
			crowd.descendants().forEach(ProcessHandle::destroyForcibly);
			crowd.destroyForcibly();
		}
		runtime.kill9();
		for (String m : steady) {
			TestPrograms.killTagged("PIDWATCHER_MODULE", m);
		}
		for (String m : crashers) {
			TestPrograms.killTagged("PIDWATCHER_MODULE", m);
		}
		runtime.delete();
	}

	@Test
	void fiveThousandTasksUnderRandomKillsAndCrashesAreNeverLostNeverDuplicatedAndLeaveNothingBehind() throws Exception {
		System.out.printf("SOAK seed=%d (-Dpidwatcher.seed=%d replays) duration=%s modules=%d (%d crash on their own) "
				+ "tasks/module=%d interval=500ms%n", SEED, SEED, DURATION, MODULES, CRASHERS, TASKS_PER_MODULE);
		checkMachineLimits();
		Random random = new Random(SEED);
		String run = Long.toString(System.nanoTime() % 1_679_616, 36); // tags of this run only
		String pwtest = TestPrograms.pwtest().toString();
		Path crashLogs = Files.createDirectories(home.resolve("crashes"));
		for (int i = 0; i < MODULES; i++) {
			boolean crashes = i % (MODULES / CRASHERS) == 0 && crashers.size() < CRASHERS;
			String name = "ld" + run + (crashes ? "c" : "s") + i;
			String command = crashes
					? "crashtree " + (TASKS_PER_MODULE - 1) + " " + (CRASH_MIN_MS + random.nextInt(CRASH_MAX_MS - CRASH_MIN_MS))
							+ " 3 " + crashLogs.resolve(name)
					: "tree 1 " + (TASKS_PER_MODULE - 1) + " 86400";
			(crashes ? crashers : steady).add(name);
			Files.writeString(home.resolve("etc/pidwatcher.module-" + name + ".cfg"), "command=" + pwtest + " " + command
					+ "\ninterval=500ms\nstop.timeout=5s\nstrategy=fixed\nstrategy.delay=200ms\n"
					// without it a module fails only when its whole tree is gone (a daemon's first process may exit)
					+ "policies=liveness\npolicy.liveness.main=true\n");
		}
		List<String> all = new ArrayList<>(steady);
		all.addAll(crashers);

		long startedAt = System.nanoTime();
		long jvm = runtime.start().pid();
		// watched from the first start on, so /proc sees every main process the journal mentions
		MainProcessWatch mains = new MainProcessWatch(jvm, all, 100);
		Thread mainsThread = new Thread(mains, "soak-mains");
		mainsThread.start();
		ExportedRuntime.until(WAIT, "all " + MODULES + " modules running with " + TASKS_PER_MODULE + " tasks", () -> {
			Map<String, Integer> tasks = runtimeTasks();
			return steady.stream().allMatch(m -> tasks.getOrDefault(m, 0) == TASKS_PER_MODULE)
					&& crashers.stream().allMatch(m -> tasks.getOrDefault(m, 0) > 0);
		});
		System.out.printf("SOAK started: %d modules, %d tagged tasks in %.1f s; runtime JVM pid %d, %s%n", MODULES,
				taggedOnMachine(run).values().stream().mapToInt(Integer::intValue).sum(), (System.nanoTime() - startedAt) / 1e9,
				jvm, heapSettings(jvm));

		RuntimeUsage usage = new RuntimeUsage(runtime, jvm, ROW_MILLIS, clockTicks());
		Thread usageThread = new Thread(usage, "soak-usage");
		usageThread.start();
		System.out.println("SOAK usage " + RuntimeUsage.header());

		long liveHeapBefore = liveHeapKib(jvm);
		// the faults: seeded kills at seeded times, while the crashers crash on their own
		List<Injection> injections = new ArrayList<>();
		int skipped = 0;
		long end = System.nanoTime() + DURATION.toNanos();
		while (true) {
			long gap = (long) (-Math.log(1 - random.nextDouble()) * MEAN_KILL_GAP_MS);
			if (System.nanoTime() + gap * 1_000_000L >= end) {
				break;
			}
			Thread.sleep(gap);
			String module = steady.get(random.nextInt(steady.size()));
			boolean wholeTree = random.nextInt(10) < 3;
			var main = mains.current(module).orElse(null);
			if (main == null || System.nanoTime() - main.firstSeenNanos() < SETTLED_NANOS || !main.alive()) {
				skipped++; // not running, or just restarted: the kill would not be of a settled module
				continue;
			}
			List<ProcessHandle> descendants = wholeTree ? ProcessHandle.of(main.pid()).map(p -> p.descendants().toList())
					.orElse(List.of()) : List.of();
			if (!ProcessHandle.of(main.pid()).map(ProcessHandle::destroyForcibly).orElse(false)) {
				skipped++;
				continue;
			}
			injections.add(new Injection(module, wholeTree, main, System.nanoTime(), 1 + descendants.size()));
			descendants.forEach(ProcessHandle::destroyForcibly);
		}
		Thread.sleep(Math.max(0, (end - System.nanoTime()) / 1_000_000L));
		long liveHeapAfter = liveHeapKib(jvm);
		// the crashers stop crashing, so that every module can be seen running at the same moment
		for (String m : crashers) {
			Files.createFile(crashLogs.resolve(m + ".calm"));
		}
		System.out.printf("SOAK faults done: %d kills injected (%d of the main process, %d of the whole tree), %d draws "
				+ "skipped (module not settled)%n", injections.size(), injections.stream().filter(i -> !i.wholeTree()).count(),
				injections.stream().filter(Injection::wholeTree).count(), skipped);

		// every module running again, and every tagged process known to the runtime
		long settleFrom = System.nanoTime();
		Map<String, Integer> unknownToRuntime = new TreeMap<>();
		boolean settled = false;
		while (!settled && System.nanoTime() - settleFrom < WAIT.toNanos()) {
			Map<String, String> states = runtime.states();
			Map<String, Integer> known = runtimeTasks();
			Map<String, Integer> onMachine = taggedOnMachine(run);
			unknownToRuntime.clear();
			for (String m : steady) {
				int extra = onMachine.getOrDefault(m, 0) - known.getOrDefault(m, 0);
				if (extra != 0 || known.getOrDefault(m, 0) != TASKS_PER_MODULE) {
					unknownToRuntime.put(m, extra);
				}
			}
			settled = all.stream().allMatch(m -> "running".equals(states.get(m))) && unknownToRuntime.isEmpty();
			if (!settled) {
				Thread.sleep(2000);
			}
		}
		double settleSeconds = (System.nanoTime() - settleFrom) / 1e9;
		Map<String, String> finalStates = runtime.states();
		List<String> notRunning = all.stream().filter(m -> !"running".equals(finalStates.get(m))).toList();

		// stop the crashers first, so their crash logs and the journal stop moving, then count
		stopAll(crashers);
		Map<String, JournalCounts> journal = journalCounts();
		Map<String, Integer> crashed = new HashMap<>();
		for (String m : crashers) {
			Path log = crashLogs.resolve(m);
			crashed.put(m, Files.exists(log) ? (int) Files.readAllLines(log).stream().filter(l -> l.endsWith(" crash")).count() : 0);
		}
		Map<String, Integer> injected = new HashMap<>();
		injections.forEach(i -> injected.merge(i.module(), 1, Integer::sum));
		Map<String, Integer> deaths = new HashMap<>(injected);
		deaths.putAll(crashed);

		List<String> detectionMismatches = new ArrayList<>();
		List<String> restartMismatches = new ArrayList<>();
		int detected = 0;
		int restartedJournal = 0;
		int restartedProc = 0;
		int stoppedBeforeRestart = 0;
		for (String m : all) {
			int died = deaths.getOrDefault(m, 0);
			JournalCounts j = journal.getOrDefault(m, new JournalCounts(0, 0, 0));
			detected += j.failures();
			restartedJournal += j.restarts();
			stoppedBeforeRestart += j.stoppedBeforeRestart();
			int procRestarts = mains.history(m).size() - 1;
			restartedProc += procRestarts;
			if (j.failures() != died) {
				detectionMismatches.add(m + ": died " + died + ", journal failures " + j.failures());
				if (detectionMismatches.size() == 1) {
					// the first mismatch's journal, so that a failure says what was journaled
					runtime.journal().stream().filter(l -> l.contains("\"module\":\"" + m + "\""))
							.forEach(l -> System.out.println("SOAK mismatch journal: " + l));
				}
			}
			// only a crasher can die between the check that all run and its stop; the steady ones are not killed then
			int overtaken = crashers.contains(m) ? j.stoppedBeforeRestart() : 0;
			if (j.restarts() + overtaken != died || procRestarts != j.restarts() || j.stoppedBeforeRestart() != overtaken) {
				restartMismatches.add(m + ": died " + died + ", journal restarts " + j.restarts() + " (+" + j.stoppedBeforeRestart()
						+ " overtaken by the final stop), new main processes in /proc " + procRestarts);
			}
		}

		// a module is lost when no new main process came within the bound after an injected death
		List<Long> recoveryMillis = new ArrayList<>();
		List<String> lost = new ArrayList<>();
		for (Injection i : injections) {
			var next = mains.successor(i.module(), i.main(), i.atNanos());
			long ms = next.map(n -> (n.firstSeenNanos() - i.atNanos()) / 1_000_000L).orElse(Long.MAX_VALUE);
			if (ms > LOST_BOUND.toMillis()) {
				lost.add(i.module() + " (killed at +" + (i.atNanos() - startedAt) / 1_000_000 + " ms, no new main within "
						+ LOST_BOUND + ")");
			} else {
				recoveryMillis.add(ms);
			}
		}
		for (String m : all) {
			if (mains.longestAbsenceNanos(m) > LOST_BOUND.toNanos()) {
				lost.add(m + " (no main process for " + mains.longestAbsenceNanos(m) / 1_000_000 + " ms)");
			}
		}

		stopAll(steady);
		mains.stop();
		usage.stop();
		mainsThread.join(10_000);
		usageThread.join(10_000);
		Map<String, Integer> orphans = taggedOnMachine(run);
		int orphanCount = orphans.values().stream().mapToInt(Integer::intValue).sum();
		List<MainProcessWatch.Duplicate> duplicates = mains.duplicates();

		List<RuntimeUsage.Row> rows = usage.rows();
		System.out.println("SOAK runtime over time (CPU% of one core; scans: distinct last-scan figures seen by the "
				+ "'source' verb, polled every second):");
		System.out.println("SOAK   " + RuntimeUsage.header());
		rows.forEach(r -> System.out.println("SOAK   " + RuntimeUsage.format(r)));
		System.out.println("SOAK last 'source' answer:\n" + usage.lastSourceAnswer().indent(5).stripTrailing());
		System.out.println("SOAK heap at the end: " + jcmd(jvm, "GC.heap_info").lines().limit(4).map(String::trim).toList());
		RssVerdict rss = rssVerdict(rows);
		recoveryMillis.sort(null);
		double cpuMean = rows.stream().mapToDouble(RuntimeUsage.Row::cpuPercent).average().orElse(0);
		double[] micros = rows.stream().filter(r -> r.scansSeen() > 0).mapToDouble(RuntimeUsage.Row::scanMicrosPerProcess)
				.sorted().toArray();
		double[] scanMs = rows.stream().filter(r -> r.scansSeen() > 0).mapToDouble(RuntimeUsage.Row::scanMsMedian).sorted()
				.toArray();

		System.out.printf("SOAK live heap (live objects, jcmd GC.class_histogram): %.1f MiB when the faults began, %.1f MiB when "
				+ "they ended (bound: +%d MiB)%n", liveHeapBefore / 1024.0, liveHeapAfter / 1024.0, LIVE_HEAP_GROWTH_MIB);
		System.out.printf("RELIABILITY load-soak seed=%d duration=%s modules=%d tagged-tasks=%d interval=500ms "
				+ "injected=%d (main %d, whole-tree %d) crashed-on-their-own=%d detected=%d restarted-journal=%d "
				+ "restarted-proc=%d crashes-overtaken-by-final-stop=%d duplicates=%d orphans-after-stop=%d unknown-to-runtime=%d lost=%d "
				+ "not-running-at-end=%d settle=%.1fs recovery-ms-median=%d p95=%d max=%d runtime-cpu-mean=%.1f%% "
				+ "rss-mib=[%s] scan-ms-median=%.1f scan-us-per-process-median=%.1f main-samples=%d longest-sample-gap-ms=%d%n",
				SEED, DURATION, MODULES, MODULES * TASKS_PER_MODULE, injections.size(),
				injections.stream().filter(i -> !i.wholeTree()).count(), injections.stream().filter(Injection::wholeTree).count(),
				crashed.values().stream().mapToInt(Integer::intValue).sum(), detected, restartedJournal, restartedProc,
				stoppedBeforeRestart, duplicates.size(), orphanCount, unknownToRuntime.values().stream().mapToInt(Math::abs).sum(), lost.size(),
				notRunning.size(), settleSeconds, percentile(recoveryMillis, 50), percentile(recoveryMillis, 95),
				percentile(recoveryMillis, 100), cpuMean, rss.summary(), median(scanMs), median(micros), mains.samples(),
				mains.longestGapNanos() / 1_000_000);

		assertThat(injections).as("kills were injected").isNotEmpty();
		assertThat(crashed.values().stream().mapToInt(Integer::intValue).sum()).as("programs crashed on their own")
				.isPositive();
		assertThat(notRunning).as("modules not running at the end").isEmpty();
		assertThat(unknownToRuntime).as("modules whose tagged processes on the machine differ from the runtime's count")
				.isEmpty();
		assertThat(detectionMismatches).as("every death detected once (journal failures = injected + crashed)").isEmpty();
		assertThat(restartMismatches).as("every death restarted once (journal and /proc)").isEmpty();
		assertThat(duplicates).as("moments with two main processes of a module").isEmpty();
		assertThat(lost).as("lost modules").isEmpty();
		assertThat(orphans).as("tagged processes left after stopping every module").isEmpty();
		assertThat(rss.grew()).as("RSS grew: %s", rss.summary()).isFalse();
		assertThat(liveHeapBefore).as("live heap measured (jcmd)").isPositive();
		assertThat(liveHeapAfter - liveHeapBefore).as("live heap growth over the faults, KiB (%d -> %d)", liveHeapBefore,
				liveHeapAfter).isLessThan(LIVE_HEAP_GROWTH_MIB * 1024L);
	}

	/**
	 * What the live heap may grow by while the faults run. The health history fills up to
	 * MAX_SAMPLES samples per module (5 minutes at 500 ms): about 150 bytes a sample once unchanged
	 * tasks are shared, 18 MiB for 200 modules, plus the records of trees restarted meanwhile. Before
	 * the history shared its records it grew by about 1 MiB a second here (102 -> 369 MiB in 170 s).
	 */
	private static final int LIVE_HEAP_GROWTH_MIB = 64;

	/**
	 * What the runtime holds on to, in KiB: the bytes of the live objects, which the class histogram
	 * counts at a full collection of its own. The used heap read after {@code GC.run} was not that:
	 * the busy runtime allocated in young regions between the two jcmd calls, and the figure varied
	 * from +9 to +66 MiB over runs of the same build (a leak of 87 MiB showed in both measures).
	 */
	private static long liveHeapKib(long jvm) {
		Matcher m = Pattern.compile("(?m)^Total\\s+\\d+\\s+(\\d+)\\s*$").matcher(jcmd(jvm, "GC.class_histogram"));
		return m.find() ? Long.parseLong(m.group(1)) / 1024 : -1;
	}

	/**
	 * Sixty trees stopped at once on a machine of 5,000 processes. Each whole-tree stop scans every
	 * process several times (freeze until nothing new, then until all are gone); the reader runs one
	 * scan at a time, so sixty stops queued some 200 scans of 5,000 processes one behind the other:
	 * at 500 ms and random deaths (the soak above) the queue grew to scans that took 10 to 20 s and
	 * restarts that waited for them. Concurrent stops must share their scans.
	 */
	@Test
	void sixtyTreesStoppedAtOnceOnABusyMachineAreAllRestartedWithinSeconds() throws Exception {
		int modules = 60;
		int before = RuntimeUsage.processesOnMachine();
		crowd = TestPrograms.start("PIDWATCHER_MODULE", null, "tree", "1", "4999", "600").toHandle();
		ExportedRuntime.until(WAIT, "5,000 untagged sleepers", () -> RuntimeUsage.processesOnMachine() >= before + 5000);
		String run = Long.toString(System.nanoTime() % 1_679_616, 36);
		String pwtest = TestPrograms.pwtest().toString();
		for (int i = 0; i < modules; i++) {
			String name = "ld" + run + "b" + i;
			steady.add(name);
			Files.writeString(home.resolve("etc/pidwatcher.module-" + name + ".cfg"), "command=" + pwtest
					+ " tree 1 2 600\ninterval=500ms\nstop.timeout=5s\nstrategy=fixed\nstrategy.delay=200ms\npolicies=liveness\n"
					+ "policy.liveness.main=true\n");
		}
		long jvm = runtime.start().pid();
		ExportedRuntime.until(WAIT, modules + " modules running with 3 tasks", () -> {
			Map<String, Integer> tasks = runtimeTasks();
			return steady.stream().allMatch(m -> tasks.getOrDefault(m, 0) == 3);
		});
		Map<String, Integer> killed = new HashMap<>();
		for (int pid : MainProcessWatch.children(jvm)) {
			String tag = MainProcessWatch.tag(pid);
			if (tag != null && steady.contains(tag)) {
				killed.put(tag, pid);
			}
		}
		assertThat(killed).hasSize(modules);
		long ticks = new RuntimeUsage(runtime, jvm, 0, 1).cpuTicks();
		long killedAt = System.nanoTime();
		killed.values().forEach(pid -> ProcessHandle.of(pid).ifPresent(ProcessHandle::destroyForcibly));
		long[] restartedAfter = { -1 };
		try {
			ExportedRuntime.until(Duration.ofSeconds(120), "all restarted", () -> {
				Map<String, Integer> tasks = runtimeTasks();
				Map<String, Integer> mains = new HashMap<>();
				for (int pid : MainProcessWatch.children(jvm)) {
					String tag = MainProcessWatch.tag(pid);
					if (tag != null && io.pidwatcher.testing.Proc.task(pid) != null) {
						mains.put(tag, pid);
					}
				}
				return steady.stream().allMatch(m -> tasks.getOrDefault(m, 0) == 3 && mains.containsKey(m)
						&& !mains.get(m).equals(killed.get(m)));
			});
			restartedAfter[0] = (System.nanoTime() - killedAt) / 1_000_000;
		} catch (AssertionError e) {
			restartedAfter[0] = Long.MAX_VALUE;
		}
		long cpuMillis = (new RuntimeUsage(runtime, jvm, 0, 1).cpuTicks() - ticks) * 1000 / clockTicks();
		ExportedRuntime.Result source = runtime.request("source");
		System.out.printf("RELIABILITY concurrent-stops modules=%d processes-on-machine=%d all-restarted-after-ms=%s "
				+ "runtime-cpu-ms=%d; %s%n", modules, RuntimeUsage.processesOnMachine(),
				restartedAfter[0] == Long.MAX_VALUE ? "not within 120 s" : restartedAfter[0], cpuMillis,
				source.out().lines().filter(l -> l.startsWith("last scan")).findFirst().orElse(""));
		// unshared, sixty stops of 3+ scans of 5,000 processes each took 56 s (40 s of the runtime's CPU);
		// shared, 8 s on the same loaded machine: the bound leaves room for a busier one
		assertThat(restartedAfter[0]).as("ms until all %d were restarted", modules).isLessThan(20_000);
		stopAll(steady);
	}

	// ---- RSS

	/** Whether RSS grew over the run, and the medians compared. */
	record RssVerdict(boolean grew, String summary) {
	}

	/**
	 * Compares the median of the last third of the rows with that of the second third (the first
	 * third is warm-up: classes loaded, JIT, the first 5,000-task snapshots allocated), for RSS less
	 * the committed heap. The committed heap is left out because it is the collector's choice, not
	 * the runtime's: G1 grows it (up to MaxHeapSize, a quarter of RAM when no -Xmx is given, 6 GiB
	 * here) when it sees its collections cost too much, which on a loaded 2-core machine it does:
	 * the 10-minute run went from 468 to 564 to 1,128 MiB committed, and RSS followed it step by step
	 * while RSS less the heap stayed near 100-140 MiB. A user who wants a bound on that sets -Xmx.
	 * What the runtime could leak outside the heap (threads, pidfds, buffers, metaspace) grows RSS
	 * less the heap; the bound, 25% + 128 MiB, is generous because that figure also rises while G1
	 * first touches heap regions it committed earlier (committed is not resident until touched): in
	 * a 2-minute run it went from 13 to 84 MiB that way with the committed heap unchanged, in the
	 * 10-minute run it stayed at 104-143 MiB once touched. Not asserted, only printed: the heap's
	 * used part (a leak inside the heap would raise its floor across collections).
	 */
	static RssVerdict rssVerdict(List<RuntimeUsage.Row> rows) {
		if (rows.size() < 3) {
			return new RssVerdict(false, "too few samples (" + rows.size() + ")");
		}
		int third = rows.size() / 3;
		List<RuntimeUsage.Row> second = rows.subList(third, 2 * third);
		List<RuntimeUsage.Row> last = rows.subList(rows.size() - third, rows.size());
		double rssSecond = median(second, r -> r.rssKib());
		double rssLast = median(last, r -> r.rssKib());
		double heapSecond = median(second, r -> r.heapCommittedKib());
		double heapLast = median(last, r -> r.heapCommittedKib());
		double outsideSecond = median(second, r -> r.rssKib() - r.heapCommittedKib());
		double outsideLast = median(last, r -> r.rssKib() - r.heapCommittedKib());
		double bound = Math.max(outsideSecond, 0) * 1.25 + 128;
		return new RssVerdict(outsideLast > bound, String.format("RSS %.0f->%.0f, committed heap %.0f->%.0f, RSS less heap "
				+ "%.0f->%.0f (bound %.0f; medians of the 2nd third -> last third)", rssSecond, rssLast, heapSecond, heapLast,
				outsideSecond, outsideLast, bound));
	}

	private static double median(List<RuntimeUsage.Row> rows, java.util.function.ToLongFunction<RuntimeUsage.Row> kib) {
		return median(rows.stream().mapToDouble(r -> kib.applyAsLong(r) / 1024.0).sorted().toArray());
	}

	// ---- counting

	/** Module to number of tasks, as the runtime's status table says. */
	private Map<String, Integer> runtimeTasks() {
		Map<String, Integer> tasks = new HashMap<>();
		try {
			ExportedRuntime.Result r = runtime.request("status");
			r.out().lines().skip(1).map(l -> l.trim().split("\\s+")).filter(f -> f.length > 4 && f[4].matches("[0-9]+"))
					.forEach(f -> tasks.put(f[0], Integer.parseInt(f[4])));
		} catch (IOException e) {
			// not answering yet
		}
		return tasks;
	}

	/** Module of this run to the number of its tagged processes (not zombies), in one pass over /proc. */
	private static Map<String, Integer> taggedOnMachine(String run) throws IOException {
		Map<String, Integer> counts = new TreeMap<>();
		try (DirectoryStream<Path> dirs = Files.newDirectoryStream(Path.of("/proc"), "[0-9]*")) {
			for (Path dir : dirs) {
				int pid = Integer.parseInt(dir.getFileName().toString());
				String tag = MainProcessWatch.tag(pid);
				if (tag != null && tag.startsWith("ld" + run) && io.pidwatcher.testing.Proc.task(pid) != null) {
					counts.merge(tag, 1, Integer::sum);
				}
			}
		}
		return counts;
	}

	private static final Pattern JOURNAL_LINE = Pattern.compile("\"module\":\"([^\"]+)\".*\"from\":\"([a-z ]+)\",\"to\":\"([a-z ]+)\"");

	/** Deaths (transitions into failed, not the strategy's failed -> failed line) and starts, per module. */
	private Map<String, JournalCounts> journalCounts() throws IOException {
		List<String> lines = new ArrayList<>();
		Path rotated = home.resolve("var/watchdog/journal.jsonl.1");
		if (Files.exists(rotated)) {
			lines.addAll(Files.readAllLines(rotated, StandardCharsets.UTF_8));
		}
		lines.addAll(runtime.journal());
		// {failures, restarts, stopped before restart, a death waiting for its restart}
		Map<String, int[]> counts = new HashMap<>();
		for (String line : lines) {
			Matcher m = JOURNAL_LINE.matcher(line);
			if (!m.find()) {
				continue;
			}
			int[] c = counts.computeIfAbsent(m.group(1), k -> new int[4]);
			String from = m.group(2);
			String to = m.group(3);
			if (to.equals("failed") && !from.equals("failed")) {
				c[0]++;
				c[3] = 1;
			} else if (to.equals("starting") && c[3] == 1) {
				c[1]++;
				c[3] = 0;
			} else if ((to.equals("stopping") || to.equals("stopped")) && c[3] == 1 && line.contains("request")) {
				c[2]++;
				c[3] = 0;
			}
		}
		Map<String, JournalCounts> result = new HashMap<>();
		counts.forEach((k, v) -> result.put(k, new JournalCounts(v[0], v[1], v[2])));
		return result;
	}

	/**
	 * Stops modules through the control socket, many at a time (stops running together share their
	 * scans); each stop returns once its tree is gone.
	 */
	private void stopAll(List<String> modules) throws Exception {
		ExecutorService pool = Executors.newFixedThreadPool(32);
		try {
			List<Future<ExportedRuntime.Result>> results = new ArrayList<>();
			for (String m : modules) {
				results.add(pool.submit(() -> runtime.request("stop", m)));
			}
			for (int i = 0; i < modules.size(); i++) {
				ExportedRuntime.Result r = results.get(i).get();
				assertThat(r.status()).as("stop %s: %s", modules.get(i), r.out()).isZero();
			}
		} finally {
			pool.shutdownNow();
		}
	}

	// ---- the machine

	/**
	 * 5,000 sleeping processes plus the trees being replaced need pids, a process limit and some
	 * memory; say plainly what is missing instead of failing somewhere in the middle.
	 */
	private static void checkMachineLimits() throws Exception {
		int needed = MODULES * TASKS_PER_MODULE * 2; // while a crashed tree's children wait for their stop, a new tree runs
		long pidMax = sysctl("kernel/pid_max");
		long threadsMax = sysctl("kernel/threads-max");
		String nproc = sh("ulimit -u");
		long availableMib = Files.readAllLines(Path.of("/proc/meminfo")).stream().filter(l -> l.startsWith("MemAvailable:"))
				.mapToLong(l -> Long.parseLong(l.split("\\s+")[1]) / 1024).findFirst().orElse(0);
		int running = RuntimeUsage.processesOnMachine();
		System.out.printf("SOAK machine: %d cores, pid_max=%d, threads-max=%d, ulimit -u=%s, MemAvailable=%d MiB, "
				+ "%d processes running, load %s; needs about %d more processes%n", Runtime.getRuntime().availableProcessors(),
				pidMax, threadsMax, nproc, availableMib, running, Files.readString(Path.of("/proc/loadavg")).trim(), needed);
		assertThat(pidMax - running).as("free pids (raise /proc/sys/kernel/pid_max)").isGreaterThan(needed);
		assertThat(threadsMax - running).as("free tasks (raise /proc/sys/kernel/threads-max)").isGreaterThan(needed);
		assertThat(nproc.equals("unlimited") || Long.parseLong(nproc) > needed + running)
				.as("ulimit -u %s too low for %d more processes (raise it: ulimit -u unlimited)", nproc, needed).isTrue();
		assertThat(availableMib).as("MemAvailable MiB (5,000 small processes and the runtime)").isGreaterThan(1024);
	}

	/**
	 * A /proc/sys value. Read with a stream: Files.readAllBytes trusts the file's size, and on
	 * /proc/sys files (size 0) it returned only the first byte ("3" for 32768) here.
	 */
	private static long sysctl(String name) throws IOException {
		try (var in = new java.io.FileInputStream("/proc/sys/" + name)) {
			return Long.parseLong(new String(in.readAllBytes(), StandardCharsets.US_ASCII).trim());
		}
	}

	private static String sh(String script) throws Exception {
		Process p = new ProcessBuilder("bash", "-c", script).redirectErrorStream(true).start();
		String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
		p.waitFor();
		return out;
	}

	private static long clockTicks() throws Exception {
		return Long.parseLong(sh("getconf CLK_TCK"));
	}

	/** The heap settings of the runtime JVM as it runs (ExportedRuntime starts it as a user would: no -Xmx). */
	private static String heapSettings(long pid) {
		String flags = jcmd(pid, "VM.flags");
		List<String> heap = Arrays.stream(flags.split("\\s+"))
				.filter(f -> f.matches("-XX:(\\+|-)?(InitialHeapSize|MaxHeapSize|UseG1GC|UseSerialGC|UseParallelGC).*")).toList();
		return "heap: " + (heap.isEmpty() ? "(jcmd said: " + flags.strip() + ")" : String.join(" ", heap)) + " (no -Xmx given)";
	}

	private static String jcmd(long pid, String command) {
		try {
			Process p = new ProcessBuilder("jcmd", Long.toString(pid), command).redirectErrorStream(true).start();
			String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
			p.waitFor();
			return out;
		} catch (Exception e) {
			return "jcmd failed: " + e;
		}
	}

	// ---- small things

	static Duration duration(String text) {
		Matcher m = Pattern.compile("([0-9]+)(ms|s|m|h)").matcher(text.trim());
		if (!m.matches()) {
			throw new IllegalArgumentException("pidwatcher.soak.duration: " + text + " (e.g. 2m, 90s, 10m)");
		}
		long n = Long.parseLong(m.group(1));
		return switch (m.group(2)) {
			case "ms" -> Duration.ofMillis(n);
			case "s" -> Duration.ofSeconds(n);
			case "m" -> Duration.ofMinutes(n);
			default -> Duration.ofHours(n);
		};
	}

	private static double median(double[] sorted) {
		return sorted.length == 0 ? 0 : sorted[sorted.length / 2];
	}

	private static long percentile(List<Long> sorted, int p) {
		return sorted.isEmpty() ? -1 : sorted.get(Math.min(sorted.size() - 1, (int) Math.ceil(p / 100.0 * sorted.size()) - 1));
	}
}
