package io.pidwatcher.watchdog.internal;

import static org.assertj.core.api.Assertions.assertThat;

import io.pidwatcher.api.strategy.RestartDecision;
import io.pidwatcher.api.strategy.RestartRequest;
import io.pidwatcher.api.strategy.RestartStrategy;
import io.pidwatcher.api.supervisor.ModuleState;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.osgi.framework.ServiceReference;

/**
 * The restart planner on a fake machine (see EngineFixture): what a decision leads to, group
 * restarts in their order, and failures that wait for a strategy that is not there.
 */
class RestartPlannerTest {

	@TempDir
	Path home;
	private EngineFixture f;
	private final List<RestartRequest> asked = new ArrayList<>();

	@BeforeEach
	void engine() {
		f = new EngineFixture(home);
		f.treesExitWhenStopped();
	}

	@AfterEach
	void close() {
		f.close();
		assertThat(f.errors).as("errors the engine logged").isEmpty();
	}

	private void runAll() {
		f.step();
		f.advance(Duration.ofMillis(20));
	}

	@Test
	void aGroupRestartStopsTheOthersAndStartsThemAllInTheGroupsOrder() {
		f.strategy("together", r -> {
			asked.add(r);
			return new RestartDecision.RestartModules(r.group(), Duration.ofMillis(500), "restart the group");
		});
		f.define("db", "strategy", "together", "group", "g");
		f.define("app", "strategy", "together", "group", "g");
		f.define("other", "strategy", "together");
		runAll();
		assertThat(List.of(f.state("db"), f.state("app"), f.state("other"))).containsOnly(ModuleState.RUNNING);

		f.exit("app", 1);
		f.step();
		assertThat(asked).singleElement().satisfies(r -> assertThat(r.group()).containsExactly("db", "app"));
		assertThat(f.state("app")).isEqualTo(ModuleState.WAITING);
		assertThat(f.state("db")).as("stopped for the group").isEqualTo(ModuleState.WAITING);
		assertThat(f.transitions("db")).endsWith("RUNNING->STOPPING", "STOPPING->WAITING");

		f.advance(Duration.ofMillis(499));
		assertThat(f.startOrder()).as("autostart goes by name").containsExactly("app", "db", "other");
		f.advance(Duration.ofMillis(1));
		assertThat(f.startOrder()).as("then the group's order: first defined first")
				.containsExactly("app", "db", "other", "db", "app");
		assertThat(f.status("db").restarts()).isEqualTo(1);
		assertThat(f.status("app").restarts()).isEqualTo(1);
		assertThat(f.state("other")).isEqualTo(ModuleState.RUNNING);
		assertThat(f.status("other").restarts()).isZero();
	}

	@Test
	void aModuleStoppedByRequestStaysOutOfItsGroupsRestart() {
		f.strategy("together", r -> new RestartDecision.RestartModules(r.group(), Duration.ofMillis(100), "group"));
		f.define("db", "strategy", "together", "group", "g");
		f.define("app", "strategy", "together", "group", "g");
		runAll();
		f.engine.stops.stop("db", true);
		f.exit("app", 1);
		f.step();
		f.advance(Duration.ofMillis(100));
		assertThat(f.state("db")).isEqualTo(ModuleState.STOPPED);
		assertThat(f.state("app")).isEqualTo(ModuleState.STARTING);
		assertThat(f.startOrder()).containsExactly("app", "db", "app");
	}

	@Test
	void aFailureWaitsFailedForAnAbsentStrategyAndIsDecidedWhenItComes() {
		f.define("web", "strategy", "later");
		runAll();
		f.exit("web", 1);
		f.step();
		assertThat(f.state("web")).isEqualTo(ModuleState.FAILED);
		assertThat(f.status("web").reason()).endsWith("strategy later unavailable: waiting for it to be deployed");
		f.advance(Duration.ofMinutes(1));
		assertThat(f.state("web")).isEqualTo(ModuleState.FAILED);
		assertThat(f.starts).hasSize(1);

		f.strategy("later", r -> {
			asked.add(r);
			return new RestartDecision.RestartAfter(Duration.ofMillis(100), "restart after 100ms");
		});
		f.step();
		assertThat(asked).singleElement().satisfies(r -> assertThat(r.failure().exitStatus()).hasValue(1));
		assertThat(f.state("web")).isEqualTo(ModuleState.WAITING);
		f.advance(Duration.ofMillis(100));
		assertThat(f.state("web")).isEqualTo(ModuleState.STARTING);
		assertThat(f.status("web").restarts()).isEqualTo(1);
	}

	@Test
	void aStrategyGoneWhileTheModuleWaitsLetsTheScheduledRestartHappen() {
		ServiceReference<RestartStrategy> ref = f.strategy("test",
				r -> new RestartDecision.RestartAfter(Duration.ofSeconds(1), "restart after 1s"));
		f.define("web", "strategy", "test");
		runAll();
		f.exit("web", 1);
		f.step();
		f.remove(ref);
		assertThat(f.journal("web")).last().asString().contains("strategy test unavailable: the module keeps waiting");
		f.advance(Duration.ofSeconds(1));
		assertThat(f.state("web")).isEqualTo(ModuleState.STARTING);
	}

	@Test
	void aStrategyThatThrowsLeavesTheFailurePendingAndIsAskedAgain() {
		int[] calls = { 0 };
		f.strategy("flaky", r -> {
			if (calls[0]++ == 0) {
				throw new IllegalStateException("not ready");
			}
			return new RestartDecision.RestartAfter(Duration.ZERO, "now");
		});
		f.define("web", "strategy", "flaky", "interval", "1s");
		runAll();
		f.exit("web", 1);
		f.step();
		assertThat(f.state("web")).isEqualTo(ModuleState.FAILED);
		assertThat(f.status("web").lastDecision()).contains("strategy flaky failed");
		f.advance(Duration.ofSeconds(1)); // the next check asks again
		assertThat(calls[0]).isEqualTo(2);
		assertThat(f.starts).hasSize(2);
		assertThat(f.status("web").restarts()).isEqualTo(1);
	}

