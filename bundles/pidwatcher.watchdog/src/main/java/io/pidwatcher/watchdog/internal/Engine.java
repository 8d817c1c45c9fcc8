package io.pidwatcher.watchdog.internal;

import io.pidwatcher.api.policy.HealthPolicy;
import io.pidwatcher.api.reader.ProcessReader;
import io.pidwatcher.api.strategy.RestartStrategy;
import io.pidwatcher.api.supervisor.NoSuchModuleException;
import io.pidwatcher.api.supervisor.RuntimeHome;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

import org.osgi.service.log.Logger;

/**
 * One active supervision engine: the modules, the lock that guards them, the threads and files the
 * engine uses, and its parts, one per job. The engine itself is the lock: every part synchronizes
 * on it, so moving a method from one part to another never changes what it is atomic with. Lives
 * from the Watchdog component's activation to its deactivation.
 */
final class Engine {

	private static final int JOURNAL_CAPACITY = 2000;

	final Logger logger;
	final RuntimeHome home;
	final RankedServices<ProcessReader> readers;
	final RankedServices<RestartStrategy> strategies;
	final RankedServices<HealthPolicy> policies;
	final JournalFeed journalFeed;
	final LoopListeners loopListeners;
	final ParameterChecks parameterChecks;

	/** Guarded by this. */
	final Map<String, Module> modules = new TreeMap<>();

	final Machine machine;
	final ScheduledExecutorService scheduler;
	/** Whole-tree stops, on their own threads since they wait for processes. */
	final ExecutorService stoppers;
	/** Writes the journal and the state file, in order, off the lock. */
	private final ExecutorService recording;
	/** Rotates logs of running modules, off the lock. */
	final ExecutorService logWorker;
	final Journal journal;
	final StateFile stateFile;
	/** What the state file held when this engine started; read once per module, at its definition. */
	final Map<String, StateFile.Entry> remembered;
	final NotifySockets notifySockets;
	volatile boolean active;

	final Recorder recorder;
	final StatusView status;
	final ScanLoop loop;
	final ModuleTrees trees;
	final HealthSampling health;
	final Lifecycle lifecycle;
	final RestartPlanner planner;
	final Adoption adoption;
	final Launcher launcher;
	final ModuleLogs logs;
	final Stops stops;
	final Definitions definitions;
	final Dependencies dependencies; // dependencies (issue 14 part 1)
	final MainJudge mainJudge;
	final Releases releases;
	/** readiness (issue 14 part 2): ready= probes and notify's READY=1, within start.timeout. */
	final Readiness readiness;
	/** Mains that are neither our child nor tagged: no reader reports their exit (see MainWatch). */
	final MainWatch mainWatch = new MainWatch();
	/** Guarded by this: whether a check of mainWatch is scheduled. */
	private boolean mainCheckScheduled;

	Engine(Logger logger, RuntimeHome home, RankedServices<ProcessReader> readers,
			RankedServices<RestartStrategy> strategies, RankedServices<HealthPolicy> policies, JournalFeed journalFeed,
			LoopListeners loopListeners, Machine machine) {
		this.machine = machine;
		this.scheduler = machine.scheduler();
		this.stoppers = machine.stoppers();
		this.logger = logger;
		this.home = home;
		this.readers = readers;
		this.strategies = strategies;
		this.policies = policies;
		this.journalFeed = journalFeed;
		this.loopListeners = loopListeners;
		this.parameterChecks = new ParameterChecks(name -> ParameterChecks.found(strategies, name, "pidwatcher.strategy."),
				name -> ParameterChecks.found(policies, name, "pidwatcher.policy.")); // identity (issue 14 part 7)
		recorder = new Recorder(this);
		status = new StatusView(this);
		loop = new ScanLoop(this);
		trees = new ModuleTrees(this);
		health = new HealthSampling(this);
		lifecycle = new Lifecycle(this);
		planner = new RestartPlanner(this);
		adoption = new Adoption(this);
		launcher = new Launcher(this);
		logs = new ModuleLogs(this);
		stops = new Stops(this);
		definitions = new Definitions(this);
		dependencies = new Dependencies(this); // dependencies (issue 14 part 1)
		mainJudge = new MainJudge(this);
		releases = new Releases(this);
		readiness = new Readiness(this);
		Path dir = home.var().resolve("watchdog");
		WriteTrouble trouble = new WriteTrouble() {
			@Override
			public void cannotWrite(String what, Path file, IOException e, String consequence) {
				logger.warn("cannot write {} {}: {}; {}", what, file, e.getMessage(), consequence);
			}

			@Override
			public void writtenAgain(String what, Path file, String detail) {
				logger.warn("{} is written again ({}){}", what, file, detail);
			}
		};
		recording = Executors.newSingleThreadExecutor(Machine.threads("pidwatcher-recorder"));
		logWorker = Executors.newSingleThreadExecutor(Machine.threads("pidwatcher-log"));
		journal = new Journal(dir.resolve("journal.jsonl"), JOURNAL_CAPACITY, trouble, recording);
		journal.loadTail();
		stateFile = new StateFile(dir.resolve("state.properties"), trouble, recording);
		remembered = stateFile.load();
		notifySockets = new NotifySockets(home.var().resolve("run").resolve("notify"), health::notified);
	}

