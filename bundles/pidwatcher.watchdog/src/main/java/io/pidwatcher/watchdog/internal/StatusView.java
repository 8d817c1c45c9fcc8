package io.pidwatcher.watchdog.internal;

import io.pidwatcher.api.supervisor.ModuleState;
import io.pidwatcher.api.supervisor.ModuleStatus;
import io.pidwatcher.api.supervisor.NoSuchModuleException;
import io.pidwatcher.api.supervisor.StrategyStatus;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentSkipListMap;

/**
 * What status queries answer from: each module's status, rebuilt (under the lock) whenever the
 * module changes and read without it, so pw:modules and the control socket never wait for a pass
 * of the loop or a burst of exits.
 */
final class StatusView {

	private final Engine e;
	private final Map<String, ModuleStatus> view = new ConcurrentSkipListMap<>();

	StatusView(Engine e) {
		this.e = e;
	}

	/** Called with the lock held, after any change of what the module's status shows. */
	void publish(Module m) {
		if (e.modules.get(m.name) == m) {
			view.put(m.name, statusOf(m));
		}
	}

	void publishAll() {
		synchronized (e) {
			e.modules.values().forEach(this::publish);
		}
	}

	void remove(String module) {
		view.remove(module);
	}

	List<ModuleStatus> modules() {
		return List.copyOf(view.values());
	}

	ModuleStatus status(String module) {
		ModuleStatus s = view.get(module);
		if (s == null) {
			throw new NoSuchModuleException(module);
		}
		return s;
	}

	/** The status of a module as it is now; the lock is held. */
	ModuleStatus statusOf(Module m) {
		ModuleSpec spec = m.spec != null ? m.spec : m.runSpec;
		List<ModuleStatus.PolicyStatus> policyStatus = new ArrayList<>();
		if (spec != null) {
			for (String p : spec.policies()) {
				boolean available = e.policies.named(p) != null;
				policyStatus.add(new ModuleStatus.PolicyStatus(p, available,
						m.health.policyVerdicts.getOrDefault(p, available ? "not evaluated yet" : "unavailable")));
			}
		}
		StrategyStatus strategy = spec == null ? null
				: new StrategyStatus(spec.strategy(), e.strategies.named(spec.strategy()) != null);
		String problem = m.configProblem;
		if (problem.isEmpty() && m.spec != null && m.runSpec != null && m.spec.differsInHowItStarts(m.runSpec)
				&& (m.state == ModuleState.RUNNING || m.state == ModuleState.STARTING)) {
			problem = "config changed: the new command/environment takes effect at the next restart";
		}
		boolean running = m.state == ModuleState.RUNNING || m.state == ModuleState.STARTING
				|| m.state == ModuleState.STOPPING || m.history.pendingWithTree;
		return new ModuleStatus(m.name, m.state, m.reason, m.since, m.run.instance, m.run.startedAt, m.history.restarts, m.run.main,
				running ? m.tree.tasks : List.of(), running ? m.tree.cpuPercent : 0,
				spec == null ? List.of() : (m.runSpec != null ? m.runSpec : spec).command(), strategy, m.history.lastDecision,
				policyStatus, List.copyOf(m.history.failures), problem, e.dependencies.statusOf(m.name));
	}
}