	// exit-code rules (issue 14 part 4)

	private void restartsAfter100ms(String strategy) {
		f.strategy(strategy, r -> {
			asked.add(r);
			return new RestartDecision.RestartAfter(Duration.ofMillis(100), "restart after 100ms");
		});
	}

	@Test
	void aCleanExitUnderOnFailureStopsTheModuleWithoutAskingTheStrategy() {
		restartsAfter100ms("test");
		f.define("job", "strategy", "test", "restart", "on-failure");
		runAll();
		f.exit("job", 0);
		f.step();
		assertThat(f.state("job")).isEqualTo(ModuleState.STOPPED);
		assertThat(f.status("job").reason()).isEqualTo("all tasks exited (main pid " + f.lastStart("job").process().pid()
				+ " exit status 0); status 0 is a clean exit; restart=on-failure: not restarted");
		assertThat(f.journal("job")).last().isEqualTo(f.status("job").reason());
		assertThat(asked).as("the strategy says when, not whether").isEmpty();
		f.advance(Duration.ofMinutes(1));
		assertThat(f.starts).hasSize(1);
		assertThat(f.state("job")).isEqualTo(ModuleState.STOPPED);
	}

	@Test
	void aStatusInSuccessExitIsAsCleanAsZero() {
		restartsAfter100ms("test");
		f.define("job", "strategy", "test", "restart", "on-failure", "success.exit", "3");
		runAll();
		f.exit("job", 3);
		f.step();
		assertThat(f.state("job")).isEqualTo(ModuleState.STOPPED);
		assertThat(f.status("job").reason()).endsWith("status 3 counts as success (success.exit); restart=on-failure: "
				+ "not restarted");

		f.engine.launcher.startByRequest("job"); // a start by request brings it back, and the rule holds again
		runAll();
		f.exit("job", 4);
		f.step();
		assertThat(f.state("job")).isEqualTo(ModuleState.WAITING);
		assertThat(asked).singleElement().satisfies(r -> assertThat(r.failure().exitStatus()).hasValue(4));
	}

	@Test
	void neverGivesUpAtTheFirstFailure() {
		restartsAfter100ms("test");
		f.define("job", "strategy", "test", "restart", "never");
		runAll();
		f.exit("job", 1);
		f.step();
		assertThat(f.state("job")).isEqualTo(ModuleState.GAVE_UP);
		assertThat(f.status("job").reason()).endsWith("status 1 is an unclean exit; restart=never: not restarted");
		assertThat(f.status("job").lastDecision()).isEqualTo("status 1 is an unclean exit; restart=never: not restarted");
		f.advance(Duration.ofMinutes(1));
		assertThat(f.starts).hasSize(1);
	}

	@Test
	void onAbnormalRestartsAKillButNotAnExitCode() {
		restartsAfter100ms("test");
		f.define("job", "strategy", "test", "restart", "on-abnormal");
		runAll();
		f.exit("job", 128 + 9);
		f.step();
		assertThat(f.state("job")).isEqualTo(ModuleState.WAITING);
		assertThat(f.status("job").reason()).contains("restart after 100ms; killed by SIGKILL, an unclean signal; "
				+ "restart=on-abnormal (next restart at");
		f.advance(Duration.ofMillis(100));
		runAll();
		assertThat(f.state("job")).isEqualTo(ModuleState.RUNNING);
		f.exit("job", 2);
		f.step();
		assertThat(f.state("job")).isEqualTo(ModuleState.GAVE_UP);
		assertThat(f.status("job").reason()).endsWith("status 2 is an unclean exit; restart=on-abnormal: not restarted");
		assertThat(asked).hasSize(1);
	}

	@Test
	void onSuccessRestartsOnlyACleanExit() {
		restartsAfter100ms("test");
		f.define("job", "strategy", "test", "restart", "on-success");
		runAll();
		f.exit("job", 0);
		f.step();
		assertThat(f.state("job")).isEqualTo(ModuleState.WAITING);
		f.advance(Duration.ofMillis(100));
		runAll();
		f.exit("job", 128 + 11);
		f.step();
		assertThat(f.state("job")).isEqualTo(ModuleState.GAVE_UP);
		assertThat(f.status("job").reason()).endsWith("killed by SIGSEGV, an unclean signal; restart=on-success: not restarted");
	}

	@Test
	void aModuleWithoutAStrategySaysItsDecisionsAreTheDefaults() {
		restartsAfter100ms(ModuleSpec.DEFAULT_STRATEGY);
		f.define("web");
		runAll();
		f.exit("web", 1);
		f.step();
		assertThat(asked).hasSize(1);
		assertThat(f.state("web")).isEqualTo(ModuleState.WAITING);
		assertThat(f.status("web").reason()).contains("restart after 100ms; default strategy backoff (no strategy= set)");
		assertThat(f.status("web").lastDecision()).contains("default strategy backoff");
	}

	@Test
	void aModuleWhoseDefaultStrategyIsAbsentWaitsForIt() {
		f.define("web");
		runAll();
		f.exit("web", 1);
		f.step();
		assertThat(f.state("web")).isEqualTo(ModuleState.FAILED);
		assertThat(f.status("web").reason()).endsWith("strategy backoff unavailable: waiting for it to be deployed");
	}
	// end of exit-code rules
}
