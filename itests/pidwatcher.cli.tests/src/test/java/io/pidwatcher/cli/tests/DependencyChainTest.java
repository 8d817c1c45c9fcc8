package io.pidwatcher.cli.tests;

import static org.assertj.core.api.Assertions.assertThat;

import io.pidwatcher.testing.ExportedRuntime;
import io.pidwatcher.testing.Proc;
import io.pidwatcher.testing.TestPrograms;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.UUID;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Issue 14 part 6, the chain: five modules a <- b <- c <- d <- e, each requiring the one before,
 * and a branch x requiring b, as real processes under the exported runtime. Random kills (the
 * seed is printed; -Dchain.seed=N repeats a run): each kill stops what requires the killed module
 * before it starts again, and starts them again after it; the journal says in which order, /proc
 * says which processes really changed. A restart of c restarts d and e after it. Then a stop of a
 * stops the others first, deepest first. And a runtime ending with --exit-modules=stop stops a chain
 * deepest first; the next one starts it in order.
 */
class DependencyChainTest {

	private static final Duration WAIT = Duration.ofSeconds(60);
	private static final int KILLS = 4;
	private static final Pattern LINE = Pattern.compile("\"module\":\"([^\"]+)\".*\"from\":\"([^\"]+)\",\"to\":\"([^\"]+)\"");

	private Path home;
	private ExportedRuntime runtime;
	private String prefix;
	/** Module (short name) to what it requires. */
	private final Map<String, String> requires = new HashMap<>();
	private final List<String> all = List.of("a", "b", "c", "d", "e", "x");

	/** One change of state in the journal, in the journal's order. */
	record Change(String module, String from, String to) {
	}

	@BeforeEach
	void setUp() throws Exception {
		home = Files.createTempDirectory("pw-chain"); // in /tmp: a Unix socket path must stay under 108 bytes
		Files.createDirectories(home.resolve("etc"));
		runtime = new ExportedRuntime(home);
		prefix = "ch" + UUID.randomUUID().toString().substring(0, 5) + "-";
		requires.putAll(Map.of("b", "a", "c", "b", "d", "c", "e", "d", "x", "b"));
	}

	@AfterEach
	void tearDown() throws Exception {
		try {
			runtime.kill9();
			for (Process jvm : jvms) {
				jvm.destroyForcibly();
				jvm.waitFor(30, java.util.concurrent.TimeUnit.SECONDS);
			}
		} finally {
			for (String m : all) {
				TestPrograms.killTagged("PIDWATCHER_MODULE", prefix + m);
			}
			runtime.delete();
		}
	}

