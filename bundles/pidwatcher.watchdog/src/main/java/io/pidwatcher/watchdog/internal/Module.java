package io.pidwatcher.watchdog.internal;

import io.pidwatcher.api.supervisor.ModuleState;

import java.time.Instant;

/**
 * The engine's mutable record of one module: its config and state here, the rest in a few parts
 * that change together (the run, its tree, its health, its restart history). Guarded by the
 * {@link Engine}'s lock, except while the module is STOPPING, when the stopping thread owns the
 * tree's tracked tasks.
 */
final class Module {

	final String name;
	/** Position among all modules by first definition: a group's start order. */
	final long order;

	/** The config in force; null while the module never had a valid one. */
	ModuleSpec spec;
	/** The config the current run was started with (command, environment... apply at the next start). */
	ModuleSpec runSpec;
	/** The config the current (or last) run was started with, else the one in force: what its tree obeys. */
	ModuleSpec specOfRun() {
		return runSpec != null ? runSpec : spec;
	}

	/** Why the config is unusable (state INVALID) or why the last edit was rejected. */
	String configProblem = "";

	ModuleState state = ModuleState.STOPPED;
	String reason = "defined; the first scan decides: adopt the running tree or (autostart) start it";
	Instant since = Instant.now();
	/** False after a user stop: autostart must not undo it. */
	boolean wanted = true;
	/** Bumped whenever a scheduled restart becomes obsolete (stop, start, adoption). */
	long generation;

	final RunRecord run = new RunRecord();
	final TrackedTree tree = new TrackedTree();
	final HealthRecord health = new HealthRecord();
	final RestartHistory history = new RestartHistory();
	/** readiness (issue 14 part 2): the current run's probe. */
	final ReadinessRecord readiness = new ReadinessRecord();

	/** A start prepared and not yet forked (see Launcher.runLaunches); scans leave the module alone meanwhile. */
	Launcher.Launch launch;
	long nextCheckNanos;
	boolean forced;
	/** Until the first scan after definition, we do not know whether the tree already runs. */
	boolean firstScanDone;
	/** What the state file remembered from an earlier runtime, used once to adopt. */
	StateFile.Entry remembered;
	long lastLogCheckNanos;

	Module(String name, long order) {
		this.name = name;
		this.order = order;
	}
}
