package io.pidwatcher.reliability.tests;

import static org.assertj.core.api.Assertions.assertThat;

import io.pidwatcher.testing.TestPrograms;
import io.pidwatcher.testing.ExportedRuntime;
import io.pidwatcher.testing.Proc;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.Random;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * kill -9 of the runtime at seeded random points (while a module starts, while one stops, while
 * one waits out its backoff), then a new runtime: no module is lost, none runs twice, and stopping
 * leaves nothing behind. The seed is printed; -Dpidwatcher.seed=N replays a run.
 */
class RuntimeFaultsTest {

	private static final Duration WAIT = Duration.ofSeconds(60);
	private static final int ITERATIONS = 4;

	/** Where the kill lands. */
	private enum Point { STARTING, STOPPING, BACKOFF }

	private Path home;
	private ExportedRuntime runtime;
	private final List<String> modules = new ArrayList<>();

	@BeforeEach
	void setUp() throws Exception {
		home = Files.createTempDirectory("pw-rel-kill");
		Files.createDirectories(home.resolve("etc"));
		runtime = new ExportedRuntime(home);
	}

	@AfterEach
	void tearDown() throws Exception {
		runtime.kill9();
		for (String m : modules) {
			TestPrograms.killTagged("PIDWATCHER_MODULE", m);
		}
		runtime.delete();
	}

	/** The adoption state file as the runtime left it, for a failure's diagnostics. */
	private String readState() {
		try {
			return Files.readString(home.resolve("var/watchdog/state.properties")).replace('\n', ' ');
		} catch (IOException e) {
			return "unreadable: " + e;
		}
	}

	private String module(String prefix, String config) throws Exception {
		String name = prefix + Long.toString(System.nanoTime() % 46656, 36);
		modules.add(name);
		Files.writeString(home.resolve("etc/pidwatcher.module-" + name + ".cfg"),
				"interval=200ms\nstop.timeout=2s\n" + config.replace("PWTEST", TestPrograms.pwtest().toString()));
		return name;
	}