	@Test
	void aChainStartsInOrderRestartsWhatRequiresAKilledModuleAndStopsDeepestFirst() throws Exception {
		long seed = Long.getLong("chain.seed", System.nanoTime());
		System.out.println("DependencyChainTest seed " + seed + " (repeat with -Dchain.seed=" + seed + ")");
		Random random = new Random(seed);
		// written from the end of the chain, so FileInstall may well define a dependent first
		for (String m : List.of("e", "x", "d", "c", "b", "a")) {
			String config = "command=" + TestPrograms.pwtest() + " sleep 600\ninterval=200ms\nstop.timeout=2s\n"
					+ "strategy=fixed\nstrategy.delay=200ms\n" + (requires.containsKey(m) ? "requires=" + prefix + requires.get(m) + "\n" : "");
			Files.writeString(home.resolve("etc/pidwatcher.module-" + prefix + m + ".cfg"), config);
		}
		runtime.start();
		awaitAllRunning("all six running");
		List<Change> boot = changes();
		for (String m : requires.keySet()) {
			int started = first(boot, 0, m, null, "starting");
			int required = first(boot, 0, requires.get(m), "starting", "running");
			assertThat(started).as("%s starts after %s runs (journal %s)", m, requires.get(m), boot)
					.isGreaterThan(required).isPositive();
		}

		for (int k = 0; k < KILLS; k++) {
			String victim = all.get(random.nextInt(all.size()));
			Set<String> dependents = dependentsOf(victim);
			Map<String, Proc.Task> before = mains();
			int journalBefore = changes().size();
			System.out.println("kill " + (k + 1) + ": kill -9 " + victim + " (pid " + before.get(victim).pid()
					+ "); must restart " + dependents);
			long killed = System.nanoTime();
			ProcessHandle.of(before.get(victim).pid()).ifPresent(ProcessHandle::destroyForcibly);
			ExportedRuntime.until(WAIT, victim + " and what requires it running again", () -> {
				try {
					Map<String, Proc.Task> now = mains();
					return runtime.states().entrySet().stream().filter(s -> s.getKey().startsWith(prefix))
							.allMatch(s -> s.getValue().equals("running")) && now.size() == all.size()
							&& !now.get(victim).equals(before.get(victim))
							&& dependents.stream().allMatch(d -> !now.get(d).equals(before.get(d)))
							&& lastStarts(victim, dependents, journalBefore);
				} catch (Exception e) {
					return false;
				}
			});
			System.out.printf("kill %d: %s and %d dependents running again after %d ms (kill to the test's poll seeing it)%n",
					k + 1, victim, dependents.size(), (System.nanoTime() - killed) / 1_000_000);
			Map<String, Proc.Task> after = mains();
			for (String m : all) {
				if (m.equals(victim) || dependents.contains(m)) {
					assertThat(after.get(m)).as("%s: a new process", m).isNotEqualTo(before.get(m));
					assertThat(Proc.alive(before.get(m))).as("%s: the old process is gone", m).isFalse();
				} else {
					assertThat(after.get(m)).as("%s is not touched by a kill of %s", m, victim).isEqualTo(before.get(m));
				}
			}
			List<Change> c = changes();
			List<Change> round = c.subList(journalBefore, c.size());
			int victimFailed = first(c, journalBefore, victim, "running", "failed");
			int victimStarts = first(c, journalBefore, victim, null, "starting");
			assertThat(victimFailed).as("%s failed (journal %s)", victim, round).isPositive();
			assertThat(victimStarts).isGreaterThan(victimFailed);
			for (String d : dependents) {
				int stopping = first(c, journalBefore, d, "running", "stopping");
				int stopped = first(c, journalBefore, d, "stopping", "waiting");
				int started = first(c, journalBefore, d, null, "starting");
				int requiredRuns = first(c, journalBefore, requires.get(d), "starting", "running");
				assertThat(stopping).as("%s stopped after %s failed (journal %s)", d, victim, round).isGreaterThan(victimFailed);
				assertThat(stopped).as("%s stopped before %s starts again (journal %s)", d, victim, round)
						.isPositive().isLessThan(victimStarts);
				assertThat(started).as("%s started again after %s runs (journal %s)", d, requires.get(d), round)
						.isGreaterThan(requiredRuns).isGreaterThan(stopped);
				for (String dd : dependentsOf(d)) {
					assertThat(first(c, journalBefore, dd, "stopping", "waiting")).as("%s stopped before %s", dd, d)
							.isLessThan(stopped);
				}
			}
			for (String m : all) {
				if (!m.equals(victim) && !dependents.contains(m)) {
					assertThat(first(c, journalBefore, m, null, "stopping")).as("%s untouched (journal %s)", m, round)
							.isNegative();
				}
			}
		}

		// pw:restart of c restarts d and e with it, after it runs again; a, b and x are untouched
		Map<String, Proc.Task> beforeRestart = mains();
		int restartFrom = changes().size();
		ExportedRuntime.Result restart = runtime.request("restart", prefix + "c");
		assertThat(restart.status()).as(restart.out()).isZero();
		ExportedRuntime.until(WAIT, "c, d and e running again after the restart of c", () -> {
			try {
				Map<String, Proc.Task> now = mains();
				return now.size() == all.size() && lastStarts("c", Set.of("d", "e"), restartFrom)
						&& runtime.states().entrySet().stream().filter(s -> s.getKey().startsWith(prefix))
								.allMatch(s -> s.getValue().equals("running"));
			} catch (Exception e) {
				return false;
			}
		});
		Map<String, Proc.Task> afterRestart = mains();
		for (String m : all) {
			assertThat(afterRestart.get(m).equals(beforeRestart.get(m))).as("%s restarted with c", m)
					.isEqualTo(!Set.of("c", "d", "e").contains(m));
		}
		List<Change> r = changes();
		int cStopped = first(r, restartFrom, "c", "stopping", "stopped");
		assertThat(first(r, restartFrom, "e", "stopping", "waiting")).as("e stopped first (journal %s)",
				r.subList(restartFrom, r.size())).isLessThan(first(r, restartFrom, "d", "stopping", "waiting"));
		assertThat(first(r, restartFrom, "d", "stopping", "waiting")).isPositive().isLessThan(cStopped);
		assertThat(first(r, restartFrom, "d", null, "starting")).isGreaterThan(first(r, restartFrom, "c", "starting", "running"));

		int journalBefore = changes().size();
		ExportedRuntime.Result stop = runtime.request("stop", prefix + "a");
		assertThat(stop.status()).as(stop.out()).isZero();
		for (String m : all) {
			assertThat(Proc.tagged(prefix + m)).as("%s stopped: no process left", m).isEmpty();
		}
		ExportedRuntime.until(WAIT, "six stops in the journal", () -> {
			try {
				return changes().subList(journalBefore, changes().size()).stream().filter(ch -> ch.to().equals("stopped"))
						.count() == all.size();
			} catch (Exception e) {
				return false;
			}
		});
		List<Change> c = changes();
		for (String m : requires.keySet()) {
			assertThat(first(c, journalBefore, m, "stopping", "stopped")).as("%s stopped before %s (journal %s)", m,
					requires.get(m), c.subList(journalBefore, c.size()))
					.isLessThan(first(c, journalBefore, requires.get(m), null, "stopping"));
		}
		assertThat(runtime.states().get(prefix + "e")).isEqualTo("stopped");
	}

