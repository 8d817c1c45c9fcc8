package io.pidwatcher.watchdog.internal;

import io.pidwatcher.api.policy.HealthPolicy;
import io.pidwatcher.api.reader.ProcessReader;
import io.pidwatcher.api.strategy.RestartStrategy;
import io.pidwatcher.api.supervisor.NoSuchModuleException;
import io.pidwatcher.api.supervisor.RuntimeHome;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.atomic.AtomicInteger;

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

	final Recorder recorder = new Recorder(this);
	final StatusView status = new StatusView(this);
	final ScanLoop loop = new ScanLoop(this);
	final ModuleTrees trees = new ModuleTrees(this);
	final HealthSampling health = new HealthSampling(this);
	final Lifecycle lifecycle = new Lifecycle(this);
	final RestartPlanner planner = new RestartPlanner(this);
	final Adoption adoption = new Adoption(this);
	final Launcher launcher = new Launcher(this);
	final ModuleLogs logs = new ModuleLogs(this);
	final Stops stops = new Stops(this);
	final Definitions definitions = new Definitions(this);

	Engine(Logger logger, RuntimeHome home, RankedServices<ProcessReader> readers,
			RankedServices<RestartStrategy> strategies, RankedServices<HealthPolicy> policies, JournalFeed journalFeed,
			LoopListeners loopListeners) {
		this.logger = logger;
		this.home = home;
		this.readers = readers;
		this.strategies = strategies;
		this.policies = policies;
		this.journalFeed = journalFeed;
		this.loopListeners = loopListeners;
		this.parameterChecks = new ParameterChecks(strategies::named, policies::named);
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
		recording = Executors.newSingleThreadExecutor(threads("pidwatcher-recorder"));
		logWorker = Executors.newSingleThreadExecutor(threads("pidwatcher-log"));
		journal = new Journal(dir.resolve("journal.jsonl"), JOURNAL_CAPACITY, trouble, recording);
		journal.loadTail();
		stateFile = new StateFile(dir.resolve("state.properties"), trouble, recording);
		remembered = stateFile.load();
		notifySockets = new NotifySockets(home.var().resolve("run").resolve("notify"), health::notified);
		scheduler = Executors.newSingleThreadScheduledExecutor(threads("pidwatcher-watchdog"));
		stoppers = Executors.newCachedThreadPool(threads("pidwatcher-stop"));
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

	void close() {
		active = false;
		scheduler.shutdownNow();
		stoppers.shutdownNow();
		notifySockets.close();
		// What is still queued reaches the disk before the next watchdog (a bundle update) reads it.
		journal.close();
		stateFile.flush();
		recording.shutdown();
		logWorker.shutdownNow();
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

	private static ThreadFactory threads(String name) {
		AtomicInteger n = new AtomicInteger();
		return r -> {
			Thread t = new Thread(r, name + "-" + n.incrementAndGet());
			t.setDaemon(true);
			return t;
		};
	}
}
