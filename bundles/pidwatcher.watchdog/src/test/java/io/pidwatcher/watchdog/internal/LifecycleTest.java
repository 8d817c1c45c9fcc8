package io.pidwatcher.watchdog.internal;

import static org.assertj.core.api.Assertions.assertThat;

import io.pidwatcher.api.strategy.RestartDecision;
import io.pidwatcher.api.strategy.RestartRequest;
import io.pidwatcher.api.supervisor.Failure;
import io.pidwatcher.api.supervisor.ModuleState;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The lifecycle state machine on a fake machine (see EngineFixture): every pass, exit and delay is
 * a step of the test, so each transition is checked where it happens, not waited for.
 */
class LifecycleTest {

	@TempDir
	Path home;
	private EngineFixture f;
	private final List<RestartRequest> asked = new ArrayList<>();

	@BeforeEach
	void engine() {
		f = new EngineFixture(home);
	}

	@AfterEach
	void close() {
		f.close();
		assertThat(f.errors).as("errors the engine logged").isEmpty();
	}

	private void restartAfter(Duration delay) {
		f.strategy("test", r -> {
			asked.add(r);
			return new RestartDecision.RestartAfter(delay, "restart after " + delay);
		});
	}

	/** Defined, autostarted, and running after its first check. */
	private void running(String module) {
		f.define(module, "strategy", "test");
		f.step();
		assertThat(f.state(module)).isEqualTo(ModuleState.STARTING);
		f.advance(Duration.ofMillis(20));
		assertThat(f.state(module)).isEqualTo(ModuleState.RUNNING);
	}

	@Test
	void anExitIsAFailureThenAWaitThenAStart() {
		restartAfter(Duration.ofSeconds(1));
		running("web");
		String firstRun = f.lastStart("web").instance();

		f.exit("web", 1);
		f.step();
		assertThat(f.state("web")).isEqualTo(ModuleState.WAITING);
		assertThat(f.status("web").failures()).singleElement().satisfies(x -> {
			assertThat(x.kind()).isEqualTo(Failure.Kind.EXITED);
			assertThat(x.exitStatus()).hasValue(1);
		});
		assertThat(asked).singleElement().satisfies(r -> assertThat(r.history()).isEmpty());

		f.advance(Duration.ofMillis(999));
		assertThat(f.state("web")).isEqualTo(ModuleState.WAITING);
		assertThat(f.starts).hasSize(1);
		f.advance(Duration.ofMillis(1));
		assertThat(f.state("web")).isEqualTo(ModuleState.STARTING);
		assertThat(f.status("web").restarts()).isEqualTo(1);
		assertThat(f.lastStart("web").instance()).isNotEqualTo(firstRun).isEqualTo(f.status("web").instance());
		assertThat(f.transitions("web")).containsExactly("STOPPED->STARTING", "STARTING->RUNNING",
				"RUNNING->FAILED", "FAILED->WAITING", "WAITING->STARTING");
	}

	@Test
	void aTreeGoneWhileOurChildIsNotReapedWaitsForItsExitStatus() {
		restartAfter(Duration.ofSeconds(1));
		running("web");
		f.reader.tagged("web").forEach(t -> f.reader.remove(t.pid())); // gone from the table, not reaped yet
		f.advance(Duration.ofSeconds(1)); // the next check of a 1s interval
		assertThat(f.state("web")).as("waiting up to 250ms for the exit status").isEqualTo(ModuleState.RUNNING);

		f.lastStart("web").process().exit(3); // reaped: onExit makes it checked at once
		f.step();
		assertThat(f.state("web")).isEqualTo(ModuleState.WAITING);
		assertThat(f.status("web").failures().get(0).reason()).contains("exit status 3");
	}

	@Test
	void aChildNeverReapedIsAFailureWithoutStatusAfter250ms() {
		restartAfter(Duration.ofSeconds(1));
		running("web");
		f.reader.tagged("web").forEach(t -> f.reader.remove(t.pid()));
		f.engine.loop.kickAll(); // checked now: the tree is found gone at this instant
		f.step();
		assertThat(f.state("web")).isEqualTo(ModuleState.RUNNING);
		f.advance(Duration.ofMillis(249));
		assertThat(f.state("web")).isEqualTo(ModuleState.RUNNING);
		f.advance(Duration.ofMillis(1));
		assertThat(f.state("web")).isEqualTo(ModuleState.WAITING);
		assertThat(f.status("web").failures().get(0).exitStatus()).isEmpty();
	}

	@Test
	void everyRestartIsCountedAndTheStrategySeesTheFailuresBefore() {
		restartAfter(Duration.ofMillis(100));
		running("web");
		for (int i = 1; i <= 3; i++) {
			f.exit("web", i);
			f.step();
			f.advance(Duration.ofMillis(100));
			assertThat(f.state("web")).isEqualTo(ModuleState.STARTING);
			assertThat(f.status("web").restarts()).isEqualTo(i);
			f.advance(Duration.ofMillis(20));
			assertThat(f.state("web")).isEqualTo(ModuleState.RUNNING);
		}
		assertThat(asked).extracting(r -> r.history().size()).containsExactly(0, 1, 2);
		assertThat(asked).extracting(r -> r.failure().exitStatus().getAsInt()).containsExactly(1, 2, 3);
		assertThat(f.starts).hasSize(4);
	}

