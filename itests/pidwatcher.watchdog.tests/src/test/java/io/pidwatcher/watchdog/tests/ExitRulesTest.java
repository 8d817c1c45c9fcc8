package io.pidwatcher.watchdog.tests;

import static org.assertj.core.api.Assertions.assertThat;

import io.pidwatcher.api.supervisor.JournalEntry;
import io.pidwatcher.api.supervisor.ModuleState;
import io.pidwatcher.api.supervisor.ModuleStatus;
import io.pidwatcher.testing.TestPrograms;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;

/**
 * Issue 14 part 4: the exit-code rule (restart=, success.exit=) against real programs that exit
 * with a status or are killed, and the default strategy, which backs off.
 */
class ExitRulesTest extends WatchdogTestBase {

	private List<Instant> starts(String name) {
		return supervisor.events(name, 1000).stream().filter(e -> e.to() == ModuleState.STARTING).map(JournalEntry::at)
				.toList();
	}

	/** The state after its first run (a module is "stopped" before its first scan, too). */
	private ModuleStatus ended(String name, ModuleState state) throws InterruptedException {
		return modules.await(name, state.label() + " after a run", s -> s.state() == state && !s.failures().isEmpty());
	}

	@Test
	void anExitWithStatusZeroUnderOnFailureIsNotRestarted() throws Exception {
		String name = modules.define(TestPrograms.uniqueModule("clean"), "command", Modules.pwtest("crash", "300", "0"),
				"interval", "100ms", "restart", "on-failure", "strategy", "fixed", "strategy.delay", "100ms");
		ModuleStatus s = ended(name, ModuleState.STOPPED);
		assertThat(s.reason()).contains("exit status 0").endsWith("status 0 is a clean exit; restart=on-failure: not restarted");
		assertThat(s.failures()).singleElement().satisfies(f -> assertThat(f.exitStatus()).hasValue(0));
		assertThat(supervisor.events(name, 100)).anySatisfy(e -> {
			assertThat(e.to()).isEqualTo(ModuleState.STOPPED);
			assertThat(e.reason()).contains("restart=on-failure: not restarted");
		});
		Thread.sleep(500); // a restart after the 100ms delay would have happened by now
		assertThat(supervisor.status(name).state()).isEqualTo(ModuleState.STOPPED);
		assertThat(starts(name)).hasSize(1);
		assertThat(modules.liveTree(name)).isEmpty();
	}

	@Test
	void anExitStatusListedInSuccessExitCountsAsSuccess() throws Exception {
		String name = modules.define(TestPrograms.uniqueModule("three"), "command", Modules.pwtest("crash", "300", "3"),
				"interval", "100ms", "restart", "on-failure", "success.exit", "3 SIGUSR1", "strategy", "fixed",
				"strategy.delay", "100ms");
		ModuleStatus s = ended(name, ModuleState.STOPPED);
		assertThat(s.reason()).endsWith("status 3 counts as success (success.exit); restart=on-failure: not restarted");
		Thread.sleep(500);
		assertThat(starts(name)).hasSize(1);
	}

	@Test
	void aKillMinus9UnderOnAbnormalIsRestarted() throws Exception {
		String name = modules.define(TestPrograms.uniqueModule("abnormal"), "command", Modules.pwtest("sleep", "120"),
				"interval", "100ms", "restart", "on-abnormal", "strategy", "fixed", "strategy.delay", "100ms");
		ModuleStatus running = modules.await(name, "running", s -> s.state() == ModuleState.RUNNING && s.main() != null);
		int pid = running.main().pid();
		assertThat(ProcessHandle.of(pid).orElseThrow().destroyForcibly()).isTrue(); // SIGKILL
		ModuleStatus again = modules.await(name, "restarted after the kill", s -> s.restarts() == 1
				&& s.state() == ModuleState.RUNNING && s.main() != null && s.main().pid() != pid);
		assertThat(again.failures()).singleElement().satisfies(f -> assertThat(f.exitStatus()).hasValue(128 + 9));
		assertThat(supervisor.events(name, 100)).anySatisfy(e -> assertThat(e.reason())
				.contains("killed by SIGKILL, an unclean signal; restart=on-abnormal"));
	}

