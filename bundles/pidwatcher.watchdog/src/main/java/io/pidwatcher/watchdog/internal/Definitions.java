package io.pidwatcher.watchdog.internal;

import io.pidwatcher.api.supervisor.ModuleState;

import java.util.Map;

/**
 * Module definitions as configs come and go (from ModuleFile), and as strategies and policies that
 * check a module's parameters come and go: a config that does not parse, or that a strategy or
 * policy rejects, makes a never-run module INVALID and leaves a running one under its old config.
 */
final class Definitions {

	private final Engine e;
	/** Guarded by the engine's lock. */
	private long definitions;

	Definitions(Engine e) {
		this.e = e;
	}

	void define(String name, Map<String, Object> properties) {
		synchronized (e) {
			Module m = e.modules.get(name);
			if (m == null) {
				m = new Module(name, ++definitions);
				m.remembered = e.remembered.get(name);
				e.modules.put(name, m);
			}
			e.dependencies.configs.read(name, properties); // dependencies (issue 14 part 1)
			try {
				define(m, properties);
			} finally {
				e.status.publish(m);
			}
		}
	}

	private void define(Module m, Map<String, Object> properties) {
		String name = m.name;
		ModuleSpec spec;
		try {
			spec = ModuleSpec.parse(name, properties, e.home.root());
			e.parameterChecks.check(spec);
			e.dependencies.configs.check(m, spec); // dependencies (issue 14 part 1): cycles, undefined names
		} catch (IllegalArgumentException x) {
			if (m.spec == null) {
				m.configProblem = x.getMessage();
				e.recorder.transition(m, ModuleState.INVALID, "invalid config: " + x.getMessage());
			} else {
				m.configProblem = "config change rejected, the previous config stays in force: " + x.getMessage();
				e.recorder.note(m, m.configProblem);
			}
			e.logger.error("module {}: {}", name, x.getMessage());
			return;
		}
		boolean first = m.spec == null;
		m.spec = spec;
		m.configProblem = "";
		if (first) {
			m.firstScanDone = false;
			// A file deleted and back again (its tree may still be stopping) is a new definition:
			// wanted as any new module is, so autostart applies once the stop is done. Unless the
			// state file remembers a stop by request: then it is not wanted in this runtime either.
			// (Left wanted until its first scan, the next write of its entry said "not stopped",
			// and the runtime after this one started it: RuntimeFaultsTest's sweep, CI 2026-12-01.)
			m.wanted = m.remembered == null || !m.remembered.stopped();
			if (m.state == ModuleState.INVALID) {
				e.recorder.transition(m, ModuleState.STOPPED, "config is valid now");
			}
		} else if (m.runSpec != null && spec.differsInHowItStarts(m.runSpec)
				&& (m.state == ModuleState.RUNNING || m.state == ModuleState.STARTING)) {
			e.recorder.note(m, "config changed: the new command/environment takes effect at the next restart");
		} else {
			e.recorder.note(m, "config changed");
		}
		m.forced = true;
		m.nextCheckNanos = 0;
		e.loop.scheduleTick(0);
		e.dependencies.configs.accepted(m); // dependencies (issue 14 part 1)
	}

	void undefine(String name, boolean deleted) {
		Module m;
		e.launcher.awaitLaunch(name);
		synchronized (e) {
			m = e.modules.get(name);
			if (m == null) {
				return;
			}
			if (!deleted || !e.active) {
				e.modules.remove(name);
				e.status.remove(name);
				return;
			}
			m.wanted = false;
			m.generation++;
			m.spec = null;
			e.recorder.transition(m, ModuleState.STOPPING, "config deleted: stopping the whole tree");
		}
		e.stops.removeWhenStopped(m);
	}

	/**
	 * A strategy or policy appeared: the modules that use it have their parameters checked by it now.
	 * A module that has not run is invalid, as if the check had been there when its config was
	 * read; a module that runs keeps its config in force and shows the rejection.
	 */
	void checkAgain(String strategy, String policy) {
		synchronized (e) {
			if (!e.active) {
				return;
			}
			for (Module m : e.modules.values()) {
				if (m.spec == null || !ParameterChecks.uses(m.spec, strategy, policy)) {
					continue;
				}
				try {
					e.parameterChecks.check(m.spec);
				} catch (IllegalArgumentException x) {
					String who = strategy != null ? "strategy " + strategy : "policy " + policy;
					if (m.state == ModuleState.STOPPED) {
						m.spec = null;
						m.configProblem = x.getMessage() + " (rejected by " + who + ")";
						e.recorder.transition(m, ModuleState.INVALID, "invalid config: " + m.configProblem);
					} else {
						m.configProblem = "config rejected by " + who + ", the config in force stays: " + x.getMessage();
						e.recorder.note(m, m.configProblem);
					}
					e.logger.error("module {}: {}", m.name, m.configProblem);
				}
			}
		}
	}

	/** A strategy went away: the modules that use it say what they do meanwhile. */
	void strategyGone(String name) {
		synchronized (e) {
			if (!e.active || e.strategies.named(name) != null) {
				return; // another service still answers to the name (two bundles of one strategy)
			}
			for (Module m : e.modules.values()) {
				if (m.spec != null && m.spec.strategy().equals(name)) {
					e.recorder.note(m, "strategy " + name + " unavailable: the module keeps " + (m.state == ModuleState.WAITING
							? "waiting for its restart" : m.state.label()) + "; failures are recorded and decided when it is back");
				}
			}
		}
	}
}