	@Test
	void aRuntimeKilledAtRandomPointsNeverLosesNorDoublesAModuleAndStopLeavesNothing() throws Exception {
		long seed = Long.getLong("pidwatcher.seed", 20261125L);
		Random random = new Random(seed);
		String steady = module("steady", "command=PWTEST sleep 600\n");
		// ignores SIGTERM: its stop lasts the whole stop.timeout, a wide window to land a kill in
		String toggled = module("toggled", "command=PWTEST ignore-term 600\n");
		String flappy = module("flappy", "command=PWTEST crash 300 1\nstrategy=backoff\nstrategy.initial=2s\nstrategy.max=2s\n");
		runtime.start();
		ExportedRuntime.until(WAIT, "steady and toggled running",
				() -> runtime.state(steady).equals("running") && runtime.state(toggled).equals("running"));
		List<Proc.Task> steadyTasks = Proc.tagged(steady);
		assertThat(steadyTasks).hasSize(1);

		int duplicates = 0;
		int lost = 0;
		int adoptions = 0;
		for (int i = 0; i < ITERATIONS; i++) {
			Point point = Point.values()[i < Point.values().length ? i : random.nextInt(Point.values().length)];
			long delay = random.nextInt(point == Point.STOPPING ? 1500 : 300);
			switch (point) {
				case STARTING -> {
					if (!runtime.state(toggled).equals("stopped")) {
						assertThat(runtime.request("stop", toggled).status()).isZero();
					}
					runtime.raw(("start\t" + toggled + "\n").getBytes()); // answers once it is starting
					Thread.sleep(delay);
				}
				case STOPPING -> {
					if (!runtime.state(toggled).equals("running")) {
						runtime.request("start", toggled);
						ExportedRuntime.until(WAIT, "toggled running", () -> runtime.state(toggled).equals("running"));
					}
					Thread stopper = new Thread(() -> {
						try {
							runtime.request("stop", toggled);
						} catch (Exception e) {
							// the runtime died under the request: that is the point
						}
					});
					stopper.start();
					Thread.sleep(200 + delay);
				}
				case BACKOFF -> {
					ExportedRuntime.until(WAIT, "flappy in backoff", () -> runtime.state(flappy).equals("waiting"));
					Thread.sleep(delay);
				}
			}
			String toggledBefore = runtime.state(toggled);
			int journalBefore = runtime.journal().size();
			runtime.kill9();
			runtime.start();
			ExportedRuntime.until(WAIT, "the new runtime answers with steady running", () -> runtime.state(steady).equals("running"));
			// settle: toggled ends running or stopped, flappy keeps cycling; sample for duplicates meanwhile
			int maxCopies = 0;
			long settle = System.nanoTime() + Duration.ofSeconds(3).toNanos();
			while (System.nanoTime() < settle) {
				for (String m : modules) {
					maxCopies = Math.max(maxCopies, mainProcesses(m));
				}
				Thread.sleep(100);
			}
			ExportedRuntime.until(WAIT, "toggled settled", () -> List.of("running", "stopped").contains(runtime.state(toggled)));
			ExportedRuntime.until(WAIT, "flappy seen running again", () -> Proc.tagged(flappy).size() == 1);
			List<String> journal = runtime.journal();
			List<String> after = journal.subList(Math.min(journalBefore, journal.size()), journal.size());
			long adopted = after.stream().filter(l -> l.contains("adopted")).count();
			adoptions += adopted;
			duplicates += Math.max(0, maxCopies - 1);
			String toggledState = runtime.state(toggled);
			int toggledCopies = mainProcesses(toggled);
			boolean toggledConsistent = toggledState.equals("running") ? toggledCopies == 1 : toggledCopies == 0;
			boolean steadySame = Proc.tagged(steady).equals(steadyTasks.stream().map(t -> Proc.task(t.pid())).toList())
					&& steadyTasks.stream().allMatch(Proc::alive);
			lost += (toggledConsistent ? 0 : 1) + (steadySame ? 0 : 1);
			System.out.printf("RELIABILITY runtime-kill seed=%d iteration=%d point=%s delay=%dms toggled %s->%s "
					+ "adoption-lines=%d max-copies=%d toggled-consistent=%s steady-same-process=%s%n", seed, i, point,
					delay, toggledBefore, toggledState, adopted, maxCopies, toggledConsistent, steadySame);
			assertThat(maxCopies).as("iteration %d (%s): copies of one module", i, point).isLessThanOrEqualTo(1);
			assertThat(toggledConsistent).as("iteration %d (%s): toggled %s with %d processes", i, point, toggledState,
					toggledCopies).isTrue();
			assertThat(steadySame).as("iteration %d: steady is the very same process", i).isTrue();
			assertThat(adopted).as("iteration %d: the journal tells the adoption", i).isGreaterThanOrEqualTo(1);
		}

		for (String m : modules) {
			ExportedRuntime.Result r = runtime.request("stop", m);
			assertThat(r.status()).as("stop %s: %s", m, r.out()).isZero();
		}
		Thread.sleep(500);
		int orphans = modules.stream().mapToInt(m -> Proc.tagged(m).size()).sum();
		System.out.printf("RELIABILITY runtime-kill seed=%d TOTAL kills=%d adoption-lines=%d restarted=%d duplicates=%d "
				+ "orphans=%d lost=%d%n", seed, ITERATIONS, adoptions, ITERATIONS, duplicates, orphans, lost);
		assertThat(orphans).as("tagged processes left after stopping every module").isZero();
	}

