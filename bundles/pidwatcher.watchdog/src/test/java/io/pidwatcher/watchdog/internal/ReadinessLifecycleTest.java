package io.pidwatcher.watchdog.internal;

import static org.assertj.core.api.Assertions.assertThat;

import io.pidwatcher.api.strategy.RestartDecision;
import io.pidwatcher.api.strategy.RestartRequest;
import io.pidwatcher.api.supervisor.Failure;
import io.pidwatcher.api.supervisor.ModuleState;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Readiness in the lifecycle (issue 14 part 2), on the fake machine of {@link EngineFixture}
 * with real probes: a starting module is running only once its probe passed, a probe that never
 * passes is a START_FAILED failure for the strategy at start.timeout, and a probe of an earlier
 * run never makes the current one ready. Probes are queued until the test runs them, as the
 * engine's probe threads would run them off the lock.
 */
class ReadinessLifecycleTest {

	@TempDir
	Path home;
	private EngineFixture f;
	private final List<RestartRequest> asked = new ArrayList<>();
	private int port;

	@BeforeEach
	void engine() throws IOException {
		f = new EngineFixture(home);
		f.strategy("test", r -> {
			asked.add(r);
			return new RestartDecision.RestartAfter(Duration.ofSeconds(1), "restart after 1s");
		});
		try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
			port = s.getLocalPort(); // closed again: nothing listens there until a test opens it
		}
	}

	@AfterEach
	void close() {
		f.close();
		assertThat(f.errors).as("errors the engine logged").isEmpty();
	}

	/** The clock moves in steps of 50ms, each followed by the probes it queued. */
	private void probeFor(Duration d) {
		for (long ms = 0; ms < d.toMillis(); ms += 50) {
			f.advance(Duration.ofMillis(50));
			f.probe();
		}
	}

	@Test
	void startingUntilThePortOpensThenRunningAtOnce() throws IOException {
		f.define("db", "strategy", "test", "ready", "tcp:127.0.0.1:" + port);
		f.step();
		probeFor(Duration.ofSeconds(1));
		assertThat(f.state("db")).isEqualTo(ModuleState.STARTING);
		assertThat(f.status("db").reason()).startsWith("started, waiting for ready=tcp:127.0.0.1:" + port + " since ")
				.endsWith("probes, last: connection refused)");
		try (ServerSocket listening = new ServerSocket(port, 1, InetAddress.getLoopbackAddress())) {
			f.advance(Duration.ofMillis(100)); // the next try is due
			f.probe(); // it connects; the module is kicked and scanned at once
			assertThat(f.state("db")).isEqualTo(ModuleState.RUNNING);
			assertThat(f.status("db").reason()).containsPattern("ready=tcp:127.0.0.1:" + port + " passed after 1[0-9]{3}ms")
					.contains("connected to /127.0.0.1:" + port);
		}
		assertThat(f.transitions("db")).containsExactly("STOPPED->STARTING", "STARTING->RUNNING");
		assertThat(asked).isEmpty();
	}

	@Test
	void aProbeThatNeverPassesIsAStartFailureForTheStrategyAtStartTimeout() {
		f.treesExitWhenStopped();
		f.define("db", "strategy", "test", "ready", "tcp:127.0.0.1:" + port, "start.timeout", "2s");
		f.step();
		probeFor(Duration.ofMillis(1950));
		assertThat(f.state("db")).isEqualTo(ModuleState.STARTING);
		assertThat(asked).isEmpty();
		probeFor(Duration.ofMillis(100));
		assertThat(asked).singleElement().satisfies(r -> {
			assertThat(r.failure().kind()).isEqualTo(Failure.Kind.START_FAILED);
			assertThat(r.failure().reason()).isEqualTo("ready=tcp:127.0.0.1:" + port
					+ " not ready within start.timeout 2s: connection refused");
		});
		f.probe(); // the tree is stopped before the restart
		assertThat(f.state("db")).isEqualTo(ModuleState.WAITING);
		f.advance(Duration.ofSeconds(1));
		assertThat(f.state("db")).isEqualTo(ModuleState.STARTING);
		assertThat(f.starts).hasSize(2);
		probeFor(Duration.ofMillis(200));
		assertThat(f.status("db").reason()).as("the new run is probed afresh").contains("probes, last: connection refused");
	}

	@Test
	void startTimeoutIsJudgedWhenItRunsOutNotAtTheNextIntervalsScan() {
		f.treesExitWhenStopped();
		f.define("db", "strategy", "test", "ready", "tcp:127.0.0.1:" + port, "start.timeout", "2s", "interval", "10s");
		f.step();
		probeFor(Duration.ofMillis(2100));
		assertThat(asked).as("failed within 100ms of start.timeout, the interval being 10s").singleElement()
				.satisfies(r -> assertThat(r.failure().kind()).isEqualTo(Failure.Kind.START_FAILED));
	}

	@Test
	void aProbeOfAnEarlierRunNeverMakesTheCurrentOneReady() throws IOException {
		f.treesExitWhenStopped();
		try (ServerSocket listening = new ServerSocket(port, 1, InetAddress.getLoopbackAddress())) {
			f.define("db", "strategy", "test", "ready", "tcp:127.0.0.1:" + port);
			f.step();
			f.advance(Duration.ofMillis(20)); // the first check queues the first try, not run yet
			assertThat(f.probes.queued()).isEqualTo(1);
			f.engine.stops.stop("db", true);
			f.step();
			assertThat(f.state("db")).isEqualTo(ModuleState.STOPPED);
			f.engine.launcher.startByRequest("db");
			assertThat(f.state("db")).isEqualTo(ModuleState.STARTING);

			f.probes.runDue(); // the first run's try connects: dropped
			f.step();
			synchronized (f.engine) {
				assertThat(f.engine.modules.get("db").health.readyNanos).isZero();
			}
			assertThat(f.state("db")).isEqualTo(ModuleState.STARTING);
			f.advance(Duration.ofMillis(20)); // the second run's first check queues its own try
			f.probe();
			assertThat(f.state("db")).isEqualTo(ModuleState.RUNNING);
			assertThat(f.status("db").reason()).contains("(1 probe: connected to");
		}
	}

	@Test
	void aFileAndACommandAreProbesToo() throws IOException {
		Path flag = home.resolve("flag");
		f.define("files", "strategy", "test", "ready", "file:" + flag);
		f.define("cmd", "strategy", "test", "ready", "exec:test -e " + flag);
		f.step();
		probeFor(Duration.ofMillis(500));
		assertThat(f.state("files")).isEqualTo(ModuleState.STARTING);
		assertThat(f.status("files").reason()).contains("last: " + flag + " does not exist yet");
		assertThat(f.state("cmd")).isEqualTo(ModuleState.STARTING);
		assertThat(f.status("cmd").reason()).contains("last: exit status 1");
		Files.writeString(flag, "");
		probeFor(Duration.ofMillis(300));
		assertThat(f.state("files")).isEqualTo(ModuleState.RUNNING);
		assertThat(f.state("cmd")).isEqualTo(ModuleState.RUNNING);
		assertThat(f.status("cmd").reason()).contains("ready=exec:test -e " + flag + " passed after").contains("exit status 0");
	}

	@Test
	void noTryIsMadeWithTooLittleOfStartTimeoutLeftForItsAnswer() {
		long ms = 1_000_000;
		assertThat(Readiness.tryBound(Readiness.TCP_BOUND_NANOS, 5000 * ms)).isEqualTo(Readiness.TCP_BOUND_NANOS);
		assertThat(Readiness.tryBound(Readiness.TCP_BOUND_NANOS, 300 * ms)).isEqualTo(300 * ms);
		assertThat(Readiness.tryBound(Readiness.TCP_BOUND_NANOS, 50 * ms)).isEqualTo(50 * ms);
		assertThat(Readiness.tryBound(Readiness.TCP_BOUND_NANOS, 49 * ms)).as("a 1ms connect timed out under load").isZero();
		assertThat(Readiness.tryBound(Readiness.EXEC_BOUND_NANOS, -1)).isZero();
	}

	@Test
	void runningIsStillTheDefault() {
		f.define("web", "strategy", "test");
		f.step();
		f.advance(Duration.ofMillis(20));
		assertThat(f.state("web")).isEqualTo(ModuleState.RUNNING);
		assertThat(f.probes.queued()).isZero();
	}
}
