package io.pidwatcher.watchdog.tests;

import static org.assertj.core.api.Assertions.assertThat;

import io.pidwatcher.api.supervisor.JournalEntry;
import io.pidwatcher.api.supervisor.ModuleState;
import io.pidwatcher.api.supervisor.ModuleStatus;
import io.pidwatcher.api.strategy.RestartDecision;
import io.pidwatcher.api.supervisor.Failure;
import io.pidwatcher.api.strategy.RestartStrategy;
import io.pidwatcher.testing.TestPrograms;

import java.time.Duration;
import java.util.Hashtable;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.osgi.framework.BundleContext;
import org.osgi.framework.FrameworkUtil;
import org.osgi.framework.ServiceRegistration;

/** Acceptance 5, 6 and 8, plus a strategy that appears late. Real spinners, leakers and heartbeats. */
class HealthPolicyTest extends WatchdogTestBase {

	/** 5. A CPU spinner is restarted by the runaway policy. */
	@Test
	void aCpuSpinnerIsRestartedByTheRunawayPolicy() throws Exception {
		String name = modules.define(TestPrograms.uniqueModule("spin"), "command", Modules.pwtest("spin", "120"),
				"interval", "250ms", "policies", "cpu", "policy.cpu.limit", "40", "policy.cpu.samples", "2",
				"policy.cpu.window", "3", "stop.timeout", "1s");
		ModuleStatus first = modules.awaitState(name, ModuleState.RUNNING);
		ModuleStatus restarted = modules.await(name, "restarted by the cpu policy",
				s -> s.restarts() >= 1 && s.state() == ModuleState.RUNNING);
		Failure f = restarted.failures().get(0);
		assertThat(f.kind()).isEqualTo(Failure.Kind.UNHEALTHY);
		assertThat(f.reason()).contains("cpu: runaway");
		assertThat(restarted.main()).isNotEqualTo(first.main());
		assertThat(Modules.alive(first.main().pid(), first.main().startTimeNanos(), reader)).isFalse();
	}

	/** 6. A leaker is restarted by the tree-memory policy. */
	@Test
	void aLeakerIsRestartedByTheTreeMemoryPolicy() throws Exception {
		String name = modules.define(TestPrograms.uniqueModule("leak"), "command", Modules.pwtest("leak", "16", "120"),
				"interval", "250ms", "policies", "memory", "policy.memory.limit", "40M", "stop.timeout", "1s");
		ModuleStatus first = modules.awaitState(name, ModuleState.RUNNING);
		ModuleStatus restarted = modules.await(name, "restarted by the memory policy",
				s -> s.restarts() >= 1 && s.state() == ModuleState.RUNNING);
		Failure f = restarted.failures().get(0);
		assertThat(f.kind()).isEqualTo(Failure.Kind.UNHEALTHY);
		assertThat(f.reason()).contains("memory: tree RSS").contains("limit 40.0M");
		assertThat(restarted.main()).isNotEqualTo(first.main());
		assertThat(restarted.rssBytes()).isLessThan(40L << 20);
	}

	/** 8. A heartbeat program that stops sending WATCHDOG=1 is restarted; it is running only after READY=1. */
	@Test
	void aHeartbeatProgramThatFallsSilentIsRestarted() throws Exception {
		String name = modules.define(TestPrograms.uniqueModule("beat"), "command",
				Modules.pwtest("heartbeat", "100", "15", "120"), "notify", "true", "interval", "200ms",
				"policies", "heartbeat", "policy.heartbeat.timeout", "700ms", "stop.timeout", "1s");
		ModuleStatus beating = modules.await(name, "running and beating", s -> s.state() == ModuleState.RUNNING
				&& s.policies().get(0).verdict().startsWith("ok: last WATCHDOG=1"));
		ModuleStatus restarted = modules.await(name, "restarted by the heartbeat policy",
				s -> s.restarts() >= 1 && s.state() == ModuleState.RUNNING);
		Failure f = restarted.failures().get(0);
		assertThat(f.kind()).isEqualTo(Failure.Kind.UNHEALTHY);
		assertThat(f.reason()).contains("heartbeat: last WATCHDOG=1");
		assertThat(restarted.main()).isNotEqualTo(beating.main());
		List<JournalEntry> events = supervisor.events(name, 100);
		JournalEntry running = events.stream().filter(e -> e.to() == ModuleState.RUNNING).findFirst().orElseThrow();
		assertThat(running.reason()).contains("READY=1");
		JournalEntry stopping = events.stream().filter(e -> e.to() == ModuleState.STOPPING).findFirst().orElseThrow();
		assertThat(Duration.between(running.at(), stopping.at()))
				.as("not failed while it was still beating (15 beats of 100 ms)").isGreaterThan(Duration.ofMillis(1400));
	}