	/**
	 * The sweep: a busy runtime (modules starting and stopping by requests on the control socket,
	 * crashing, waiting out a backoff, a daemonizing tree, a tree of seven) killed with -9 at K
	 * seeded random instants ({@code -Dpidwatcher.sweep.kills=K}, 10 by default), each followed by
	 * a new runtime. After each: no module twice (sampled), none lost, stopped ones leave nothing, a
	 * toggled module whose last request was answered before the kill is in the state asked for,
	 * and the journal tells the adoptions.
	 */
	@Test
	void aSweepOfKillsAtRandomInstantsOfABusyRuntimeNeitherLosesNorDoublesAnyModule() throws Exception {
		long seed = Long.getLong("pidwatcher.seed", 20261125L);
		int kills = Integer.getInteger("pidwatcher.sweep.kills", 10);
		Random random = new Random(seed);
		// programs that outlive any sweep (-Dpidwatcher.sweep.kills=30 runs 11 minutes): an always-running
		// module whose program ends by itself would be taken for a module lost
		String steady = module("steady", "command=PWTEST sleep 7200\n");
		String slowStop = module("slowstop", "command=PWTEST ignore-term 600\n"); // a stop lasts stop.timeout
		String quickStop = module("quickstop", "command=PWTEST sleep 600\n");
		String flappy = module("flappy", "command=PWTEST crash 300 1\nstrategy=backoff\nstrategy.initial=1s\nstrategy.max=1s\n");
		String crashy = module("crashy", "command=PWTEST crash 700 2\n");
		String daemon = module("daemon", "command=PWTEST daemon " + home.resolve("daemon.pid") + " 7200\n");
		String tree = module("tree", "command=PWTEST tree 2 2 7200\n");
		List<String> always = List.of(steady, daemon, tree);
		List<String> toggled = List.of(slowStop, quickStop);
		runtime.start();
		ExportedRuntime.until(WAIT, "the steady modules running", () -> {
			Map<String, String> states = runtime.states();
			return always.stream().allMatch(m -> "running".equals(states.get(m)));
		});
		Proc.Task steadyMain = Proc.tagged(steady).get(0);
		Proc.Task daemonMain = Proc.tagged(daemon).get(0);

		ToggleDriver driver = new ToggleDriver(runtime, toggled, new Random(seed + 1));
		driver.start();
		int duplicates = 0;
		int lost = 0;
		int orphans = 0;
		int adoptions = 0;
		int inconsistent = 0;
		try {
			for (int k = 0; k < kills; k++) {
				long delay = 300 + random.nextInt(2000);
				Thread.sleep(delay);
				Map<String, String> before = runtime.states();
				int journalBefore = runtime.journal().size();
				runtime.kill9();
				Map<String, ToggleDriver.Asked> asked = driver.pauseAndReport();
				long started = System.nanoTime();
				runtime.start();
				ExportedRuntime.until(WAIT, "the new runtime answers", runtime::answers);
				long answeredMs = (System.nanoTime() - started) / 1_000_000;
				int maxCopies = 0;
				long sampleUntil = System.nanoTime() + Duration.ofMillis(1500).toNanos();
				while (System.nanoTime() < sampleUntil) {
					maxCopies = Math.max(maxCopies, MainProcesses.count(modules).values().stream().max(Integer::compare).orElse(0));
					Thread.sleep(50);
				}
				List<String> problems = new ArrayList<>();
				boolean settled = DiskFullTest.eventually(WAIT, () -> {
					Map<String, String> s = runtime.states();
					return always.stream().allMatch(m -> "running".equals(s.get(m)))
							&& toggled.stream().allMatch(m -> List.of("running", "stopped").contains(s.get(m)));
				});
				if (!settled) {
					problems.add("did not settle: " + runtime.states());
				}
				Map<String, String> after = runtime.states();
				Map<String, Integer> copies = MainProcesses.count(modules);
				for (String m : always) {
					if (copies.get(m) != 1) {
						problems.add(m + " runs " + copies.get(m) + " times");
					}
				}
				if (Proc.tagged(tree).size() != 7) {
					problems.add("the tree has " + Proc.tagged(tree).size() + " tasks, not 7");
				}
				if (!Proc.alive(steadyMain) || !Proc.alive(daemonMain)) {
					problems.add("steady or the daemon is not the same process any more");
				}
				int lostNow = 0;
				int orphansNow = 0;
				for (String m : toggled) {
					String state = after.get(m);
					int n = copies.get(m);
					if ("running".equals(state) && n != 1) {
						problems.add(m + " running with " + n + " main processes");
						lostNow += n == 0 ? 1 : 0;
					} else if ("stopped".equals(state) && n != 0) {
						problems.add(m + " stopped, yet " + n + " processes run");
						orphansNow += n;
					}
					ToggleDriver.Asked a = asked.get(m);
					if (a != null && a.certain() && !a.state().equals(state)) {
						problems.add(m + ": its last request, answered before the kill, was " + a.verb() + ", now " + state);
						inconsistent++;
					}
				}
				boolean cycling = DiskFullTest.eventually(WAIT, () -> Proc.tagged(flappy).size() == 1)
						&& DiskFullTest.eventually(WAIT, () -> Proc.tagged(crashy).size() == 1);
				if (!cycling) {
					problems.add("flappy or crashy not started again");
					lostNow++;
				}
				List<String> journal = runtime.journal();
				List<String> since = journal.subList(Math.min(journalBefore, journal.size()), journal.size());
				long adopted = since.stream().filter(l -> l.contains("adopted")).count();
				if (adopted < always.size()) {
					problems.add("the journal tells " + adopted + " adoptions, fewer than the " + always.size() + " always-running modules");
				}
				adoptions += adopted;
				duplicates += Math.max(0, maxCopies - 1);
				lost += lostNow;
				orphans += orphansNow;
				System.out.printf("RELIABILITY runtime-kill-sweep seed=%d kill=%d after=%dms states-at-kill=%s asked=%s "
						+ "answered-in=%dms states-after=%s adoption-lines=%d max-copies=%d problems=%s%n", seed, k, delay,
						shortStates(before), asked.values(), answeredMs, shortStates(after), adopted, maxCopies, problems);
				if (!problems.isEmpty()) {
					// what the runtimes journaled lately: why the modules are where they are
					journal.subList(Math.max(0, journal.size() - 60), journal.size()).forEach(l -> System.out.println("  journal: " + l));
					System.out.println("  state file: " + readState());
				}
				assertThat(maxCopies).as("kill %d: copies of one module", k).isLessThanOrEqualTo(1);
				assertThat(problems).as("kill %d", k).isEmpty();
				driver.resume();
			}
		} finally {
			driver.stop();
		}
		for (String m : modules) {
			assertThat(runtime.request("stop", m).status()).as("stop %s", m).isZero();
		}
		int left = MainProcesses.count(modules).values().stream().mapToInt(Integer::intValue).sum()
				+ modules.stream().mapToInt(m -> Proc.tagged(m).size()).sum();
		System.out.printf("RELIABILITY runtime-kill-sweep seed=%d TOTAL kills=%d requests=%d adoption-lines=%d "
				+ "duplicates=%d lost=%d orphans=%d stale-states=%d left-after-stop=%d%n", seed, kills, driver.answered(),
				adoptions, duplicates, lost, orphans, inconsistent, left);
		assertThat(left).as("tagged processes left after stopping every module").isZero();
	}