	@Test
	void neverIsNeverRestarted() throws Exception {
		String name = modules.define(TestPrograms.uniqueModule("never"), "command", Modules.pwtest("crash", "200", "1"),
				"interval", "100ms", "restart", "never", "strategy", "fixed", "strategy.delay", "100ms");
		ModuleStatus s = ended(name, ModuleState.GAVE_UP);
		assertThat(s.reason()).endsWith("status 1 is an unclean exit; restart=never: not restarted");
		Thread.sleep(700);
		assertThat(supervisor.status(name).state()).isEqualTo(ModuleState.GAVE_UP);
		assertThat(starts(name)).hasSize(1);
	}

	@Test
	void badValuesMarkOnlyThatModuleInvalidNamingTheKey() throws Exception {
		String good = modules.define(TestPrograms.uniqueModule("good"), "command", Modules.pwtest("sleep", "120"),
				"restart", "on-failure", "success.exit", "3 TERM");
		String sometimes = modules.define(TestPrograms.uniqueModule("sometimes"), "command", Modules.pwtest("sleep", "120"),
				"restart", "sometimes");
		String sigfoo = modules.define(TestPrograms.uniqueModule("sigfoo"), "command", Modules.pwtest("sleep", "120"),
				"success.exit", "SIGFOO");
		String big = modules.define(TestPrograms.uniqueModule("big"), "command", Modules.pwtest("sleep", "120"),
				"success.exit", "300");
		String moved = modules.define(TestPrograms.uniqueModule("moved"), "command", Modules.pwtest("sleep", "120"),
				"strategy", "fixed", "strategy.restart", "on-failure");
		assertThat(modules.awaitState(sometimes, ModuleState.INVALID).reason()).contains("restart 'sometimes' is not one of");
		assertThat(modules.awaitState(sigfoo, ModuleState.INVALID).reason()).contains("success.exit: 'SIGFOO'");
		assertThat(modules.awaitState(big, ModuleState.INVALID).reason()).contains("success.exit: 300 is not an exit status");
		assertThat(modules.awaitState(moved, ModuleState.INVALID).reason())
				.contains("'strategy.restart' is no longer a strategy parameter: use restart=on-failure");
		assertThat(modules.awaitState(good, ModuleState.RUNNING).configProblem()).isEmpty();

		// a running module keeps its config when the change is bad
		modules.define(good, "command", Modules.pwtest("sleep", "120"), "restart", "sometimes");
		ModuleStatus kept = modules.await(good, "change rejected", st -> !st.configProblem().isEmpty());
		assertThat(kept.configProblem()).contains("the previous config stays in force").contains("restart 'sometimes'");
		assertThat(kept.state()).isEqualTo(ModuleState.RUNNING);
	}

	/**
	 * A module that names no strategy backs off: the time from each failure to the next start, read
	 * from the journal, grows (100ms, 200ms, 400ms, 800ms, 1.6s), and pw:status says it is the default.
	 */
	@Test
	void theDefaultStrategyBacksOff() throws Exception {
		String name = modules.define(TestPrograms.uniqueModule("loop"), "command", Modules.pwtest("crash", "50", "1"),
				"interval", "100ms");
		ModuleStatus waiting = modules.await(name, "5 restarts", Duration.ofSeconds(30), s -> s.restarts() >= 5
				&& s.state() == ModuleState.WAITING);
		assertThat(waiting.reason()).contains("backing off: restart").contains("default strategy backoff (no strategy= set)");
		assertThat(waiting.strategy().name()).isEqualTo("backoff");

		List<JournalEntry> journal = supervisor.events(name, 1000);
		List<Long> gaps = new ArrayList<>();
		Instant failedAt = null;
		for (JournalEntry e : journal) {
			if (e.to() == ModuleState.FAILED && e.from() != ModuleState.FAILED) {
				failedAt = e.at();
			} else if (e.to() == ModuleState.STARTING && e.from() != ModuleState.STARTING && failedAt != null) {
				gaps.add(Duration.between(failedAt, e.at()).toMillis());
				failedAt = null;
			}
		}
		System.out.println("default strategy, time from failure to restart (ms): " + gaps);
		assertThat(gaps).hasSizeGreaterThanOrEqualTo(5);
		long[] floor = { 100, 200, 400, 800, 1600 };
		for (int i = 0; i < 5; i++) {
			// the floors double: the delay grows (a fixed 100ms would fail at the second)
			assertThat(gaps.get(i)).as("failure %d to restart", i + 1).isGreaterThanOrEqualTo(floor[i]);
		}
		assertThat(gaps.get(4)).as("the fifth wait against the first").isGreaterThan(gaps.get(0) * 4);
	}
}