	@Test
	void aStrategyThatGivesUpLeavesTheModuleDown() {
		f.strategy("test", r -> new RestartDecision.GiveUp("gave up: enough"));
		running("web");
		f.exit("web", 1);
		f.step();
		assertThat(f.state("web")).isEqualTo(ModuleState.GAVE_UP);
		f.advance(Duration.ofMinutes(1));
		assertThat(f.state("web")).isEqualTo(ModuleState.GAVE_UP);
		assertThat(f.starts).hasSize(1);
		assertThat(f.transitions("web")).endsWith("RUNNING->FAILED", "FAILED->GAVE_UP");
	}

	@Test
	void aStopByRequestIsNotAFailureAndStays() {
		restartAfter(Duration.ofMillis(100));
		running("web");
		f.treesExitWhenStopped();
		f.engine.stops.stop("web", true);
		assertThat(f.state("web")).isEqualTo(ModuleState.STOPPED);
		assertThat(f.status("web").reason()).startsWith("stopped by request");
		f.advance(Duration.ofMinutes(1));
		assertThat(f.state("web")).isEqualTo(ModuleState.STOPPED);
		assertThat(f.starts).hasSize(1);
		assertThat(asked).isEmpty();
		assertThat(f.transitions("web")).endsWith("RUNNING->STOPPING", "STOPPING->STOPPED");
	}

	/**
	 * Found by the reliability sweep (RuntimeFaultsTest): the runtime after a stop kept the module
	 * stopped, but any later write of its entry said it was wanted, so the runtime after that one
	 * started it.
	 */
	@Test
	void aStopByRequestOutlivesTwoRuntimeRestarts() {
		running("web");
		f.treesExitWhenStopped();
		f.engine.stops.stop("web", true);
		assertThat(f.state("web")).isEqualTo(ModuleState.STOPPED);
		for (int restart = 1; restart <= 2; restart++) {
			f.close();
			assertThat(f.errors).as("errors the engine before restart %d logged", restart).isEmpty();
			f = new EngineFixture(home); // the next watchdog, on the same state file
			f.define("web", "strategy", "test");
			f.step();
			f.advance(Duration.ofSeconds(1));
			synchronized (f.engine) {
				// its entry written again, as any transition of the module writes it
				f.engine.recorder.persist(f.engine.get("web"));
			}
			f.engine.stateFile.flush();
			assertThat(f.state("web")).as("after restart %d", restart).isEqualTo(ModuleState.STOPPED);
			assertThat(f.starts).as("starts after restart %d", restart).isEmpty();
		}
	}

	@Test
	void aStopWhileWaitingCancelsTheRestart() {
		restartAfter(Duration.ofSeconds(1));
		running("web");
		f.exit("web", 1);
		f.step();
		assertThat(f.state("web")).isEqualTo(ModuleState.WAITING);
		f.engine.stops.stop("web", true);
		f.advance(Duration.ofSeconds(5));
		assertThat(f.state("web")).isEqualTo(ModuleState.STOPPED);
		assertThat(f.starts).hasSize(1);
	}

	@Test
	void aFailureWaitingForItsStrategyIsStillWaitingInTheNextEngine() {
		running("web"); // strategy "test" is not registered: the failure waits for it
		f.exit("web", 1);
		f.step();
		assertThat(f.state("web")).isEqualTo(ModuleState.FAILED);
		f.close();
		assertThat(f.errors).as("errors the first engine logged").isEmpty();

		f = new EngineFixture(home); // the next watchdog, on the same state file; the tree is gone
		f.define("web", "strategy", "test");
		f.step();
		assertThat(f.state("web")).isEqualTo(ModuleState.FAILED);
		assertThat(f.status("web").failures()).hasSize(1);
		assertThat(f.starts).isEmpty();
		restartAfter(Duration.ofMillis(100));
		f.step();
		assertThat(asked).singleElement().satisfies(r -> assertThat(r.failure().exitStatus()).hasValue(1));
		f.advance(Duration.ofMillis(100));
		assertThat(f.state("web")).isEqualTo(ModuleState.STARTING);
		assertThat(f.status("web").restarts()).isEqualTo(1);
	}

	@Test
	void aProgramThatCannotStartIsAFailureTheStrategyDecides() {
		restartAfter(Duration.ofMillis(100));
		f.failNextStart = new IOException("No such file or directory");
		f.define("web", "strategy", "test");
		f.step();
		assertThat(f.state("web")).isEqualTo(ModuleState.WAITING);
		assertThat(asked).singleElement().satisfies(r -> assertThat(r.failure().kind()).isEqualTo(Failure.Kind.START_FAILED));
		f.advance(Duration.ofMillis(100));
		assertThat(f.state("web")).isEqualTo(ModuleState.STARTING);
		assertThat(f.starts).hasSize(1);
	}

	@Test
	void autostartDoesNotWaitForTheStrategy() {
		f.define("web", "strategy", "later");
		f.step();
		assertThat(f.state("web")).isEqualTo(ModuleState.STARTING);
		assertThat(f.status("web").strategy().available()).isFalse();
	}
}