	/** "name=state" with the random suffix of each name cut, for one readable line per kill. */
	private String shortStates(Map<String, String> states) {
		StringBuilder b = new StringBuilder();
		states.forEach((m, s) -> b.append(b.length() == 0 ? "" : ",").append(m.replaceAll("[0-9a-z]{1,3}$", ""))
				.append('=').append(s));
		return b.toString();
	}

	/**
	 * Starts and stops modules through the control socket at random moments, and remembers per
	 * module the last request answered and whether one was cut by a kill (then either outcome is
	 * right).
	 */
	private static final class ToggleDriver {

		/** What was last asked of a module: certain when answered and nothing was cut since. */
		record Asked(String module, String verb, boolean certain) {
			String state() {
				return verb.equals("start") ? "running" : "stopped";
			}
		}

		private final ExportedRuntime runtime;
		private final List<String> modules;
		private final Random random;
		private final Map<String, Asked> asked = new java.util.concurrent.ConcurrentHashMap<>();
		private final Object requestLock = new Object();
		private volatile boolean paused;
		private volatile boolean stopped;
		private int answered;
		private final Thread thread = new Thread(this::run, "toggle-driver");

		ToggleDriver(ExportedRuntime runtime, List<String> modules, Random random) {
			this.runtime = runtime;
			this.modules = modules;
			this.random = random;
		}

		void start() {
			thread.start();
		}

		private void run() {
			while (!stopped) {
				try {
					Thread.sleep(50 + random.nextInt(450));
				} catch (InterruptedException e) {
					return;
				}
				synchronized (requestLock) {
					if (paused || stopped) {
						continue;
					}
					String m = modules.get(random.nextInt(modules.size()));
					String verb = random.nextBoolean() ? "start" : "stop";
					asked.put(m, new Asked(m, verb, false));
					try {
						ExportedRuntime.Result r = runtime.request(verb, m);
						if (r.status() == 0) {
							asked.put(m, new Asked(m, verb, true));
							answered++;
						}
					} catch (IOException e) {
						// the runtime died under the request: its outcome is unknown
					}
				}
			}
		}

		/** Waits for the request under way (if any) to end, then holds further ones; returns what was asked. */
		Map<String, Asked> pauseAndReport() {
			paused = true;
			synchronized (requestLock) {
				return new TreeMap<>(asked);
			}
		}

		void resume() {
			paused = false;
		}

		int answered() {
			synchronized (requestLock) {
				return answered;
			}
		}

		void stop() throws InterruptedException {
			stopped = true;
			thread.interrupt();
			thread.join();
		}
	}

