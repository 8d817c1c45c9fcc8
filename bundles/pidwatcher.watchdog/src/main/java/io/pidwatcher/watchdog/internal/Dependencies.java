package io.pidwatcher.watchdog.internal;

import io.pidwatcher.api.supervisor.ModuleState;
import io.pidwatcher.api.supervisor.ModuleStatus;
import io.pidwatcher.api.supervisor.NoSuchModuleException;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

/**
 * What requires= and after= mean to the engine (issue 14 part 1; the README's "Dependencies" has
 * the table): a start waits (state WAITING, the reason naming what for) until what the module
 * requires is RUNNING, what it is ordered after is no longer being started, and nothing that
 * requires it is still stopping; a failure of a module stops what requires it, deepest first, and
 * those start again once it runs; a stop by request stops what requires it first. The graph itself
 * is {@link DependencyGraph}; what a config may name is {@link DependencyConfigs}. Methods say
 * whether they take the engine's lock or need it held; the stops run on the stoppers, never under
 * the lock.
 */
final class Dependencies {

	/**
	 * A start held back by a dependency, to go on as it was asked for when the dependency is met.
	 * A module stopped because what it requires (restartOf) fails or restarts waits for that one's
	 * next run: the run it was stopped for (instance) may still be RUNNING a moment (a pw:restart,
	 * an unhealthy tree stopped after its dependents), and starting then was starting too early.
	 */
	private record HeldStart(long generation, String why, String restartOf, String instance) {

		HeldStart(long generation, String why) {
			this(generation, why, null, null);
		}
	}

	private final Engine e;
	/** Guarded by the engine's lock, as is everything below. */
	private final Map<String, HeldStart> held = new LinkedHashMap<>();
	/** Stops of what requires a failed module, by that module's name: its own tree stop waits for them. */
	private final Map<String, CompletableFuture<Void>> dependentStops = new HashMap<>();
	private boolean releasing;

	/** The config side: cycles and undefined names (a hook of Definitions). */
	final DependencyConfigs configs;

	Dependencies(Engine e) {
		this.e = e;
		this.configs = new DependencyConfigs(e, this);
	}

	/** The graph of every defined module's config in force (no edges for one without). Lock held. */
	DependencyGraph graph() {
		return new DependencyGraph(edges());
	}

	/** Each module's edges in force, in definition order. Lock held. */
	Map<String, DependencyGraph.Edges> edges() {
		Map<String, DependencyGraph.Edges> edges = new LinkedHashMap<>();
		e.modules.values().stream().sorted(Comparator.comparingLong(m -> m.order))
				.forEach(m -> edges.put(m.name, m.spec != null ? m.spec.dependencies() : DependencyGraph.Edges.NONE));
		return edges;
	}

	/** The module's held start, if any, is obsolete (its config became invalid, or it is gone). Lock held. */
	void forget(String module) {
		held.remove(module);
	}

	// --- starts ---

	/**
	 * Whether m may start now (Launcher.startNow asks). If not, the start is held: m is WAITING,
	 * its reason says what for, and it starts when that changes (see changed). Lock held.
	 */
	boolean mayStart(Module m, String why) {
		String blocker = blocker(m);
		if (blocker == null) {
			held.remove(m.name);
			return true;
		}
		HeldStart before = held.get(m.name);
		held.put(m.name, before != null ? new HeldStart(++m.generation, before.why(), before.restartOf(), before.instance())
				: new HeldStart(++m.generation, why));
		if (m.state != ModuleState.WAITING || !blocker.equals(m.reason)) {
			e.recorder.transition(m, ModuleState.WAITING, blocker);
		}
		return false;
	}

