package io.pidwatcher.watchdog.tests;

import static org.assertj.core.api.Assertions.assertThat;

import io.pidwatcher.api.supervisor.ModuleState;
import io.pidwatcher.api.supervisor.ModuleStatus;
import io.pidwatcher.testing.TestPrograms;

import io.pidwatcher.api.policy.HealthPolicy;
import io.pidwatcher.api.strategy.RestartStrategy;

import org.junit.jupiter.api.Test;
import org.osgi.framework.Bundle;
import org.osgi.framework.FrameworkUtil;
import org.osgi.test.common.annotation.InjectService;

/**
 * A key no part of the runtime knows makes its module invalid, naming the key and the nearest
 * known one; keys a deployed strategy or policy declares in its Metatype are known; keys of a strategy that
 * is not deployed wait unchecked.
 */
class UnknownKeysTest extends WatchdogTestBase {

	// deployed before the modules are defined (intensity, not backoff: other tests swap the backoff bundle)
	@InjectService(filter = "(pidwatcher.strategy=intensity)", timeout = 10000)
	RestartStrategy intensity;

	@InjectService(filter = "(pidwatcher.policy=cpu)", timeout = 10000)
	HealthPolicy cpu;

	@Test
	void typosAreInvalidWithTheNearestKnownKeyAndTheRestRunsOn() throws Exception {
		String healthy = modules.define(TestPrograms.uniqueModule("healthy"), "command", "sleep 120");
		ModuleStatus before = modules.awaitState(healthy, ModuleState.RUNNING);
		String strategyTypo = modules.define(TestPrograms.uniqueModule("dealy"), "command", "sleep 120",
				"strategy", "fixed", "strategy.dealy", "5s");
		String plainTypo = modules.define(TestPrograms.uniqueModule("intervall"), "command", "sleep 120",
				"intervall", "1s");
		String intensityTypo = modules.define(TestPrograms.uniqueModule("intensity"), "command", "sleep 120",
				"strategy", "intensity", "strategy.max_restarts", "3");
		String policyTypo = modules.define(TestPrograms.uniqueModule("policy"), "command", "sleep 120",
				"policies", "cpu", "policy.cpuu.limit", "90");
		String policyKeyTypo = modules.define(TestPrograms.uniqueModule("limt"), "command", "sleep 120",
				"policies", "cpu,liveness", "policy.cpu.limt", "90", "policy.liveness.min", "1");

		assertThat(modules.awaitState(strategyTypo, ModuleState.INVALID).reason())
				.contains("unknown key 'strategy.dealy' (did you mean 'strategy.delay'?)");
		assertThat(modules.awaitState(plainTypo, ModuleState.INVALID).reason())
				.contains("unknown key 'intervall' (did you mean 'interval'?)");
		assertThat(modules.awaitState(intensityTypo, ModuleState.INVALID).reason())
				.contains("unknown key 'strategy.max_restarts' (did you mean 'strategy.max-restarts'?)");
		assertThat(modules.awaitState(policyTypo, ModuleState.INVALID).reason())
				.contains("unknown key 'policy.cpuu.limit': policy cpuu is not in policies");
		assertThat(modules.awaitState(policyKeyTypo, ModuleState.INVALID).reason())
				.contains("unknown key 'policy.cpu.limt' (did you mean 'policy.cpu.limit'?)");
		for (String bad : new String[] { strategyTypo, plainTypo, intensityTypo, policyTypo, policyKeyTypo }) {
			assertThat(modules.liveTree(bad)).isEmpty();
		}
		assertThat(supervisor.status(healthy).main()).isEqualTo(before.main());

		// fixed, the module runs
		modules.define(strategyTypo, "command", "sleep 120", "strategy", "fixed", "strategy.delay", "5s");
		assertThat(modules.awaitState(strategyTypo, ModuleState.RUNNING).configProblem()).isEmpty();
	}

	@Test
	void keysOfAStrategyThatIsNotDeployedWaitUnchecked() throws Exception {
		String name = modules.define(TestPrograms.uniqueModule("later"), "command", "sleep 120",
				"strategy", "notdeployed", "strategy.anything", "1");
		ModuleStatus s = modules.awaitState(name, ModuleState.RUNNING);
		assertThat(s.configProblem()).isEmpty();
	}

	/**
	 * The runtime starts the watchdog before the pidwatcher.strategy.fixed bundle: a module read in
	 * between is not invalid for its strategy.* keys, and is checked once the bundle is there.
	 */
	@Test
	void keysWaitForTheStrategyBundleAndAreCheckedWhenItStarts() throws Exception {
		Bundle fixed = null;
		for (Bundle b : FrameworkUtil.getBundle(getClass()).getBundleContext().getBundles()) {
			if ("pidwatcher.strategy.fixed".equals(b.getSymbolicName())) {
				fixed = b;
			}
		}
		assertThat(fixed).as("bundle pidwatcher.strategy.fixed").isNotNull();
		fixed.stop();
		try {
			String known = modules.define(TestPrograms.uniqueModule("delay"), "command", "sleep 120",
					"strategy", "fixed", "strategy.delay", "1s");
			String typo = modules.define(TestPrograms.uniqueModule("typo"), "command", "sleep 120",
					"strategy", "fixed", "strategy.dealy", "1s");
			assertThat(modules.awaitState(known, ModuleState.RUNNING).configProblem()).isEmpty();
			ModuleStatus before = modules.awaitState(typo, ModuleState.RUNNING);
			fixed.start();
			// running: it keeps the config in force and shows the rejection
			ModuleStatus after = modules.await(typo, "rejected by the fixed bundle",
					st -> st.configProblem().contains("unknown key 'strategy.dealy' (did you mean 'strategy.delay'?)"));
			assertThat(after.main()).isEqualTo(before.main());
			assertThat(supervisor.status(known).state()).isEqualTo(ModuleState.RUNNING);
			assertThat(supervisor.status(known).configProblem()).isEmpty();
		} finally {
			if (fixed.getState() != Bundle.ACTIVE) {
				fixed.start();
			}
		}
	}
}