	void start() {
		active = true;
		if (Launcher.SETSID == null) {
			logger.warn("no setsid program found: modules share the runtime's session and may receive its terminal's signals");
		}
		synchronized (this) {
			loop.scheduleTick(0);
		}
	}

	/**
	 * Watches a main process whose exit no reader reports, and checks it every
	 * {@value MainWatch#PERIOD_MILLIS} ms while anything is watched (a timer of its own only then,
	 * so an engine with nothing to watch schedules nothing).
	 */
	synchronized void watchMain(String module, int pid, long startTimeNanos) {
		mainWatch.watch(module, pid, startTimeNanos);
		if (!mainCheckScheduled && active) {
			mainCheckScheduled = true;
			scheduler.schedule(this::checkMains, MainWatch.PERIOD_MILLIS, TimeUnit.MILLISECONDS);
		}
	}

	/** Kicks the modules whose watched main died; runs again while anything is watched. */
	private void checkMains() {
		List<String> died = mainWatch.died(); // reads /proc: off the lock
		synchronized (this) {
			for (String name : died) {
				Module m = modules.get(name);
				if (m != null) {
					loop.kick(m);
				}
			}
			mainCheckScheduled = active && !mainWatch.isEmpty();
			if (mainCheckScheduled) {
				scheduler.schedule(this::checkMains, MainWatch.PERIOD_MILLIS, TimeUnit.MILLISECONDS);
			}
		}
	}

	void close() {
		active = false;
		scheduler.shutdownNow();
		stoppers.shutdownNow();
		machine.probeTimer().shutdownNow();
		machine.probes().shutdownNow(); // an exec probe running is killed (ReadinessProbe)
		notifySockets.close();
		// What is still queued reaches the disk before the next watchdog (a bundle update) reads it.
		journal.close();
		stateFile.flush();
		recording.shutdown();
		logWorker.shutdownNow();
	}

	/** A strategy registered: modules using it have their parameters checked, and pending failures their decision. */
	void strategyAdded(String name) {
		definitions.checkAgain(name, null);
		status.publishAll(); // the status shows the strategy available
		loop.kickAll(); // failures waiting for this strategy get their decision now
	}

	/** A strategy went away (a bundle stopped or updated): its modules' failures wait for it. */
	void strategyRemoved(String name) {
		status.publishAll();
		definitions.strategyGone(name);
	}

	/** The module by name; the lock is held. */
	Module get(String name) {
		Module m = modules.get(name);
		if (m == null) {
			throw new NoSuchModuleException(name);
		}
		return m;
	}

	/** Whether m is still the module of its name (not removed, nor replaced by a new definition). */
	boolean current(Module m) {
		return modules.get(m.name) == m;
	}

	/** The monotonic clock (System.nanoTime on a real machine). */
	long nanos() {
		return machine.nanos().getAsLong();
	}
}