	/** What m's start waits for, in words; null when it may start. Lock held. */
	private String blocker(Module m) {
		HeldStart h = held.get(m.name);
		if (h != null && h.restartOf() != null) {
			Module x = e.modules.get(h.restartOf());
			if (x != null && java.util.Objects.equals(x.run.instance, h.instance())) {
				return "waiting for " + x.name + " (requires) to start again: " + (x.spec == null
						&& x.state != ModuleState.STOPPING ? "invalid" : x.state.label());
			}
		}
		DependencyGraph.Edges d = m.spec.dependencies();
		for (String r : d.requires()) {
			Module x = e.modules.get(r);
			if (x == null) {
				return "waiting for " + r + " (requires): not defined" + (configs.inGrace(m) ? " yet" : "");
			}
			if (x.state != ModuleState.RUNNING) {
				return "waiting for " + r + " (requires): " + (x.spec == null && x.state != ModuleState.STOPPING
						? "invalid" : x.state.label());
			}
		}
		for (String r : d.after()) {
			Module x = e.modules.get(r);
			if (x == null && configs.inGrace(m)) {
				return "waiting for " + r + " (after): not defined yet";
			}
			if (x != null && beingStarted(x)) {
				return "waiting for " + r + " (after): " + (x.state == ModuleState.STOPPED ? "to be started" : x.state.label());
			}
		}
		for (String name : graph().requiredBy(m.name)) {
			Module x = e.modules.get(name);
			if (x != null && x.state == ModuleState.STOPPING) {
				return "waiting for " + name + " to stop (it requires " + m.name + ")";
			}
		}
		return null;
	}

	/** Whether a start of x is under way or about to be (its first scan will autostart it). */
	private boolean beingStarted(Module x) {
		return x.launch != null || x.state == ModuleState.STARTING || held.containsKey(x.name)
				|| !x.firstScanDone && x.spec != null && x.spec.autostart() && x.wanted;
	}

	/**
	 * After every change of state (Recorder.transition): held starts whose dependencies are met go
	 * on, in dependency order; the others' reasons follow what they wait for. Lock held.
	 */
	void changed(Module changed) {
		if (releasing || held.isEmpty()) {
			return;
		}
		releasing = true;
		boolean launched = false;
		try {
			for (String name : graph().startOrder()) {
				HeldStart h = held.get(name);
				if (h == null) {
					continue;
				}
				Module m = e.modules.get(name);
				if (m == null || m.spec == null || m.generation != h.generation() || m.state != ModuleState.WAITING) {
					held.remove(name); // stopped, started or redefined meanwhile: the hold is obsolete
					continue;
				}
				String blocker = blocker(m);
				if (blocker == null) {
					held.remove(name);
					e.launcher.startNow(m, h.why());
					launched = true;
				} else if (!blocker.equals(m.reason)) {
					m.reason = blocker;
					e.status.publish(m);
				}
			}
		} finally {
			releasing = false;
		}
		if (launched) {
			e.scheduler.execute(e.launcher::runLaunches); // forks off the lock, as a pass does
		}
	}

	/**
	 * pw:start of a module first starts what it requires that is stopped or gave up (as systemctl
	 * start and s6-rc -u do), each with its own requirements first. Not called with the lock.
	 *
	 * @throws IllegalStateException when it requires a module that is not defined
	 */
	void startRequirementsFirst(String module) {
		List<String> toStart = new ArrayList<>();
		synchronized (e) {
			Module m = e.get(module);
			if (m.spec == null) {
				return; // the start says why
			}
			for (String r : m.spec.dependencies().requires()) {
				Module x = e.modules.get(r);
				if (x == null) {
					throw new IllegalStateException("module " + module + " requires " + r + ", which is not defined");
				}
				if (x.state == ModuleState.STOPPED || x.state == ModuleState.GAVE_UP || x.state == ModuleState.INVALID) {
					toStart.add(r);
				}
			}
		}
		for (String r : toStart) {
			e.launcher.startByRequest(r);
		}
	}

	// --- stops ---

	/**
	 * Before a module stops: what requires it stops first, deepest first. A stop by request
	 * (lastWord) stops them by request too (they stay stopped, as with systemctl stop); a restart's
	 * stop (pw:restart) holds them until the module runs again. Not called with the lock.
	 *
	 * @param what why, after the module's name: "is stopping", "was removed"
	 */
	void stopDependentsFirst(String module, boolean lastWord, String what) {
		List<String> order;
		CompletableFuture<Void> restarting = null;
		synchronized (e) {
			Module m = e.modules.get(module);
			if (m == null) {
				return;
			}
			if (!lastWord) {
				restarting = restartDependents(m, module + ", which it requires, restarts");
				order = List.of();
			} else {
				order = graph().dependentsInStopOrder(module).stream().filter(n -> {
					Module x = e.modules.get(n);
					return x != null && x.state != ModuleState.STOPPED && x.state != ModuleState.INVALID;
				}).toList();
			}
		}
		if (restarting != null) {
			restarting.join();
		}
		for (String d : order) {
			try {
				e.stops.stop(d, true, module + ", which it requires, " + what);
			} catch (NoSuchModuleException gone) {
				// removed meanwhile: nothing to stop
			}
		}
	}