	/** A notify program that never sends READY=1 fails its start after start.timeout and is restarted. */
	@Test
	void aNotifyProgramThatNeverGetsReadyFailsItsStart() throws Exception {
		String name = modules.define(TestPrograms.uniqueModule("noready"), "command", Modules.pwtest("sleep", "120"),
				"notify", "true", "start.timeout", "800ms", "interval", "200ms", "stop.timeout", "1s");
		ModuleStatus waiting = modules.await(name, "waiting for READY=1",
				s -> s.state() == ModuleState.STARTING && s.reason().contains("waiting for READY=1"));
		ModuleStatus restarted = modules.await(name, "restarted", s -> s.restarts() >= 1);
		Failure f = restarted.failures().get(0);
		assertThat(f.kind()).isEqualTo(Failure.Kind.START_FAILED);
		assertThat(f.reason()).contains("no READY=1 within start.timeout 800ms");
		assertThat(Modules.alive(waiting.tasks().get(0).pid(), waiting.tasks().get(0).startTimeNanos(), reader)).isFalse();
		assertThat(restarted.state()).isIn(ModuleState.STARTING, ModuleState.STOPPING, ModuleState.WAITING,
				ModuleState.FAILED);
	}

	/**
	 * An unhealthy module whose strategy is not deployed keeps running with the failure recorded,
	 * and gets its decision as soon as the strategy appears.
	 */
	@Test
	void anUnhealthyModuleWaitsForItsStrategyAndKeepsRunning() throws Exception {
		String strategyName = "late" + System.nanoTime();
		String name = modules.define(TestPrograms.uniqueModule("late"), "command", Modules.pwtest("spin", "120"),
				"interval", "250ms", "policies", "cpu", "policy.cpu.limit", "40", "policy.cpu.samples", "1",
				"strategy", strategyName, "strategy.delay", "0", "stop.timeout", "1s");
		ModuleStatus pending = modules.await(name, "failure pending",
				s -> s.reason().contains("strategy " + strategyName + " unavailable: decision pending, processes kept running"));
		assertThat(pending.state()).isEqualTo(ModuleState.RUNNING);
		assertThat(pending.failures()).isNotEmpty();
		Thread.sleep(500);
		assertThat(supervisor.status(name).main()).isEqualTo(pending.main());
		assertThat(Modules.alive(pending.main().pid(), pending.main().startTimeNanos(), reader)).isTrue();

		BundleContext context = FrameworkUtil.getBundle(getClass()).getBundleContext();
		Hashtable<String, Object> props = new Hashtable<>();
		props.put(RestartStrategy.NAME_PROPERTY, strategyName);
		ServiceRegistration<RestartStrategy> reg = context.registerService(RestartStrategy.class,
				r -> new RestartDecision.GiveUp("test strategy gives up at once"), props);
		try {
			ModuleStatus gaveUp = modules.awaitState(name, ModuleState.GAVE_UP);
			assertThat(gaveUp.reason()).contains("test strategy gives up at once");
			assertThat(Modules.alive(pending.main().pid(), pending.main().startTimeNanos(), reader)).isFalse();
			assertThat(modules.aliveTagged(name)).isEmpty();
		} finally {
			reg.unregister();
		}
	}
}