	@Test
	void withExitModulesStopTheRuntimeStopsAChainDeepestFirstAndTheNextStartsItInOrder() throws Exception {
		List<String> chain = List.of("a", "b", "c", "d", "e");
		for (String m : List.of("e", "d", "c", "b", "a")) {
			Files.writeString(home.resolve("etc/pidwatcher.module-" + prefix + m + ".cfg"), "command=" + TestPrograms.pwtest()
					+ " sleep 600\ninterval=200ms\nstop.timeout=2s\n" + (m.equals("a") ? "" : "requires=" + prefix + requires.get(m) + "\n"));
		}
		Process first = pidwatcherd("--exit-modules=stop");
		ExportedRuntime.until(WAIT, "the chain running", () -> {
			Map<String, String> s = runtime.states();
			return chain.stream().allMatch(m -> "running".equals(s.get(prefix + m)));
		});
		int journalBefore = changes().size();
		first.destroy(); // SIGTERM
		assertThat(first.waitFor(60, java.util.concurrent.TimeUnit.SECONDS)).as("the runtime ends after SIGTERM").isTrue();
		for (String m : chain) {
			assertThat(Proc.tagged(prefix + m)).as("%s: no process left", m).isEmpty();
		}
		List<Change> c = changes();
		for (String m : List.of("b", "c", "d", "e")) {
			assertThat(first(c, journalBefore, m, "stopping", "stopped")).as("%s stopped before %s stops (journal %s)", m,
					requires.get(m), c.subList(journalBefore, c.size()))
					.isPositive().isLessThan(first(c, journalBefore, requires.get(m), "stopping", "stopped"));
		}

		int restartFrom = changes().size();
		Process second = pidwatcherd();
		ExportedRuntime.until(WAIT, "the chain running again", () -> {
			Map<String, String> s = runtime.states();
			return chain.stream().allMatch(m -> "running".equals(s.get(prefix + m)));
		});
		List<Change> again = changes();
		for (String m : List.of("b", "c", "d", "e")) {
			assertThat(first(again, restartFrom, m, null, "starting")).as("%s starts after %s runs (journal %s)", m,
					requires.get(m), again.subList(restartFrom, again.size()))
					.isGreaterThan(first(again, restartFrom, requires.get(m), "starting", "running"));
		}
		second.destroy();
		assertThat(second.waitFor(60, java.util.concurrent.TimeUnit.SECONDS)).isTrue();
	}