	/** m failed: what requires it is stopped, deepest first, and starts again once m runs. Lock held. */
	void failed(Module m, String why) {
		restartDependents(m, m.name + ", which it requires, failed (" + why + ")");
	}

	/** Waits (without the lock) until what requires m, stopped because m failed, has stopped. */
	void awaitDependentsStopped(Module m) {
		CompletableFuture<Void> stops;
		synchronized (e) {
			stops = dependentStops.get(m.name);
		}
		if (stops != null) {
			stops.join();
		}
	}

	/**
	 * Marks every running module that requires m (transitively) STOPPING at once, so that m's
	 * restart waits for all of them (see blocker), and stops their trees deepest first on a
	 * stopper. Lock held.
	 */
	private CompletableFuture<Void> restartDependents(Module m, String why) {
		List<Module> toStop = new ArrayList<>();
		Map<Module, Long> generations = new HashMap<>();
		for (String name : graph().dependentsInStopOrder(m.name)) {
			Module d = e.modules.get(name);
			if (d == null || d.spec == null || d.launch != null) {
				continue; // a start in flight is held by its next start's check, or stopped by its own failure
			}
			if (d.state == ModuleState.RUNNING || d.state == ModuleState.STARTING) {
				generations.put(d, ++d.generation);
				d.history.pendingFailure = null;
				d.history.pendingWithTree = false;
				e.recorder.transition(d, ModuleState.STOPPING, "stopping: " + why);
				toStop.add(d);
			} else if (d.state == ModuleState.WAITING || d.state == ModuleState.FAILED) {
				held.putIfAbsent(d.name, new HeldStart(d.generation, "started again with " + m.name, m.name, m.run.instance));
			}
		}
		String instance = m.run.instance;
		CompletableFuture<Void> done = new CompletableFuture<>();
		if (toStop.isEmpty()) {
			done.complete(null);
			return done;
		}
		dependentStops.put(m.name, done);
		e.stoppers.execute(() -> {
			try {
				for (Module d : toStop) {
					String outcome;
					try {
						outcome = Stops.describe(e.stops.stopTree(d, d.specOfRun()));
					} catch (InterruptedException x) {
						return;
					}
					synchronized (e) {
						if (d.generation != generations.get(d) || !e.current(d) || d.spec == null) {
							continue;
						}
						d.run.startedAt = null;
						d.run.process = null;
						held.put(d.name, new HeldStart(d.generation, "started again after " + m.name + " (requires) runs again",
								m.name, instance));
						String blocker = blocker(d);
						// the transition lets it start at once (changed) if what it requires already runs again
						e.recorder.transition(d, ModuleState.WAITING, (blocker != null ? blocker : "stopped")
								+ "; stopped: " + outcome);
					}
				}
			} finally {
				synchronized (e) {
					dependentStops.remove(m.name, done);
				}
				done.complete(null);
			}
		});
		return done;
	}

	// --- what pw:deps shows ---

	/** "requires: a; after: b; required by: c, d" ("-" for none). Takes the lock. */
	String describe(String module) {
		synchronized (e) {
			e.get(module);
			DependencyGraph g = graph();
			DependencyGraph.Edges d = g.of(module);
			return "requires: " + list(d.requires()) + "; after: " + list(d.after()) + "; required by: "
					+ list(g.requiredBy(module));
		}
	}

	/** The module's dependencies both ways, for its status; the lock is held. */
	ModuleStatus.Dependencies statusOf(String module) {
		DependencyGraph g = graph();
		DependencyGraph.Edges d = g.of(module);
		List<String> before = g.orderedAfter(module).stream().filter(n -> !g.of(n).requires().contains(module)).toList();
		return new ModuleStatus.Dependencies(d.requires(), d.after(), g.requiredBy(module), before);
	}

	private static String list(List<String> names) {
		return names.isEmpty() ? "-" : String.join(", ", names);
	}
}
