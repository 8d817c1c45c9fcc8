package io.pidwatcher.watchdog.internal;

import io.pidwatcher.api.policy.HealthSample;
import io.pidwatcher.api.supervisor.ModuleState;
import io.pidwatcher.api.supervisor.Failure;
import io.pidwatcher.api.reader.TaskId;
import io.pidwatcher.api.reader.TaskSnapshot;

import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * The watchdog's mutable record of one module. Every field is guarded by the {@link Watchdog}'s
 * lock, except while the module is STOPPING, when the stopping thread owns {@link #tracked}.
 */
final class Module {

	static final int MAX_SAMPLES = 600;
	static final int MAX_FAILURES = 32;

	final String name;

	/** The config in force; null while the module never had a valid one. */
	ModuleSpec spec;
	/** The config the current run was started with (command, environment... apply at the next start). */
	ModuleSpec runSpec;
	/** Why the config is unusable (state INVALID) or why the last edit was rejected. */
	String configProblem = "";

	ModuleState state = ModuleState.STOPPED;
	String reason = "defined; the first scan decides: adopt the running tree or (autostart) start it";
	Instant since = Instant.now();

	/** Position among all modules by first definition: a group's start order. */
	final long order;

	String instance = "";
	Instant startedAt;
	/** When the last run started; unlike startedAt it survives the failure (strategies measure stable runs). */
	Instant lastStartedAt;
	long startedNanos;
	int restarts;

	/** A start prepared and not yet forked (see Watchdog.runLaunches); scans leave the module alone meanwhile. */
	Watchdog.Launch launch;
	/** When a scan first found the tree gone while our child was not reaped yet (0: not so). */
	long goneSinceNanos;

	/** Our child, when this runtime started the run (null after adoption). */
	Process process;
	int mainPid;
	TaskId main;

	/** The main= rule applied to the current run (issue 11 part 3); null before the first start or adoption. */
	MainProcess mainProcess;
	/** The main task's wait status, when a reader reported its exit with one (a daemon is not our child). */
	java.util.OptionalInt mainWaitStatus = java.util.OptionalInt.empty();
	/** Tasks released from the module on request (pw:release), and their descendants; kept across runs. */
	Set<TaskId> released = new HashSet<>();

	/** Every task of the tree by pid and start time: how descendants that lost the tag stay tracked. */
	Set<TaskId> tracked = new HashSet<>();
	List<TaskSnapshot> tree = List.of();
	double cpuPercent;
	long lastSampleNanos;
	Map<TaskId, Long> lastCpu = Map.of();
	final Deque<HealthSample> samples = new ArrayDeque<>();
	final Map<String, String> policyVerdicts = new LinkedHashMap<>();

	long nextCheckNanos;
	boolean forced;
	/** Until the first scan after definition, we do not know whether the tree already runs. */
	boolean firstScanDone;
	/** False after a user stop: autostart must not undo it. */
	boolean wanted = true;
	/** Bumped whenever a scheduled restart becomes obsolete (stop, start, adoption). */
	long generation;

	final Deque<Failure> failures = new ArrayDeque<>();
	/** A failure waiting for its strategy (not registered, or failed). */
	Failure pendingFailure;
	boolean pendingWithTree;
	String lastDecision = "";
	/** When a WAITING module's restart is due (kept in the state file, so a new watchdog keeps the date). */
	Instant restartAt;

	/** notify socket and what came through it in this run */
	Path notifySocket;
	long lastWatchdogNanos;
	long readyNanos;
	/** WATCHDOG=trigger arrived in this run: the heartbeat policy fails the module at once. */
	boolean watchdogTriggered;

	/** What the state file remembered from an earlier runtime, used once to adopt. */
	StateFile.Entry remembered;
	String lastSource;
	long lastLogCheckNanos;

	Module(String name, long order) {
		this.name = name;
		this.order = order;
	}

	void addFailure(Failure f) {
		failures.addLast(f);
		while (failures.size() > MAX_FAILURES) {
			failures.removeFirst();
		}
	}

	/**
	 * Keeps a sample, sharing every task record equal to the previous sample's and the strings of
	 * those that changed: readers make new records each scan, and MAX_SAMPLES copies of every tree
	 * were most of the runtime's heap (3 million records for 200 modules of 25 tasks).
	 */
	void addSample(HealthSample s) {
		HealthSample previous = samples.peekLast();
		if (previous != null) {
			s = new HealthSample(s.monotonicNanos(), s.main(), shareWith(previous.tasks(), s.tasks()), s.cpuPercent());
		}
		samples.addLast(s);
		while (samples.size() > MAX_SAMPLES) {
			samples.removeFirst();
		}
	}

	private static List<TaskSnapshot> shareWith(List<TaskSnapshot> previous, List<TaskSnapshot> tasks) {
		Map<TaskId, TaskSnapshot> before = new HashMap<>();
		previous.forEach(t -> before.put(t.id(), t));
		List<TaskSnapshot> shared = new ArrayList<>(tasks.size());
		for (TaskSnapshot t : tasks) {
			TaskSnapshot old = before.get(t.id());
			if (old == null) {
				shared.add(t);
			} else if (old.equals(t)) {
				shared.add(old);
			} else {
				shared.add(new TaskSnapshot(t.pid(), t.ppid(), t.tgid(), t.threads(), t.state(), t.uid(),
						Objects.equals(old.comm(), t.comm()) ? old.comm() : t.comm(), t.startTimeNanos(), t.cpuTimeNanos(),
						t.rssBytes(), Objects.equals(old.tagValue(), t.tagValue()) ? old.tagValue() : t.tagValue()));
			}
		}
		return shared;
	}
}