	/**
	 * A runtime killed between the SIGSTOP and the SIGCONT of a whole-tree stop leaves the tree
	 * frozen. That window is milliseconds wide, too narrow to hit at random, so the test freezes the
	 * tree itself, exactly as the stop would have, and kills the runtime.
	 */
	@Test
	void aTreeLeftFrozenByAKilledRuntimeIsResumedWhenTheNextRuntimeAdoptsIt() throws Exception {
		String frozen = module("frozen", "command=PWTEST sleep 600\n");
		runtime.start();
		ExportedRuntime.until(WAIT, "frozen running", () -> runtime.state(frozen).equals("running"));
		Proc.Task main = Proc.tagged(frozen).get(0);
		assertThat(new ProcessBuilder("kill", "-STOP", Integer.toString(main.pid())).start().waitFor()).isZero();
		ExportedRuntime.until(WAIT, "the tree stopped", () -> state(main.pid()) == 'T');
		runtime.kill9();
		runtime.start();
		ExportedRuntime.until(WAIT, "adopted and resumed", () -> runtime.state(frozen).equals("running") && state(main.pid()) != 'T');
		boolean journaled = runtime.journal().stream().anyMatch(l -> l.contains("resumed 1 tasks found stopped"));
		System.out.printf("RELIABILITY frozen-tree kills=1 adopted=%s resumed=%s same-process=%s%n",
				runtime.state(frozen), state(main.pid()) != 'T', Proc.alive(main));
		assertThat(Proc.alive(main)).isTrue();
		assertThat(journaled).as("the journal tells the resume").isTrue();
		assertThat(runtime.request("stop", frozen).status()).isZero();
		assertThat(Proc.tagged(frozen)).isEmpty();
	}

	/**
	 * A stop by request, answered or not, is the user's last word on a module: a runtime killed while
	 * the stop waits for a tree that ignores SIGTERM must not leave the next runtime to adopt that
	 * tree as running. The next runtime finishes the stop.
	 */
	@Test
	void aStopCutShortByAKilledRuntimeIsFinishedByTheNextRuntime() throws Exception {
		String stubborn = module("stubborn", "command=PWTEST ignore-term 600\nstop.timeout=5s\n");
		runtime.start();
		ExportedRuntime.until(WAIT, "stubborn running", () -> runtime.state(stubborn).equals("running"));
		Thread stopper = new Thread(() -> {
			try {
				runtime.request("stop", stubborn);
			} catch (Exception e) {
				// the runtime dies under the request: that is the point
			}
		});
		stopper.start();
		ExportedRuntime.until(WAIT, "stubborn stopping", () -> runtime.state(stubborn).equals("stopping"));
		runtime.kill9();
		stopper.join(10_000);
		runtime.start();
		ExportedRuntime.until(WAIT, "the new runtime answers", runtime::answers);
		ExportedRuntime.until(WAIT, "stubborn stopped with nothing left",
				() -> runtime.state(stubborn).equals("stopped") && Proc.tagged(stubborn).isEmpty());
		boolean journaled = runtime.journal().stream().anyMatch(l -> l.contains("finishing the stop"));
		System.out.printf("RELIABILITY cut-stop kills=1 state=%s left=%d journaled=%s%n", runtime.state(stubborn),
				Proc.tagged(stubborn).size(), journaled);
		assertThat(journaled).as("the journal tells the stop was finished").isTrue();
		// and it stays stopped: no autostart undoes it, not even after another kill
		runtime.kill9();
		runtime.start();
		ExportedRuntime.until(WAIT, "the third runtime answers", runtime::answers);
		Thread.sleep(2000);
		assertThat(runtime.state(stubborn)).isEqualTo("stopped");
		assertThat(Proc.tagged(stubborn)).isEmpty();
	}

	private static char state(int pid) {
		try {
			String stat = Files.readString(Path.of("/proc", Integer.toString(pid), "stat"));
			return stat.charAt(stat.lastIndexOf(')') + 2);
		} catch (Exception e) {
			return '?';
		}
	}

	/** Tagged processes of a module whose parent is not tagged by it: one per running instance. */
	private static int mainProcesses(String module) {
		List<Proc.Task> tagged = Proc.tagged(module);
		return (int) tagged.stream().filter(t -> tagged.stream().noneMatch(p -> p.pid() == t.ppid())).count();
	}
}