	private final List<Process> jvms = new ArrayList<>();

	private Process pidwatcherd(String... args) throws java.io.IOException {
		List<String> command = new ArrayList<>(List.of(ExportedRuntime.BIN.resolve("pidwatcherd").toString(), "--home",
				home.toString(), "--jar", ExportedRuntime.JAR.toString()));
		command.addAll(List.of(args));
		ProcessBuilder builder = new ProcessBuilder(command);
		builder.environment().remove("PIDWATCHER_EXIT_MODULES");
		Process jvm = builder.directory(home.toFile()).redirectErrorStream(true)
				.redirectOutput(ProcessBuilder.Redirect.appendTo(home.resolve("runtime.out").toFile()))
				.redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null"))).start();
		jvms.add(jvm);
		return jvm;
	}

	private void awaitAllRunning(String what) throws InterruptedException {
		ExportedRuntime.until(WAIT, what, () -> {
			Map<String, String> s = runtime.states();
			return all.stream().allMatch(m -> "running".equals(s.get(prefix + m))) && mains().size() == all.size();
		});
	}

	/** Each module's one process, as /proc shows it (a module without exactly one process is left out). */
	private Map<String, Proc.Task> mains() {
		Map<String, Proc.Task> out = new HashMap<>();
		for (String m : all) {
			List<Proc.Task> t = Proc.tagged(prefix + m);
			if (t.size() == 1) {
				out.put(m, t.get(0));
			}
		}
		return out;
	}

	/** What requires m, directly or not. */
	private Set<String> dependentsOf(String m) {
		Set<String> out = new LinkedHashSet<>();
		for (String d : all) {
			for (String r = requires.get(d); r != null; r = requires.get(r)) {
				if (r.equals(m)) {
					out.add(d);
				}
			}
		}
		return out;
	}

	/** Whether the journal, from index from, has the victim and each dependent starting and running again. */
	private boolean lastStarts(String victim, Set<String> dependents, int from) throws Exception {
		List<Change> c = changes();
		if (first(c, from, victim, "starting", "running") < 0) {
			return false;
		}
		return dependents.stream().allMatch(d -> first(c, from, d, "starting", "running") >= 0);
	}

	/** Index of the first change of module (short name) from..to at or after start; from null: any; -1 if none. */
	private int first(List<Change> changes, int start, String module, String from, String to) {
		for (int i = start; i < changes.size(); i++) {
			Change ch = changes.get(i);
			if (ch.module().equals(prefix + module) && ch.to().equals(to) && (from == null || ch.from().equals(from))
					&& !ch.from().equals(ch.to())) {
				return i;
			}
		}
		return -1;
	}

	/** The journal's changes of state of this test's modules, in order. */
	private List<Change> changes() throws Exception {
		List<Change> out = new ArrayList<>();
		for (String line : runtime.journal()) {
			Matcher m = LINE.matcher(line);
			if (m.find() && m.group(1).startsWith(prefix) && !m.group(2).equals(m.group(3))) {
				out.add(new Change(m.group(1), m.group(2), m.group(3)));
			}
		}
		return out;
	}
}
