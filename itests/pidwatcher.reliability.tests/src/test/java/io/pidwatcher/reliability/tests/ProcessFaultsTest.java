package io.pidwatcher.reliability.tests;

import static org.assertj.core.api.Assertions.assertThat;

import io.pidwatcher.testing.TestPrograms;
import io.pidwatcher.testing.ExportedRuntime;
import io.pidwatcher.testing.Proc;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Programs that misbehave against their supervisor: a fork storm, a wiped or cleared environment,
 * a program gone before the first scan, zombies nobody reaps, a parent stuck in D state. Each is
 * detected, the tree restarted or kept as it should be, and a stop leaves nothing behind.
 */
class ProcessFaultsTest {

	private static final Duration WAIT = Duration.ofSeconds(60);

	private Path home;
	private ExportedRuntime runtime;
	private final List<String> modules = new ArrayList<>();

	@BeforeEach
	void setUp() throws Exception {
		home = Files.createTempDirectory("pw-rel-proc");
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

	private String module(String prefix, String config) throws Exception {
		String name = prefix + Long.toString(System.nanoTime() % 46656, 36);
		modules.add(name);
		Files.writeString(home.resolve("etc/pidwatcher.module-" + name + ".cfg"),
				"interval=200ms\nstop.timeout=2s\n" + config.replace("PWTEST", TestPrograms.pwtest().toString()));
		return name;
	}

	/** Failures journaled for a module whose reason contains the text (one per death or verdict). */
	private long journalCount(String module, String text) throws Exception {
		return runtime.journal().stream().filter(l -> l.contains("\"module\":\"" + module + "\"") && l.contains(text)
				&& l.contains("\"to\":\"failed\"") && !l.contains("\"from\":\"failed\"")).count();
	}

	/** Deaths seen: transitions into failed (not the strategy's failed -> failed decision line). */
	private long failures(String module) throws Exception {
		return runtime.journal().stream().filter(l -> l.contains("\"module\":\"" + module + "\"")
				&& l.contains("\"to\":\"failed\"") && !l.contains("\"from\":\"failed\"")).count();
	}

	private int restarts(String module) throws Exception {
		return runtime.request("status").out().lines().map(l -> l.trim().split("\\s+"))
				.filter(f -> f.length > 3 && f[0].equals(module)).mapToInt(f -> f[3].equals("-") ? 0 : Integer.parseInt(f[3]))
				.findFirst().orElse(-1);
	}

	private int stopAndCountLeft(String module) throws Exception {
		ExportedRuntime.Result r = runtime.request("stop", module);
		assertThat(r.status()).as("stop %s: %s", module, r.out()).isZero();
		return Proc.tagged(module).size();
	}

	@Test
	void aForkStormIsDetectedByTheTasksPolicyFrozenAndStoppedWhole() throws Exception {
		String storm = module("storm", "command=PWTEST storm 3000 600\npolicies=tasks\npolicy.tasks.max=50\n"
				+ "strategy=fixed\nstrategy.delay=3s\n");
		runtime.start();
		int peak = 0;
		long deadline = System.nanoTime() + WAIT.toNanos();
		while (journalCount(storm, "tasks (max 50)") == 0) {
			peak = Math.max(peak, Proc.tagged(storm).size());
			assertThat(System.nanoTime()).as("tasks policy fired").isLessThan(deadline);
			Thread.sleep(50);
		}
		ExportedRuntime.until(WAIT, "storm waiting for its restart", () -> runtime.state(storm).equals("waiting"));
		int leftOfFirstTree = Proc.tagged(storm).size();
		ExportedRuntime.until(WAIT, "storm restarted", () -> {
			try {
				return restarts(storm) >= 1;
			} catch (Exception e) {
				return false;
			}
		});
		int orphans = stopAndCountLeft(storm);
		long detected = journalCount(storm, "tasks (max 50)");
		System.out.printf("RELIABILITY fork-storm peak-tasks-seen=%d detected=%d restarted=%d left-of-stopped-tree=%d "
				+ "orphans-after-stop=%d%n", peak, detected, restarts(storm), leftOfFirstTree, orphans);
		assertThat(leftOfFirstTree).as("the whole stormed tree is gone before the restart").isZero();
		assertThat(orphans).isZero();
	}

	@Test
	void wipedAndClearedEnvironmentsStayTrackedAndAreStoppedWhole() throws Exception {
		Path pids = home.resolve("wipe.pids");
		String wipe = module("wipe", "command=PWTEST wipeenv " + pids + " 600\n");
		String clear = module("clear", "command=PWTEST clearenv 600\n");
		runtime.start();
		ExportedRuntime.until(WAIT, "both running with 2 tasks", () -> {
			try {
				return Files.exists(pids) && runtime.request("ps", wipe).out().contains("running, 2 tasks")
						&& runtime.request("ps", clear).out().contains("running, 2 tasks");
			} catch (Exception e) {
				return false;
			}
		});
		int[] pid = Arrays.stream(Files.readString(pids).trim().split(" ")).mapToInt(Integer::parseInt).toArray();
		List<Proc.Task> wiped = List.of(Proc.task(pid[0]), Proc.task(pid[1]));
		assertThat(Proc.tagged(wipe)).as("the tag is really gone from both").isEmpty();
		Thread.sleep(2000); // ten intervals: tracked by (pid, start time), not restarted
		assertThat(runtime.request("ps", wipe).out()).contains("running, 2 tasks");
		assertThat(restarts(wipe)).isZero();
		assertThat(restarts(clear)).isZero();
		runtime.request("stop", wipe);
		List<Proc.Task> clearTree = new ArrayList<>(Proc.tagged(clear));
		int left = (int) wiped.stream().filter(Proc::alive).count();
		int clearLeft = stopAndCountLeft(clear);
		String psClear = runtime.request("ps", clear).out();
		System.out.printf("RELIABILITY environment wiped-tree=%d-tasks cleared-tree=2-tasks restarts=%d,%d "
				+ "orphans-after-stop=%d%n", wiped.size(), restarts(wipe), restarts(clear), left + clearLeft);
		assertThat(left).as("the wiped tree's processes after stop").isZero();
		assertThat(clearLeft).isZero();
		assertThat(clearTree).noneMatch(Proc::alive);
		assertThat(psClear).doesNotContain("running");
	}

	@Test
	void aProgramGoneBeforeTheFirstScanIsDetectedAndRestartedNeverLost() throws Exception {
		// a 2s scan interval: the program is long gone by the first scan; its death is seen at once
		String quick = module("quick", "command=/bin/true\ninterval=2s\nstrategy=fixed\nstrategy.delay=300ms\n");
		String crash = module("crash", "command=PWTEST crash 0 0\ninterval=2s\nstrategy=fixed\nstrategy.delay=300ms\n");
		runtime.start();
		ExportedRuntime.until(WAIT, "both restarted three times", () -> {
			try {
				return restarts(quick) >= 3 && restarts(crash) >= 3;
			} catch (Exception e) {
				return false;
			}
		});
		long quickFailures = failures(quick);
		long crashFailures = failures(crash);
		int orphans = stopAndCountLeft(quick) + stopAndCountLeft(crash);
		System.out.printf("RELIABILITY exit-before-scan detected=%d,%d restarted=%d,%d orphans=%d%n", quickFailures,
				crashFailures, restarts(quick), restarts(crash), orphans);
		assertThat(quickFailures).isGreaterThanOrEqualTo(3);
		assertThat(crashFailures).isGreaterThanOrEqualTo(3);
		assertThat(orphans).isZero();
	}

	@Test
	void zombiesAndADStateSleeperAreDetectedByTheirPoliciesAndTheTreeRestarted() throws Exception {
		String zombies = module("zomb", "command=PWTEST zombies 8 600\npolicies=zombies\npolicy.zombies.max=3\n"
				+ "strategy=fixed\nstrategy.delay=1s\n");
		String stuck = module("dstate", "command=PWTEST vfork 600\npolicies=stuck\npolicy.stuck.states=D\n"
				+ "policy.stuck.limit=1s\nstrategy=fixed\nstrategy.delay=1s\n");
		runtime.start();
		ExportedRuntime.until(WAIT, "both restarted by their policy", () -> {
			try {
				return restarts(zombies) >= 1 && restarts(stuck) >= 1;
			} catch (Exception e) {
				return false;
			}
		});
		long zombieVerdicts = journalCount(zombies, "zombies (max 3)");
		long stuckVerdicts = journalCount(stuck, "in state D");
		int orphans = stopAndCountLeft(zombies) + stopAndCountLeft(stuck);
		System.out.printf("RELIABILITY zombies detected=%d restarted=%d; D-state detected=%d restarted=%d; orphans=%d%n",
				zombieVerdicts, restarts(zombies), stuckVerdicts, restarts(stuck), orphans);
		assertThat(zombieVerdicts).isGreaterThanOrEqualTo(1);
		assertThat(stuckVerdicts).isGreaterThanOrEqualTo(1);
		assertThat(orphans).isZero();
	}
}
