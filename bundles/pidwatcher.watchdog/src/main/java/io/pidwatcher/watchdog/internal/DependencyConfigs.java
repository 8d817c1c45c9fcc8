package io.pidwatcher.watchdog.internal;

import io.pidwatcher.api.supervisor.ModuleState;
import io.pidwatcher.api.text.DurationText;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * What a module's requires= and after= may name (issue 14 part 1): a config that closes a cycle is
 * turned down, as is a changed one naming an undefined module; a first config may name a module
 * that FileInstall defines a moment later, for {@link #UNKNOWN_GRACE}, then it is invalid. A
 * turned-down config is read again as soon as it could pass. Called from Definitions with the
 * engine's lock held.
 */
final class DependencyConfigs {

	/** How long a first config may name a module that no config defines yet (FileInstall reads one file at a time). */
	static final Duration UNKNOWN_GRACE = Duration.ofSeconds(10);

	private final Engine e;
	private final Dependencies dependencies;
	/** The properties each module was last defined with, to read a turned-down config again. Guarded by the engine's lock, as are the others. */
	private final Map<String, Map<String, Object>> properties = new HashMap<>();
	/** Modules whose last config named an undefined module or closed a cycle, with that config's edges. */
	private final Map<String, DependencyGraph.Edges> turnedDown = new LinkedHashMap<>();
	/** When each module's config came in force, for UNKNOWN_GRACE. */
	private final Map<String, Long> acceptedNanos = new HashMap<>();
	private boolean retrying;

	DependencyConfigs(Engine e, Dependencies dependencies) {
		this.e = e;
		this.dependencies = dependencies;
	}

	/** A config comes in (before it is parsed): kept, to read it again if it is turned down here. Lock held. */
	void read(String module, Map<String, Object> props) {
		properties.put(module, Map.copyOf(props));
	}

	/**
	 * Checks a parsed config against the others: a cycle turns it down; so does a changed config
	 * naming an undefined module that the config in force did not name (a first config may name
	 * modules defined a moment later, see accepted).
	 * Either way it is read again once that could change. Lock held.
	 *
	 * @throws IllegalArgumentException naming the cycle or the undefined module
	 */
	void check(Module m, ModuleSpec spec) {
		Map<String, DependencyGraph.Edges> edges = dependencies.edges();
		edges.put(m.name, spec.dependencies());
		DependencyGraph g = new DependencyGraph(edges);
		var cycle = g.cycleFrom(m.name);
		if (cycle.isPresent()) {
			turnedDown.put(m.name, spec.dependencies());
			throw new IllegalArgumentException(cycle.get() + " (read again when the modules on it change)");
		}
		List<String> unknown = new ArrayList<>(g.unknown(m.name));
		if (m.spec != null) {
			unknown.removeAll(m.spec.dependencies().all()); // named already by the config in force: its grace goes on
		}
		if (!unknown.isEmpty() && m.spec != null) {
			turnedDown.put(m.name, spec.dependencies());
			throw new IllegalArgumentException(unknown(spec, unknown) + " (read again when it is defined)");
		}
		turnedDown.remove(m.name);
	}

	/** A config came in force: an undefined name gets UNKNOWN_GRACE; configs turned down before are read again. Lock held. */
	void accepted(Module m) {
		acceptedNanos.put(m.name, e.nanos());
		if (!dependencies.graph().unknown(m.name).isEmpty()) {
			ModuleSpec spec = m.spec;
			e.scheduler.schedule(() -> expire(m, spec), UNKNOWN_GRACE.toNanos(), TimeUnit.NANOSECONDS);
		}
		retryTurnedDown();
	}

	/** The grace is over: a config still naming an undefined module is invalid (a running module keeps it, with the problem shown). */
	private void expire(Module m, ModuleSpec spec) {
		synchronized (e) {
			if (!e.current(m) || m.spec != spec) {
				return;
			}
			List<String> unknown = dependencies.graph().unknown(m.name);
			if (unknown.isEmpty()) {
				return;
			}
			String problem = unknown(spec, unknown) + ": not defined within " + DurationText.format(UNKNOWN_GRACE)
					+ " of this config (read again when it is defined)";
			turnedDown.put(m.name, spec.dependencies());
			if (m.state == ModuleState.RUNNING || m.state == ModuleState.STARTING || m.state == ModuleState.STOPPING) {
				m.configProblem = problem;
				e.recorder.note(m, problem);
				return;
			}
			dependencies.forget(m.name);
			m.spec = null;
			m.generation++;
			m.configProblem = problem;
			e.recorder.transition(m, ModuleState.INVALID, "invalid config: " + problem);
			e.logger.error("module {}: {}", m.name, problem);
		}
	}

	private void retryTurnedDown() {
		if (retrying || turnedDown.isEmpty()) {
			return;
		}
		retrying = true;
		try {
			for (Map.Entry<String, DependencyGraph.Edges> t : List.copyOf(turnedDown.entrySet())) {
				Map<String, DependencyGraph.Edges> edges = dependencies.edges();
				edges.put(t.getKey(), t.getValue());
				DependencyGraph g = new DependencyGraph(edges);
				Map<String, Object> props = properties.get(t.getKey());
				if (props != null && e.modules.containsKey(t.getKey()) && g.unknown(t.getKey()).isEmpty()
						&& g.cycle().isEmpty()) {
					turnedDown.remove(t.getKey());
					e.definitions.define(t.getKey(), props);
				}
			}
		} finally {
			retrying = false;
		}
	}

	/** The module is gone (config deleted and its tree stopped). Lock held. */
	void removed(String module) {
		dependencies.forget(module);
		properties.remove(module);
		turnedDown.remove(module);
		acceptedNanos.remove(module);
	}

	private static String unknown(ModuleSpec spec, List<String> unknown) {
		String first = unknown.get(0);
		return spec.dependencies().kindOf(first) + " names module '" + first + "', which no config defines";
	}

	/** Whether m's config came in force less than UNKNOWN_GRACE ago (an undefined name may still come). */
	boolean inGrace(Module m) {
		Long at = acceptedNanos.get(m.name);
		return at == null || e.nanos() - at < UNKNOWN_GRACE.toNanos();
	}
}
