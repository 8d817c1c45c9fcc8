package io.pidwatcher.watchdog.internal;

import io.pidwatcher.api.text.DurationText;
import io.pidwatcher.api.reader.ExitEvent;
import io.pidwatcher.api.reader.ExitListener;
import io.pidwatcher.api.policy.HealthCheck;
import io.pidwatcher.api.policy.HealthPolicy;
import io.pidwatcher.api.policy.HealthSample;
import io.pidwatcher.api.policy.HealthVerdict;
import io.pidwatcher.api.supervisor.JournalEntry;
import io.pidwatcher.api.supervisor.JournalListener;
import io.pidwatcher.api.supervisor.LoopListener;
import io.pidwatcher.api.supervisor.ModuleState;
import io.pidwatcher.api.supervisor.ModuleStatus;
import io.pidwatcher.api.supervisor.NoSuchModuleException;
import io.pidwatcher.api.reader.ProcessReader;
import io.pidwatcher.api.reader.ProcessSnapshot;
import io.pidwatcher.api.strategy.RestartDecision;
import io.pidwatcher.api.strategy.RestartRequest;
import io.pidwatcher.api.supervisor.Failure;
import io.pidwatcher.api.strategy.RestartStrategy;
import io.pidwatcher.api.supervisor.RuntimeHome;
import io.pidwatcher.api.reader.ScanScope;
import io.pidwatcher.api.supervisor.StopReport;
import io.pidwatcher.api.supervisor.StrategyStatus;
import io.pidwatcher.api.supervisor.Supervisor;
import io.pidwatcher.api.reader.TaskId;
import io.pidwatcher.api.reader.TaskSnapshot;

import java.io.File;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.OptionalInt;
import java.util.OptionalLong;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Collectors;

import org.osgi.framework.ServiceReference;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;
import org.osgi.service.component.annotations.ReferencePolicyOption;
import org.osgi.service.log.Logger;
import org.osgi.service.log.LoggerFactory;

/**
 * The supervision engine. One scheduler thread scans the process table (one scan of every
 * process serves every module that is due), moves each module through its states, asks health
 * policies and the restart strategy, and starts processes. Exits reported by readers
 * ({@link ExitListener}) or by our own children make it scan at once instead of at the next
 * interval. Stops run on their own threads, since they wait for processes.
 *
 * <p>The engine never stops a module because the engine itself goes away: the next runtime finds
 * the tagged trees and adopts them.
 *
 * <p>Why this class is still about 1,600 lines: it still holds the scan loop, the state machine,
 * the restart planner, adoption, launches and the status view. Splitting it by job is part 1 of
 * issue 12 and is not done yet; so far only the journal feed, loop listeners, parameter checks
 * and log rotation have been moved out.
 */
@Component(service = { Supervisor.class, ExitListener.class, Watchdog.class }, immediate = true)
public final class Watchdog implements Supervisor, ExitListener {

	static final String INSTANCE_VARIABLE = "PIDWATCHER_INSTANCE";
	private static final int JOURNAL_CAPACITY = 2000;
	private static final long STARTUP_CHECK_NANOS = TimeUnit.MILLISECONDS.toNanos(20);
	private static final int SELF_PID = (int) ProcessHandle.current().pid();
	private static final long NO_READER_RETRY_NANOS = TimeUnit.SECONDS.toNanos(1);
	private static final long LOG_CHECK_NANOS = TimeUnit.SECONDS.toNanos(5);
	/** How often a tick scans every process (not only tagged ones) to find descendants that dropped the tag. */
	private static final long DISCOVERY_NANOS = TimeUnit.SECONDS.toNanos(2);
	/** How long a module whose tree is gone waits for our own child's exit status (never blocking). */
	private static final long EXIT_STATUS_WAIT_NANOS = TimeUnit.MILLISECONDS.toNanos(250);
	/** How long a starting module whose launcher exited 0 is scanned again before its tree counts as gone (issue 11). */
	private static final long DAEMON_EXIT_GRACE_NANOS = TimeUnit.MILLISECONDS.toNanos(500);
	private static final long DAEMON_EXIT_RESCAN_NANOS = TimeUnit.MILLISECONDS.toNanos(50);
	/** A module due this soon is checked with the current scan rather than costing one of its own. */
	private static final long ALIGN_SLACK_NANOS = TimeUnit.MILLISECONDS.toNanos(20);
	private static final Path SETSID = findSetsid();

	@Reference(service = LoggerFactory.class)
	private Logger logger;

	@Reference
	private RuntimeHome home;

	private final Map<ServiceReference<ProcessReader>, ProcessReader> readers = new ConcurrentSkipListMap<>(
			Comparator.reverseOrder());
	private final Map<ServiceReference<RestartStrategy>, RestartStrategy> strategies = new ConcurrentSkipListMap<>(
			Comparator.reverseOrder());
	private final Map<ServiceReference<HealthPolicy>, HealthPolicy> policies = new ConcurrentSkipListMap<>(
			Comparator.reverseOrder());

	/** Guarded by this. */
	private final Map<String, Module> modules = new TreeMap<>();
	private ScheduledFuture<?> pendingTick;
	private long pendingTickAt;
	private final AtomicInteger startCounter = new AtomicInteger();
	/** Modules whose var/log/NAME.log could not be opened at their last start (said once). */
	private final Set<String> unwritableLogs = java.util.concurrent.ConcurrentHashMap.newKeySet();
	private long definitions;

	private ScheduledExecutorService scheduler;
	private ExecutorService stoppers;
	/** Writes the journal and the state file, in order, off the lock. */
	private ExecutorService recorder;
	/** Rotates logs of running modules, off the lock. */
	private ExecutorService logWorker;
	private final LogRotation logRotation = new LogRotation(
			(log, e) -> logger.warn("cannot rotate {}: {}", log, e.toString()));
	private Journal journal;
	private StateFile stateFile;
	private Map<String, StateFile.Entry> remembered = Map.of();
	private NotifySockets notifySockets;
	private volatile boolean active;
	private final long epochNanos = System.nanoTime();
	private long lastEverythingNanos = epochNanos - DISCOVERY_NANOS;
	private final MainWatch mainWatch = new MainWatch();

	@Reference(cardinality = ReferenceCardinality.MULTIPLE, policy = ReferencePolicy.DYNAMIC,
			policyOption = ReferencePolicyOption.GREEDY)
	void addReader(ServiceReference<ProcessReader> ref, ProcessReader reader) {
		readers.put(ref, reader);
		kickAll();
	}

	void removeReader(ServiceReference<ProcessReader> ref) {
		readers.remove(ref);
	}

	@Reference(cardinality = ReferenceCardinality.MULTIPLE, policy = ReferencePolicy.DYNAMIC,
			policyOption = ReferencePolicyOption.GREEDY)
	void addStrategy(ServiceReference<RestartStrategy> ref, RestartStrategy strategy) {
		strategies.put(ref, strategy);
		checkAgain(String.valueOf(ref.getProperty(RestartStrategy.NAME_PROPERTY)), null);
		publishAll(); // the status shows the strategy available
		kickAll(); // failures waiting for this strategy get their decision now
	}

	void removeStrategy(ServiceReference<RestartStrategy> ref) {
		strategies.remove(ref);
		publishAll();
		String name = String.valueOf(ref.getProperty(RestartStrategy.NAME_PROPERTY));
		synchronized (this) {
			if (!active || named(strategies, RestartStrategy.NAME_PROPERTY, name) != null) {
				return; // another service (e.g. the built-in fixed) still answers to the name
			}
			for (Module m : modules.values()) {
				if (m.spec != null && m.spec.strategy().equals(name)) {
					note(m, "strategy " + name + " unavailable: the module keeps " + (m.state == ModuleState.WAITING
							? "waiting for its restart" : m.state.label()) + "; failures are recorded and decided when it is back");
				}
			}
		}
	}

	@Reference(cardinality = ReferenceCardinality.MULTIPLE, policy = ReferencePolicy.DYNAMIC,
			policyOption = ReferencePolicyOption.GREEDY)
	void addPolicy(ServiceReference<HealthPolicy> ref, HealthPolicy policy) {
		policies.put(ref, policy);
		checkAgain(null, String.valueOf(ref.getProperty(HealthPolicy.NAME_PROPERTY)));
		publishAll();
	}

	private final ParameterChecks parameterChecks = new ParameterChecks(
			name -> named(strategies, RestartStrategy.NAME_PROPERTY, name),
			name -> named(policies, HealthPolicy.NAME_PROPERTY, name));

	/**
	 * A strategy or policy appeared: the modules that use it have their parameters checked by it now.
	 * A module that has not run is invalid, as if the check had been there when its config was
	 * read; a module that runs keeps its config in force and shows the rejection.
	 */
	private synchronized void checkAgain(String strategy, String policy) {
		if (!active) {
			return;
		}
		for (Module m : modules.values()) {
			if (m.spec == null || !ParameterChecks.uses(m.spec, strategy, policy)) {
				continue;
			}
			try {
				parameterChecks.check(m.spec);
			} catch (IllegalArgumentException e) {
				String who = strategy != null ? "strategy " + strategy : "policy " + policy;
				if (m.state == ModuleState.STOPPED) {
					m.spec = null;
					m.configProblem = e.getMessage() + " (rejected by " + who + ")";
					transition(m, ModuleState.INVALID, "invalid config: " + m.configProblem);
				} else {
					m.configProblem = "config rejected by " + who + ", the config in force stays: " + e.getMessage();
					note(m, m.configProblem);
				}
				logger.error("module {}: {}", m.name, m.configProblem);
			}
		}
	}

	void removePolicy(ServiceReference<HealthPolicy> ref) {
		policies.remove(ref);
		publishAll();
	}

	private final JournalFeed journalFeed = new JournalFeed(JournalFeed.QUEUE_CAPACITY,
			(l, e) -> logger.warn("journal listener {} failed (reported once; it keeps receiving entries)", l, e));
	private final LoopListeners loopListeners = new LoopListeners(
			(l, e) -> logger.warn("loop listener {} failed (reported once; it is still called)", l, e));

	@Reference(cardinality = ReferenceCardinality.MULTIPLE, policy = ReferencePolicy.DYNAMIC,
			policyOption = ReferencePolicyOption.GREEDY)
	void addJournalListener(ServiceReference<JournalListener> ref, JournalListener listener) {
		journalFeed.add(ref, listener);
	}

	void removeJournalListener(ServiceReference<JournalListener> ref) {
		journalFeed.remove(ref);
	}

	@Reference(cardinality = ReferenceCardinality.MULTIPLE, policy = ReferencePolicy.DYNAMIC,
			policyOption = ReferencePolicyOption.GREEDY)
	void addLoopListener(ServiceReference<LoopListener> ref, LoopListener listener) {
		loopListeners.add(ref, listener);
	}

	void removeLoopListener(ServiceReference<LoopListener> ref) {
		loopListeners.remove(ref);
	}

	@Activate
	void activate() {
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
		recorder = Executors.newSingleThreadExecutor(named("pidwatcher-recorder"));
		logWorker = Executors.newSingleThreadExecutor(named("pidwatcher-log"));
		journal = new Journal(dir.resolve("journal.jsonl"), JOURNAL_CAPACITY, trouble, recorder);
		journal.loadTail();
		stateFile = new StateFile(dir.resolve("state.properties"), trouble, recorder);
		remembered = stateFile.load();
		notifySockets = new NotifySockets(home.var().resolve("run").resolve("notify"), this::notified);
		scheduler = Executors.newSingleThreadScheduledExecutor(named("pidwatcher-watchdog"));
		stoppers = Executors.newCachedThreadPool(named("pidwatcher-stop"));
		active = true;
		if (SETSID == null) {
			logger.warn("no setsid program found: modules share the runtime's session and may receive its terminal's signals");
		}
		synchronized (this) {
			scheduleTick(0);
		}
		scheduler.scheduleAtFixedRate(this::checkMains, MainWatch.PERIOD_MILLIS, MainWatch.PERIOD_MILLIS,
				TimeUnit.MILLISECONDS); // issue 11 part 3
	}

	/** Kicks the modules whose untagged, adopted main process died (see MainWatch). */
	private void checkMains() {
		for (String name : mainWatch.died()) {
			synchronized (this) {
				Module m = modules.get(name);
				if (m != null) {
					kick(m);
				}
			}
		}
	}

	@Deactivate
	void deactivate() {
		active = false;
		scheduler.shutdownNow();
		stoppers.shutdownNow();
		notifySockets.close();
		// What is still queued reaches the disk before the next watchdog (a bundle update) reads it.
		journal.close();
		stateFile.flush();
		recorder.shutdown();
		logWorker.shutdownNow();
		journalFeed.close();
	}

	// ---------------------------------------------------------------------------------------
	// Definitions (from ModuleFile)

	synchronized void define(String name, Map<String, Object> properties) {
		Module m = modules.get(name);
		if (m == null) {
			m = new Module(name, ++definitions);
			m.remembered = remembered.get(name);
			modules.put(name, m);
		}
		try {
			define(m, properties);
		} finally {
			publish(m);
		}
	}

	private void define(Module m, Map<String, Object> properties) {
		String name = m.name;
		ModuleSpec spec;
		try {
			spec = ModuleSpec.parse(name, properties, home.root());
			parameterChecks.check(spec);
		} catch (IllegalArgumentException e) {
			if (m.spec == null) {
				m.configProblem = e.getMessage();
				transition(m, ModuleState.INVALID, "invalid config: " + e.getMessage());
			} else {
				m.configProblem = "config change rejected, the previous config stays in force: " + e.getMessage();
				note(m, m.configProblem);
			}
			logger.error("module {}: {}", name, e.getMessage());
			return;
		}
		boolean first = m.spec == null;
		m.spec = spec;
		m.configProblem = "";
		if (first) {
			m.firstScanDone = false;
			// A file deleted and back again (its tree may still be stopping) is a new definition:
			// wanted as any new module is, so autostart applies once the stop is done.
			m.wanted = true;
			if (m.state == ModuleState.INVALID) {
				transition(m, ModuleState.STOPPED, "config is valid now");
			}
		} else if (m.runSpec != null && spec.differsInHowItStarts(m.runSpec)
				&& (m.state == ModuleState.RUNNING || m.state == ModuleState.STARTING)) {
			note(m, "config changed: the new command/environment takes effect at the next restart");
		} else {
			note(m, "config changed");
		}
		m.forced = true;
		m.nextCheckNanos = 0;
		scheduleTick(0);
	}

	void undefine(String name, boolean deleted) {
		Module m;
		awaitLaunch(name);
		synchronized (this) {
			m = modules.get(name);
			if (m == null) {
				return;
			}
			if (!deleted || !active) {
				modules.remove(name);
				view.remove(name);
				return;
			}
			m.wanted = false;
			m.generation++;
			m.spec = null;
			transition(m, ModuleState.STOPPING, "config deleted: stopping the whole tree");
		}
		Module stopping = m;
		stoppers.execute(() -> {
			String outcome;
			try {
				outcome = describe(stopTree(stopping, stopping.runSpec));
			} catch (InterruptedException e) {
				outcome = "interrupted";
			}
			synchronized (this) {
				if (stopping.spec != null && modules.get(name) == stopping) {
					// The file came back while the tree was stopping: the module stays, under the new
					// file, and its first scan starts it (removing it lost a configured module).
					transition(stopping, ModuleState.STOPPED, "stopped (config deleted): " + outcome
							+ "; the config is back, so it stays configured");
					stopping.firstScanDone = false;
					kick(stopping);
					return;
				}
				transition(stopping, ModuleState.STOPPED, "removed (config deleted): " + outcome);
				if (modules.get(name) == stopping) {
					modules.remove(name);
					view.remove(name);
				}
				stateFile.put(name, null);
			}
		});
	}

	// ---------------------------------------------------------------------------------------
	// The scan loop

	private void scheduleTick(long delayNanos) {
		if (!active) {
			return;
		}
		long at = System.nanoTime() + delayNanos;
		if (pendingTick != null && !pendingTick.isDone() && pendingTickAt - at <= 0) {
			return;
		}
		if (pendingTick != null) {
			pendingTick.cancel(false);
		}
		pendingTickAt = at;
		pendingTick = scheduler.schedule(this::tick, Math.max(0, delayNanos), TimeUnit.NANOSECONDS);
	}

	private synchronized void kickAll() {
		for (Module m : modules.values()) {
			m.forced = true;
		}
		scheduleTick(0);
	}

	private synchronized void kick(Module m) {
		m.forced = true;
		scheduleTick(0);
	}

	@Override
	public void exited(ExitEvent event) {
		synchronized (this) {
			for (Module m : modules.values()) {
				if (m.name.equals(event.tagValue()) || m.tracked.contains(event.task())) {
					if (event.task().equals(m.main)) {
						m.mainWaitStatus = event.waitStatus(); // issue 11 part 3: how a daemon main died
					}
					kick(m);
				}
			}
		}
	}

	private void tick() {
		try {
			pass();
		} finally {
			loopListeners.passed(System.nanoTime());
		}
	}

	/** One pass of the supervision loop: scan, evaluate the modules that are due, schedule the next. */
	private void pass() {
		synchronized (this) {
			pendingTick = null;
		}
		try {
			ProcessReader reader = activeReader();
			if (reader == null) {
				synchronized (this) {
					scheduleTick(NO_READER_RETRY_NANOS);
				}
				return;
			}
			long started = System.nanoTime();
			boolean everything = started - lastEverythingNanos >= DISCOVERY_NANOS || needsEverything();
			ProcessSnapshot snapshot = reader.scan(everything ? ScanScope.everything() : ScanScope.tagged());
			if (everything) {
				lastEverythingNanos = started;
			}
			TreeTracker.Index index = new TreeTracker.Index(snapshot);
			// What a full disk kept from var/ is written as soon as there is room again.
			journal.retry();
			stateFile.retry();
			long now = System.nanoTime();
			synchronized (this) {
				long next = Long.MAX_VALUE;
				for (Module m : List.copyOf(modules.values())) {
					if (m.spec == null) {
						continue;
					}
					if (m.forced || now - m.nextCheckNanos >= -ALIGN_SLACK_NANOS) {
						m.forced = false;
						m.nextCheckNanos = nextOnGrid(now, m.spec.interval().toNanos());
						try {
							evaluate(m, snapshot, index, now, started);
						} catch (RuntimeException e) {
							logger.error("module {}: evaluation failed", m.name, e);
						}
						publish(m);
					}
					long due = m.forced ? now : m.nextCheckNanos;
					next = Math.min(next, due - now);
				}
				scheduleTick(next == Long.MAX_VALUE ? TimeUnit.SECONDS.toNanos(1) : Math.max(0, next));
			}
			runLaunches();
		} catch (RuntimeException e) {
			logger.error("watchdog scan failed; trying again in a second", e);
			synchronized (this) {
				scheduleTick(NO_READER_RETRY_NANOS);
			}
		}
	}

	/**
	 * Whether this tick must see untagged processes too: a module tracks tasks that lost the tag
	 * (only a scan of every process shows them), or it has not had its first scan (adoption looks
	 * for remembered untagged tasks). Otherwise a scan of the tagged processes suffices, which on
	 * /proc costs about half: stat and status are read only for tagged processes. Descendants that
	 * drop the tag are discovered by the scan of everything every {@link #DISCOVERY_NANOS}.
	 */
	private synchronized boolean needsEverything() {
		for (Module m : modules.values()) {
			if (!m.firstScanDone || startedMainUnseen(m) || m.goneSinceNanos != 0) { // issue 11: a daemon just left
				return true;
			}
			long tagged = m.tree.stream().filter(t -> m.name.equals(t.tagValue())).count();
			if (m.tracked.size() > tagged) {
				return true;
			}
		}
		return false;
	}

	/**
	 * The next multiple of the interval (counted from the engine's start) after now. Modules with
	 * the same interval fall due at the same instants, so one scan of the process table serves them
	 * all, however their definitions were spread in time: 50 modules at 1s cost one scan a second,
	 * not 50.
	 */
	private long nextOnGrid(long now, long interval) {
		return epochNanos + ((now - epochNanos) / interval + 1) * interval;
	}

	private ProcessReader activeReader() {
		var first = readers.entrySet().stream().findFirst();
		return first.map(Map.Entry::getValue).orElse(null);
	}

	/** Stops running at once share their scans of everything (see SharedScan). */
	private final SharedScan everything = new SharedScan(this::scanEverythingNow);

	private ProcessSnapshot scanEverything() {
		return everything.get();
	}

	private ProcessSnapshot scanEverythingNow() {
		ProcessReader reader = activeReader();
		if (reader == null) {
			throw new IllegalStateException("no process reader is available");
		}
		return reader.scan(ScanScope.everything());
	}

	/**
	 * The process we started is the module's main task whatever its environment says: one that
	 * wipes its environment (setproctitle) or execs with env -i before the first scan carries no
	 * tag, and was taken for dead and started again while it kept running. While the JDK has not
	 * reaped it, our child's pid cannot have been reused, so the child with that pid is it.
	 */
	private static void trackStartedMain(Module m, TreeTracker.Index index) {
		if (!startedMainUnseen(m)) {
			return;
		}
		index.children.getOrDefault(SELF_PID, List.of()).stream().filter(t -> t.pid() == m.mainPid).findFirst()
				.ifPresent(t -> m.tracked.add(t.id()));
	}

	/** Started by us, alive, not yet found: it may carry no tag, so only a scan of everything finds it. */
	private static boolean startedMainUnseen(Module m) {
		return m.main == null && m.mainPid > 0 && m.process != null && m.process.isAlive();
	}

	/** One module, one scan, which began at scanBegan. Called with the lock held. */
	private void evaluate(Module m, ProcessSnapshot snapshot, TreeTracker.Index index, long now, long scanBegan) {
		if (m.state == ModuleState.STOPPING || m.launch != null) {
			return;
		}
		if ((m.state == ModuleState.STARTING || m.state == ModuleState.RUNNING) && m.startedNanos - scanBegan > 0) {
			// Started (or adopted) while this scan ran: the scan may not show the new tree, which
			// would be taken for a tree that exited. Judge it with the next scan, at once.
			m.forced = true;
			return;
		}
		if (m.lastSource != null && !m.lastSource.equals(snapshot.source())) {
			remapTracked(m, snapshot); // readers may measure start times at different resolutions
		}
		m.lastSource = snapshot.source();
		trackStartedMain(m, index);
		if (!m.firstScanDone && m.remembered != null) {
			m.released.addAll(m.remembered.released()); // issue 11 part 4: released stays released
			// issue 11 part 5: a tree whose every member lost the tag (nginx with daemon on: the master's
			// parent is init, its environment overwritten) is found only by the members remembered
			m.remembered.untagged().stream().filter(t -> !m.released.contains(t)).forEach(m.tracked::add);
			if (m.remembered.main() != null) {
				m.tracked.add(m.remembered.main()); // tagged at its exec, title written over its environment since
			}
		}
		List<TaskSnapshot> tree = TreeTracker.members(m.name, index, m.tracked, m.released);
		Set<TaskId> ids = new HashSet<>();
		tree.forEach(t -> ids.add(t.id()));
		m.tracked = ids;
		m.tree = tree;
		List<TaskSnapshot> alive = tree.stream().filter(TreeTracker::alive).toList();
		if (!alive.isEmpty()) {
			m.goneSinceNanos = 0; // issue 11: found again (a daemon the reader listed late), not gone
		}
		if (m.main == null && m.mainPid > 0) {
			tree.stream().filter(t -> t.pid() == m.mainPid).findFirst().ifPresent(t -> {
				m.main = t.id();
				persist(m);
			});
		}
		sample(m, snapshot, tree);
		persistUntaggedIfChanged(m, tree);
		checkLogSize(m, now);

		if (!m.firstScanDone) {
			m.firstScanDone = true;
			StateFile.Entry before = m.remembered;
			if (before != null && m.failures.isEmpty()) {
				before.failures().forEach(m::addFailure); // the history strategies decide on
				m.restarts = before.restarts();
			}
			if (!alive.isEmpty() && before != null && before.stopped()) {
				// The state file is written "stopped" before a stop by request touches the tree, so a
				// stopped module with a running tree is a stop the last runtime did not finish.
				m.wanted = false; // adopt() records it: killed again meanwhile, the next runtime finishes it
				adopt(m, alive, "adopted the running tree; a stop by request was under way when the last runtime "
						+ "ended: finishing the stop");
				stoppers.execute(() -> stop(m.name));
			} else if (!alive.isEmpty()) {
				adopt(m, alive, "adopted the running tree");
			} else if (before != null && !before.stopped() && resumeLifecycle(m, before)) {
				// failed waiting for its strategy, waiting for its restart, or gave up: as before
			} else if (m.spec.autostart() && m.wanted && before != null && !before.stopped()
					&& before.startedAt() != null) {
				diedUnwatched(m, before);
			} else if (m.spec.autostart() && m.wanted && (m.remembered == null || !m.remembered.stopped())) {
				startNow(m, "autostart");
			} else if (m.state != ModuleState.STOPPED) {
				transition(m, ModuleState.STOPPED, "not running; autostart is off or it was stopped by request");
			}
			m.remembered = null;
			return;
		}
		switch (m.state) {
			case STARTING -> {
				String mainUnknown;
				if (alive.isEmpty()) {
					exitedFailure(m, now);
				} else if (m.pendingFailure != null) {
					decide(m);
				} else if ((mainUnknown = judgeMain(m, alive, now)) == null) {
					// issue 11 part 3: the main process died; judgeMain reported the failure
				} else if (!mainUnknown.isEmpty()) {
					m.reason = "started, " + mainUnknown;
				} else if (m.runSpec != null && m.runSpec.notifyProtocol() && m.readyNanos == 0) {
					if (now - m.startedNanos > m.runSpec.startTimeout().toNanos()) {
						failure(m, Failure.Kind.START_FAILED, "no READY=1 within start.timeout "
								+ DurationText.format(m.runSpec.startTimeout()), null, true);
					} else {
						m.reason = "started, waiting for READY=1 on the notify socket";
					}
				} else {
					transition(m, ModuleState.RUNNING, "running: " + alive.size() + " tasks, main pid " + m.mainPid
							+ (m.readyNanos != 0 ? ", READY=1 received" : ""));
				}
			}
			case RUNNING -> {
				if (alive.isEmpty()) {
					exitedFailure(m, now);
				} else if (m.pendingFailure != null) {
					decide(m);
				} else if (judgeMain(m, alive, now) != null) { // issue 11 part 3: null when the main process died
					checkPolicies(m, now);
				}
			}
			case STOPPED, FAILED, WAITING, GAVE_UP -> {
				List<TaskSnapshot> tagged = alive.stream().filter(t -> m.name.equals(t.tagValue())).toList();
				if (!tagged.isEmpty()) {
					adopt(m, tagged, "found tagged tasks running while " + m.state.label());
				} else if (m.state == ModuleState.FAILED && m.pendingFailure != null) {
					decide(m);
				}
			}
			default -> {
			}
		}
	}

	/**
	 * Applies the module's main= rule to a scan whose tree lives (issue 11 part 3; see MainProcess).
	 *
	 * @return null when the main process died (the failure is reported: the tree is stopped before
	 *         the restart), "" when it lives, else why the run is still starting
	 */
	private String judgeMain(Module m, List<TaskSnapshot> alive, long now) {
		if (m.mainProcess == null) {
			return "";
		}
		ModuleSpec spec = m.runSpec != null ? m.runSpec : m.spec;
		Integer startedExit = m.process != null && !m.process.isAlive() ? m.process.exitValue() : null;
		MainProcess.Verdict v = m.mainProcess.judge(new MainProcess.Observation(now, m.main,
				m.process != null ? (int) m.process.pid() : 0, m.process != null, m.process != null && m.process.isAlive(),
				startedExit, m.mainWaitStatus, alive, spec.startTimeout()));
		if (v instanceof MainProcess.Died d) {
			failure(m, Failure.Kind.EXITED, d.reason(), d.exitStatus(), true);
			return null;
		}
		if (v instanceof MainProcess.Undecided u) {
			return u.why();
		}
		MainProcess.Alive a = (MainProcess.Alive) v;
		if (a.main() != null && !a.main().equals(m.main)) {
			m.main = a.main();
			m.mainPid = a.main().pid();
			m.mainWaitStatus = java.util.OptionalInt.empty();
			long generation = m.generation;
			ProcessHandle.of(m.mainPid).ifPresent(h -> h.onExit().thenRun(() -> {
				synchronized (this) {
					if (m.generation == generation) {
						kick(m);
					}
				}
			}));
			persist(m);
		}
		if (a.change() != null) {
			note(m, a.change());
		}
		TaskSnapshot main = m.main == null ? null
				: alive.stream().filter(t -> t.id().equals(m.main)).findFirst().orElse(null);
		if (main != null && (m.process == null || m.process.pid() != main.pid()) && knownByLineage(main)) {
			mainWatch.watch(m.name, main.pid(), main.startTimeNanos());
		} else {
			mainWatch.unwatch(m.name);
		}
		return "";
	}

	private void remapTracked(Module m, ProcessSnapshot snapshot) {
		Map<Integer, TaskSnapshot> byPid = new HashMap<>();
		snapshot.tasks().forEach(t -> byPid.put(t.pid(), t));
		Set<TaskId> remapped = new HashSet<>();
		for (TaskId id : m.tracked) {
			TaskSnapshot t = byPid.get(id.pid());
			if (t != null && Math.abs(t.startTimeNanos() - id.startTimeNanos()) <= 20_000_000L) {
				remapped.add(t.id());
			}
		}
		m.tracked = remapped;
		if (m.main != null) {
			TaskSnapshot t = byPid.get(m.main.pid());
			m.main = t != null && Math.abs(t.startTimeNanos() - m.main.startTimeNanos()) <= 20_000_000L ? t.id() : null;
		}
	}

	/** CPU of the tree since the previous sample, and one more health sample. */
	private void sample(Module m, ProcessSnapshot snapshot, List<TaskSnapshot> tree) {
		Map<TaskId, Long> cpu = new HashMap<>();
		long used = 0;
		for (TaskSnapshot t : tree) {
			cpu.put(t.id(), t.cpuTimeNanos());
			Long before = m.lastCpu.get(t.id());
			used += before == null ? (m.lastSampleNanos == 0 ? 0 : t.cpuTimeNanos()) : Math.max(0, t.cpuTimeNanos() - before);
		}
		long interval = snapshot.monotonicNanos() - m.lastSampleNanos;
		m.cpuPercent = m.lastSampleNanos == 0 || interval <= 0 ? 0 : 100.0 * used / interval;
		m.lastCpu = cpu;
		m.lastSampleNanos = snapshot.monotonicNanos();
		if (m.state == ModuleState.RUNNING || m.state == ModuleState.STARTING) {
			m.addSample(new HealthSample(snapshot.monotonicNanos(), m.main, tree, m.cpuPercent));
		}
	}

	private void checkPolicies(Module m, long now) {
		if (m.samples.isEmpty()) {
			return;
		}
		String unhealthy = null;
		m.policyVerdicts.clear();
		HealthCheck.Heartbeat heartbeat = new HealthCheck.Heartbeat(m.notifySocket != null, m.startedNanos,
				m.lastWatchdogNanos == 0 ? OptionalLong.empty() : OptionalLong.of(m.lastWatchdogNanos),
				m.readyNanos == 0 ? OptionalLong.empty() : OptionalLong.of(m.readyNanos), m.watchdogTriggered);
		for (String name : m.spec.policies()) {
			HealthPolicy policy = named(policies, HealthPolicy.NAME_PROPERTY, name);
			if (policy == null) {
				m.policyVerdicts.put(name, "unavailable (no pidwatcher.policy=" + name + " service)");
				continue;
			}
			try {
				HealthVerdict v = policy.evaluate(new HealthCheck(m.name, m.spec.policyParameters(name),
						List.copyOf(m.samples), heartbeat, now));
				m.policyVerdicts.put(name, (v instanceof HealthVerdict.Unhealthy ? "UNHEALTHY: " : "ok: ") + v.explanation());
				if (v instanceof HealthVerdict.Unhealthy && unhealthy == null) {
					unhealthy = name + ": " + v.explanation();
				}
			} catch (IllegalArgumentException e) {
				m.policyVerdicts.put(name, "misconfigured, ignored: " + e.getMessage());
			} catch (RuntimeException e) {
				m.policyVerdicts.put(name, "failed, ignored: " + e);
			}
		}
		if (unhealthy != null) {
			failure(m, Failure.Kind.UNHEALTHY, "unhealthy (" + unhealthy + ")", null, true);
		}
	}

	// ---------------------------------------------------------------------------------------
	// Failures and decisions

	private void exitedFailure(Module m, long now) {
		// A scan can see the tree gone while our child is still a zombie the JDK has not reaped
		// (a zombie has no environment, so no tag). Its exit status comes soon: the module is judged
		// again when the JDK reaps it (onExit kicks it) or after EXIT_STATUS_WAIT at the latest.
		// Waiting here, with the lock held, held up every exit event and every status query.
		if (m.process != null && m.process.isAlive()) {
			if (m.goneSinceNanos == 0) {
				m.goneSinceNanos = now;
			}
			long waited = now - m.goneSinceNanos;
			if (waited < EXIT_STATUS_WAIT_NANOS) {
				m.nextCheckNanos = Math.min(m.nextCheckNanos, now + EXIT_STATUS_WAIT_NANOS - waited);
				return;
			}
		}
		Integer status = null;
		if (m.process != null && !m.process.isAlive()) {
			status = m.process.exitValue();
		}
		// issue 11 part 3: a launcher that exits 0 has just left a daemon behind (nginx with daemon
		// on), which the reader may not list yet (the connector's fork event still queued, or the
		// daemon's tag already wiped). Taken for gone, the daemon kept the port and every restart
		// failed; a few more scans of everything find it.
		if (m.state == ModuleState.STARTING && Integer.valueOf(0).equals(status)) {
			if (m.goneSinceNanos == 0) {
				m.goneSinceNanos = now;
			}
			if (now - m.goneSinceNanos < DAEMON_EXIT_GRACE_NANOS) {
				m.nextCheckNanos = Math.min(m.nextCheckNanos, now + DAEMON_EXIT_RESCAN_NANOS);
				return;
			}
		}
		m.goneSinceNanos = 0;
		String why = "all tasks exited" + (status == null ? "" : " (main pid " + m.mainPid + " exit status " + status + ")");
		failure(m, Failure.Kind.EXITED, why, status, false);
	}

	/**
	 * The previous runtime (or watchdog bundle) left the module up, and its tree is gone now: it died
	 * while no watchdog was active (a bundle update or refresh, a runtime restart). That is a failure
	 * like any other, journaled under the instance that died and decided by the strategy; starting it
	 * as "autostart" hid the crash, reset the restart count and let a crash loop escape the strategy.
	 */
	private void diedUnwatched(Module m, StateFile.Entry before) {
		m.instance = before.instance();
		m.restarts = before.restarts();
		m.mainPid = before.main() != null ? before.main().pid() : 0;
		m.lastStartedAt = before.startedAt();
		String main = before.main() != null ? "main pid " + before.main().pid() : "main not seen yet";
		failure(m, Failure.Kind.EXITED, "exited while no watchdog was running (" + main + ", up since "
				+ before.startedAt() + "): found gone when this watchdog started", null, false);
	}

	/**
	 * Comes back to where the previous watchdog (a bundle update or refresh, a runtime restart) left
	 * a module whose tree is down: failed and waiting for its strategy, waiting for its restart, or
	 * gave up. Starting it as "autostart" instead lost the failure and the restart count, and let a
	 * module whose strategy is absent run again without a decision.
	 *
	 * @return false when the entry has no such state (the caller goes on as before)
	 */
	private boolean resumeLifecycle(Module m, StateFile.Entry before) {
		if (before.state() == null) {
			return false;
		}
		m.instance = before.instance();
		m.lastStartedAt = before.lastStartedAt();
		Failure last = m.failures.peekLast();
		String what = last != null ? last.reason() : "no failure recorded";
		switch (before.state()) {
			case FAILED -> {
				if (!before.pending() || last == null) {
					return false;
				}
				m.pendingFailure = last;
				m.pendingWithTree = false;
				transition(m, ModuleState.FAILED, what + " (failed before this watchdog started; " + m.restarts
						+ " restarts so far): waiting for the decision of strategy " + m.spec.strategy());
				decide(m);
			}
			case WAITING -> {
				Instant at = before.restartAt() != null ? before.restartAt() : Instant.now();
				Duration delay = Duration.between(Instant.now(), at);
				waitThenStart(m, delay.isNegative() ? Duration.ZERO : delay, what + "; restart due at " + at
						+ " (waiting since before this watchdog started)");
			}
			case GAVE_UP -> transition(m, ModuleState.GAVE_UP, what + " (gave up before this watchdog started, after "
					+ m.restarts + " restarts)");
			default -> {
				return false;
			}
		}
		return true;
	}


	private void failure(Module m, Failure.Kind kind, String reason, Integer exitStatus, boolean treeRunning) {
		Failure f = new Failure(Instant.now(), kind, reason,
				exitStatus == null ? OptionalInt.empty() : OptionalInt.of(exitStatus));
		m.addFailure(f);
		m.pendingFailure = f;
		m.pendingWithTree = treeRunning;
		if (!treeRunning) {
			m.startedAt = null;
			m.process = null;
			transition(m, ModuleState.FAILED, reason);
		} else {
			note(m, "failure: " + reason);
		}
		decide(m);
	}

	private void decide(Module m) {
		Failure f = m.pendingFailure;
		RestartStrategy strategy = named(strategies, RestartStrategy.NAME_PROPERTY, m.spec.strategy());
		if (strategy == null) {
			String why = "strategy " + m.spec.strategy() + " unavailable";
			if (!why.equals(m.lastDecision)) {
				m.lastDecision = why;
				if (m.pendingWithTree) {
					m.reason = f.reason() + "; " + why + ": decision pending, processes kept running";
				} else {
					m.reason = f.reason() + "; " + why + ": waiting for it to be deployed";
				}
				note(m, m.reason);
			}
			return;
		}
		List<Failure> history = new ArrayList<>(m.failures);
		history.remove(history.size() - 1);
		RestartDecision decision;
		try {
			Instant lastStarted = m.lastStartedAt != null ? m.lastStartedAt : f.at();
			decision = strategy.decide(new RestartRequest(m.name, f, history, lastStarted, Instant.now(),
					m.spec.strategyParameters(), groupOf(m)));
		} catch (RuntimeException e) {
			String why = "strategy " + m.spec.strategy() + " failed: " + e;
			if (!why.equals(m.lastDecision)) {
				m.lastDecision = why;
				note(m, why);
			}
			return;
		}
		m.pendingFailure = null;
		m.lastDecision = verdict(decision);
		note(m, "decision of strategy " + m.spec.strategy() + ": " + m.lastDecision);
		if (m.pendingWithTree) {
			m.pendingWithTree = false;
			m.wanted = true;
			long generation = ++m.generation;
			transition(m, ModuleState.STOPPING, f.reason() + ": stopping the tree; then " + decision.explanation());
			ModuleSpec spec = m.runSpec != null ? m.runSpec : m.spec;
			stoppers.execute(() -> {
				String outcome;
				try {
					outcome = describe(stopTree(m, spec));
				} catch (InterruptedException e) {
					return;
				}
				synchronized (this) {
					if (m.generation != generation || modules.get(m.name) != m) {
						return;
					}
					m.startedAt = null;
					m.process = null;
					transition(m, ModuleState.FAILED, f.reason() + "; " + outcome);
					apply(m, f, decision);
					kick(m);
				}
			});
		} else {
			apply(m, f, decision);
		}
	}

	/** The decision in words with what follows from it: when the restart is due, or why it gave up. */
	private static String verdict(RestartDecision decision) {
		if (decision instanceof RestartDecision.RestartAfter r) {
			return r.explanation() + " (next restart at " + Instant.now().plus(r.delay()) + ")";
		}
		if (decision instanceof RestartDecision.RestartModules r) {
			return r.explanation() + " (next restart of " + String.join(", ", r.modules()) + " at "
					+ Instant.now().plus(r.delay()) + ")";
		}
		String why = decision.explanation();
		return why.startsWith("gave up") ? why : "gave up: " + why;
	}

	/** The modules of m's group in start order (first definition), itself included; just m without a group. */
	private List<String> groupOf(Module m) {
		String group = m.spec.group();
		if (group.isEmpty()) {
			return List.of(m.name);
		}
		return modules.values().stream().filter(x -> x == m || x.spec != null && group.equals(x.spec.group()))
				.sorted(Comparator.comparingLong(x -> x.order)).map(x -> x.name).toList();
	}

	private void apply(Module m, Failure f, RestartDecision decision) {
		if (decision instanceof RestartDecision.RestartAfter r) {
			waitThenStart(m, r.delay(), f.reason() + "; " + verdict(r));
		} else if (decision instanceof RestartDecision.RestartModules r) {
			restartTogether(m, f, r);
		} else {
			transition(m, ModuleState.GAVE_UP, f.reason() + "; " + verdict(decision));
		}
	}

	/**
	 * one_for_all / rest_for_one: stop the trees of the other listed modules (the failed one is
	 * already down), wait the delay, then start them all in the listed order. Modules a user
	 * stopped stay stopped; unknown names are skipped.
	 */
	private void restartTogether(Module failed, Failure f, RestartDecision.RestartModules r) {
		List<Module> members = new ArrayList<>();
		for (String name : r.modules()) {
			Module x = modules.get(name);
			if (x != null && x.spec != null && (x == failed || x.wanted) && !members.contains(x)) {
				members.add(x);
			}
		}
		if (!members.contains(failed)) {
			members.add(0, failed);
		}
		String why = f.reason() + "; " + verdict(r);
		Map<Module, Long> generations = new HashMap<>();
		List<Module> toStop = new ArrayList<>();
		for (Module x : members) {
			x.pendingFailure = null;
			x.pendingWithTree = false;
			if (x == failed) {
				generations.put(x, ++x.generation);
				x.restartAt = Instant.now().plus(r.delay());
				transition(x, ModuleState.WAITING, why);
			} else if (x.state == ModuleState.STOPPING || x.launch != null) {
				continue; // someone else is stopping or starting it; it is not ours to restart
			} else {
				x.wanted = true;
				generations.put(x, ++x.generation);
				transition(x, ModuleState.STOPPING, "group restart, because " + failed.name + " failed: " + verdict(r));
				toStop.add(x);
			}
		}
		List<Module> order = members.stream().filter(generations::containsKey).toList();
		stoppers.execute(() -> {
			for (Module x : toStop) {
				String outcome;
				try {
					outcome = describe(stopTree(x, x.runSpec != null ? x.runSpec : x.spec));
				} catch (InterruptedException e) {
					return;
				}
				synchronized (this) {
					if (x.generation == generations.get(x) && modules.get(x.name) == x) {
						x.startedAt = null;
						x.process = null;
						x.restartAt = Instant.now().plus(r.delay());
						transition(x, ModuleState.WAITING, "stopped for the group restart (" + outcome + "); "
								+ "starting again after " + DurationText.format(r.delay()) + " in the group's order");
					}
				}
			}
			scheduler.schedule(() -> {
				synchronized (this) {
					for (Module x : order) {
						if (x.generation == generations.get(x) && x.state == ModuleState.WAITING
								&& modules.get(x.name) == x && x.spec != null) {
							x.restarts++;
							startNow(x, "group restart #" + x.restarts + " (" + failed.name + " failed)");
						}
					}
				}
				runLaunches();
			}, r.delay().toNanos(), TimeUnit.NANOSECONDS);
		});
	}

	private void waitThenStart(Module m, Duration delay, String reason) {
		m.restartAt = Instant.now().plus(delay);
		transition(m, ModuleState.WAITING, reason);
		long generation = m.generation;
		scheduler.schedule(() -> {
			synchronized (this) {
				if (m.generation == generation && m.state == ModuleState.WAITING && modules.get(m.name) == m
						&& m.spec != null) {
					m.restarts++;
					startNow(m, "restart #" + m.restarts);
				}
			}
			runLaunches();
		}, delay.toNanos(), TimeUnit.NANOSECONDS);
	}

	// ---------------------------------------------------------------------------------------
	// Starting and adopting

	/**
	 * Prepares the start of the module's command; the lock is held. The fork itself happens in
	 * {@link #runLaunches()}, which whoever called this runs once it has released the lock: fork and
	 * exec (and the log rotation and state-file write before them) never hold up exit events.
	 * Until the launch is done the module is left alone by scans and waited for by stops.
	 */
	private void startNow(Module m, String why) {
		if (m.launch != null) {
			return; // already being started
		}
		ModuleSpec spec = m.spec;
		ProcessReader reader = activeReader();
		String tagName = reader != null ? reader.tagName() : ProcessReader.DEFAULT_TAG_NAME;
		long generation = ++m.generation;
		m.instance = m.name + "." + Long.toString(System.currentTimeMillis(), 36) + "." + startCounter.incrementAndGet();
		m.runSpec = spec;
		m.pendingFailure = null;
		m.tracked = new HashSet<>();
		m.samples.clear();
		m.policyVerdicts.clear();
		m.main = null;
		m.lastWatchdogNanos = 0;
		m.readyNanos = 0;
		m.watchdogTriggered = false;
		m.goneSinceNanos = 0;
		m.notifySocket = null;
		Map<String, String> env = new HashMap<>(spec.environment());
		env.put(tagName, m.name);
		env.put(INSTANCE_VARIABLE, m.instance);
		m.launch = new Launch(m, generation, why, spec, env, new java.util.concurrent.CompletableFuture<>());
		launches.addLast(m.launch);
	}

	/** A start prepared under the lock, forked outside it. */
	record Launch(Module module, long generation, String why, ModuleSpec spec, Map<String, String> environment,
			java.util.concurrent.CompletableFuture<Void> done) {
	}

	/** Launches prepared and not yet forked, in order. Guarded by this. */
	private final java.util.ArrayDeque<Launch> launches = new java.util.ArrayDeque<>();

	/** Forks every prepared launch; called without the lock. */
	private void runLaunches() {
		while (true) {
			Launch l;
			synchronized (this) {
				l = launches.pollFirst();
			}
			if (l == null) {
				return;
			}
			try {
				launch(l);
			} catch (RuntimeException e) {
				logger.error("module {}: the start failed", l.module().name, e);
			} finally {
				synchronized (this) {
					// whatever happened, the module is not left "being started" (scans would skip it and
					// stops would wait for it forever)
					if (l.module().launch == l) {
						l.module().launch = null;
					}
				}
				l.done().complete(null);
			}
		}
	}

	private void launch(Launch l) {
		Module m = l.module();
		ModuleSpec spec = l.spec();
		// What a later runtime reads is never older than the trees it finds.
		stateFile.flush();
		List<String> argv = new ArrayList<>();
		if (SETSID != null) {
			argv.add(SETSID.toString());
		}
		argv.addAll(spec.command());
		ProcessBuilder builder = new ProcessBuilder(argv).directory(spec.directory().toFile());
		Map<String, String> env = builder.environment();
		env.remove("NOTIFY_SOCKET");
		env.remove("WATCHDOG_USEC");
		env.remove("WATCHDOG_PID");
		env.putAll(l.environment());
		Path notifySocket = null;
		if (spec.notifyProtocol()) {
			try {
				notifySocket = notifySockets.open(m.name);
				env.put("NOTIFY_SOCKET", notifySocket.toString());
				String timeout = spec.policyParameters("heartbeat").get("timeout");
				if (timeout != null) {
					env.put("WATCHDOG_USEC", Long.toString(DurationText.parse(timeout).toNanos() / 1000));
				}
			} catch (IOException | RuntimeException e) {
				logger.warn("module {}: no notify socket: {}", m.name, e.toString());
			}
		}
		Path log = home.var().resolve("log").resolve(m.name + ".log");
		Process p = null;
		IOException problem = null;
		builder.redirectErrorStream(true).redirectOutput(moduleLog(m.name, log, spec))
				.redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")));
		try {
			p = builder.start();
		} catch (IOException e) {
			problem = e;
		}
		long startedNanos = System.nanoTime();
		synchronized (this) {
			m.launch = null;
			m.notifySocket = notifySocket;
			if (p == null) {
				m.process = null;
				m.mainPid = 0;
				failure(m, Failure.Kind.START_FAILED, "cannot start " + spec.command().get(0) + ": " + problem.getMessage(),
						null, false);
				return;
			}
			Process started = p;
			m.process = p;
			m.mainPid = (int) p.pid();
			m.startedAt = Instant.now();
			m.lastStartedAt = m.startedAt;
			m.startedNanos = startedNanos;
			m.mainWaitStatus = java.util.OptionalInt.empty();
			m.mainProcess = new MainProcess(spec.main(), startedNanos, m.startedAt); // issue 11 part 3
			transition(m, ModuleState.STARTING, l.why() + ": pid " + p.pid() + ", instance " + m.instance);
			persist(m);
			long generation = m.generation;
			started.onExit().thenRun(() -> {
				synchronized (this) {
					if (m.generation == generation) {
						kick(m);
					}
				}
			});
			m.forced = false;
			m.nextCheckNanos = System.nanoTime() + STARTUP_CHECK_NANOS;
			scheduleTick(STARTUP_CHECK_NANOS);
		}
	}

	/**
	 * Waits (without the lock) until the module has no launch in flight, helping to run it, so that a
	 * stop never races a fork: the tree it stops is complete.
	 */
	private void awaitLaunch(String name) {
		while (true) {
			Launch l;
			synchronized (this) {
				Module m = modules.get(name);
				l = m == null ? null : m.launch;
			}
			if (l == null) {
				return;
			}
			runLaunches();
			l.done().join();
		}
	}

	private void adopt(Module m, List<TaskSnapshot> alive, String why) {
		m.generation++;
		m.pendingFailure = null;
		m.process = null;
		m.runSpec = m.spec;
		alive.forEach(t -> m.tracked.add(t.id()));
		StateFile.Entry before = m.remembered;
		TaskId main = null;
		if (before != null && before.main() != null
				&& alive.stream().anyMatch(t -> t.id().equals(before.main()))) {
			main = before.main();
		}
		if (main == null) {
			Set<Integer> pids = alive.stream().map(TaskSnapshot::pid).collect(Collectors.toSet());
			main = alive.stream().filter(t -> !pids.contains(t.ppid()))
					.min(Comparator.comparingLong(TaskSnapshot::startTimeNanos)).map(TaskSnapshot::id)
					.orElse(alive.get(0).id());
		}
		// The same run as before: its main task, or a run the previous watchdog started and went
		// away from before its first scan saw the main task (the state file has its instance and
		// start, not yet its main): the tree found is that run, carrying that instance.
		boolean exact = before != null && (main.equals(before.main()) || before.main() == null
				&& before.startedAt() != null && !before.instance().isEmpty());
		m.main = main;
		m.mainPid = main.pid();
		m.instance = exact ? before.instance() : m.name + ".adopted." + Long.toString(System.currentTimeMillis(), 36);
		m.startedAt = exact && before.startedAt() != null ? before.startedAt() : Instant.now();
		m.lastStartedAt = m.startedAt;
		m.startedNanos = System.nanoTime();
		m.mainWaitStatus = java.util.OptionalInt.empty();
		m.mainProcess = new MainProcess(m.spec.main(), m.startedNanos, m.startedAt); // issue 11 part 3
		TaskId adoptedMain = main;
		alive.stream().filter(t -> t.id().equals(adoptedMain) && knownByLineage(t)).findFirst()
				.ifPresent(t -> mainWatch.watch(m.name, t.pid(), t.startTimeNanos())); // its exit may come from no reader
		if (before != null) {
			m.restarts = before.restarts();
			for (TaskId t : before.untagged()) {
				if (!m.released.contains(t)) {
					m.tracked.add(t);
				}
			}
		}
		// A runtime killed in the middle of a whole-tree stop leaves the tree frozen by SIGSTOP; a
		// module shown running must run, so what is adopted stopped is resumed, and said so.
		List<Integer> frozen = alive.stream().filter(t -> t.state() == 'T').map(TaskSnapshot::pid).toList();
		int resumed = frozen.isEmpty() ? 0 : Signals.send(frozen, Signals.SIGCONT);
		transition(m, ModuleState.RUNNING, why + ": " + alive.size() + " tasks, main pid " + main.pid()
				+ (exact ? " (the same run as before: " + m.instance + ")" : "")
				+ (resumed > 0 ? "; resumed " + resumed + " tasks found stopped (SIGSTOP)" : ""));
		persist(m);
		long generation = m.generation;
		ProcessHandle.of(main.pid()).ifPresent(h -> h.onExit().thenRun(() -> {
			synchronized (this) {
				if (m.generation == generation) {
					kick(m);
				}
			}
		}));
	}

	// ---------------------------------------------------------------------------------------
	// Stopping

	/** Runs the whole-tree stop; not called with the lock held. */
	/**
	 * Where a starting program's output goes: appended to var/log/NAME.log, or, when that cannot be
	 * written (a full or read-only var/), discarded, so that a var/ in trouble never stops a start.
	 * Said once per module until the log can be written again.
	 */
	private ProcessBuilder.Redirect moduleLog(String module, Path log, ModuleSpec spec) {
		try {
			Files.createDirectories(log.getParent());
			logRotation.rotate(log, spec, false);
			try (var out = Files.newOutputStream(log, java.nio.file.StandardOpenOption.CREATE,
					java.nio.file.StandardOpenOption.APPEND)) {
				// opened only to learn whether the program will be able to write to it
			}
			if (unwritableLogs.remove(module)) {
				logger.warn("module {}: {} is written again", module, log);
			}
			return ProcessBuilder.Redirect.appendTo(log.toFile());
		} catch (IOException | RuntimeException e) {
			if (unwritableLogs.add(module)) {
				logger.warn("module {}: cannot write {} ({}): the program's output is discarded until it can", module,
						log, e.getMessage() == null ? e.toString() : e.getMessage());
			}
			return ProcessBuilder.Redirect.DISCARD;
		}
	}

	private StopReport stopTree(Module m, ModuleSpec spec) throws InterruptedException {
		Set<TaskId> tracked;
		synchronized (this) {
			tracked = new HashSet<>(m.tracked);
			// stop.* apply at once (README): the config in force now decides how to stop, even when the
			// run was started under an older one; a deleted config leaves the run's own.
			if (m.spec != null) {
				spec = m.spec;
			}
		}
		int signal = spec != null ? spec.stopSignal() : Signals.SIGTERM;
		Duration timeout = spec != null ? spec.stopTimeout() : Duration.ofSeconds(10);
		Set<TaskId> released;
		synchronized (this) {
			released = new HashSet<>(m.released);
		}
		StopReport report = new TreeStopper(m.name, tracked, this::scanEverything, released).stop(signal, timeout);
		synchronized (this) {
			m.tracked = new HashSet<>();
			m.tree = List.of();
			m.samples.clear();
			m.lastCpu = Map.of();
			m.cpuPercent = 0;
			publish(m);
		}
		if (m.notifySocket != null) {
			notifySockets.close(m.name);
		}
		return report;
	}

	private static String describe(StopReport r) {
		return r.stopped() + " tasks stopped (" + r.killed() + " with SIGKILL) in " + DurationText.format(r.took())
				+ (r.remaining() > 0 ? "; " + r.remaining() + " tasks resist SIGKILL" : "");
	}

	// ---------------------------------------------------------------------------------------
	// Supervisor

	private Module get(String name) {
		Module m = modules.get(name);
		if (m == null) {
			throw new NoSuchModuleException(name);
		}
		return m;
	}

	/**
	 * What status queries answer from: each module's status, rebuilt (under the lock) whenever the
	 * module changes and read without it, so pw:modules and the control socket never wait for a
	 * pass of the loop or a burst of exits.
	 */
	private final Map<String, ModuleStatus> view = new ConcurrentSkipListMap<>();

	/** Called with the lock held, after any change of what the module's status shows. */
	private void publish(Module m) {
		if (modules.get(m.name) == m) {
			view.put(m.name, statusOf(m));
		}
	}

	private synchronized void publishAll() {
		modules.values().forEach(this::publish);
	}

	@Override
	public List<ModuleStatus> modules() {
		return List.copyOf(view.values());
	}

	@Override
	public ModuleStatus status(String module) {
		ModuleStatus s = view.get(module);
		if (s == null) {
			throw new NoSuchModuleException(module);
		}
		return s;
	}

	@Override
	public ModuleStatus start(String module) {
		ProcessSnapshot snapshot = scanEverything();
		synchronized (this) {
			if (get(module).launch != null) {
				return statusOf(get(module)); // being started already
			}
			Module m = get(module);
			if (m.spec == null) {
				throw new IllegalStateException("module " + module + " is invalid: " + m.configProblem);
			}
			if (m.state == ModuleState.STOPPING) {
				throw new IllegalStateException("module " + module + " is stopping; start it when it has stopped");
			}
			m.wanted = true;
			persist(m); // before the tree starts: a stale "stopped" would make the next runtime stop it
			if (m.state == ModuleState.RUNNING || m.state == ModuleState.STARTING) {
				return statusOf(m);
			}
			m.firstScanDone = true;
			m.remembered = null;
			List<TaskSnapshot> alive = TreeTracker.members(m.name, snapshot, m.tracked, m.released).stream()
					.filter(TreeTracker::alive).toList();
			if (!alive.isEmpty()) {
				adopt(m, alive, "start requested, but the tree is running: adopted");
			} else {
				startNow(m, "started by request");
			}
		}
		runLaunches();
		synchronized (this) {
			Module m = get(module);
			publish(m);
			return statusOf(m);
		}
	}

	@Override
	public StopReport stop(String module) {
		return stop(module, true);
	}

	/**
	 * @param lastWord whether the stop is the user's last word on the module (a stop by request), so
	 *                 recorded before the tree is touched: a runtime killed in the middle leaves the
	 *                 next one to finish the stop. A restart's stop is not.
	 */
	private StopReport stop(String module, boolean lastWord) {
		Module m;
		ModuleSpec spec;
		while (true) {
			awaitLaunch(module);
			synchronized (this) {
				if (get(module).launch == null) {
					break;
				}
			}
		}
		synchronized (this) {
			m = get(module);
			m.wanted = false;
			if (lastWord) {
				persist(m);
			}
			m.generation++;
			m.pendingFailure = null;
			m.firstScanDone = true;
			spec = m.runSpec != null ? m.runSpec : m.spec;
			if (m.state != ModuleState.INVALID) {
				transition(m, ModuleState.STOPPING, "stop requested");
			}
		}
		if (lastWord) {
			stateFile.flush(); // on disk before the tree is touched: a runtime killed meanwhile finishes the stop
		}
		try {
			StopReport report = stopTree(m, spec);
			synchronized (this) {
				m.startedAt = null;
				m.process = null;
				if (m.state != ModuleState.INVALID) {
					transition(m, ModuleState.STOPPED, "stopped by request: " + describe(report));
				}
				persist(m);
			}
			return report;
		} catch (InterruptedException e) {
			Thread.currentThread().interrupt();
			throw new IllegalStateException("interrupted while stopping " + module);
		}
	}

	/**
	 * Moves a process, and everything it forks, out of a module on purpose (issue 11 part 4; see
	 * ReleaseCommand): the module's stops and restarts no longer touch it, a runtime restart
	 * included (the state file keeps it), and the journal says who asked. Its environment is left
	 * as it is: changing that is never a way out.
	 *
	 * @return what was released, in words
	 * @throws IllegalArgumentException when the pid is not a living process of the module, or is its main process
	 */
	public String release(String module, int pid, String askedBy) {
		ProcessSnapshot snapshot = scanEverything();
		synchronized (this) {
			Module m = get(module);
			if (m.state == ModuleState.STOPPING) {
				throw new IllegalStateException("module " + module + " is stopping; release its processes before a stop");
			}
			List<TaskSnapshot> tree = TreeTracker.members(m.name, snapshot, m.tracked, m.released);
			TaskSnapshot t = tree.stream().filter(x -> x.pid() == pid && TreeTracker.alive(x)).findFirst()
					.orElseThrow(() -> new IllegalArgumentException("pid " + pid + " is not a process of module " + module
							+ " (pw:ps " + module + " lists them)"));
			if (t.id().equals(m.main)) {
				throw new IllegalArgumentException("pid " + pid + " is the main process of module " + module
						+ ": releasing it would leave the module without one (stop the module, or set main=none)");
			}
			Set<TaskId> before = new HashSet<>(m.released);
			m.released.add(t.id());
			List<TaskSnapshot> left = TreeTracker.members(m.name, snapshot, m.tracked, m.released);
			int descendants = m.released.size() - before.size() - 1;
			Set<TaskId> ids = new HashSet<>();
			left.forEach(x -> ids.add(x.id()));
			m.tracked = ids;
			m.tree = left;
			String what = "released pid " + pid + " (" + t.comm() + ")" + (descendants > 0 ? " and " + descendants
					+ " descendants" : "") + " from the module on request of " + askedBy + ": they keep running, "
					+ "unsupervised; the module's stops and restarts no longer touch them";
			note(m, what);
			persist(m);
			return what;
		}
	}

	@Override
	public StopReport restart(String module) {
		StopReport report = stop(module, false);
		start(module);
		return report;
	}

	@Override
	public List<JournalEntry> events(String module, int limit) {
		if (module != null) {
			status(module); // throws for an unknown module
		}
		return journal.recent(module, limit);
	}

	private ModuleStatus statusOf(Module m) {
		ModuleSpec spec = m.spec != null ? m.spec : m.runSpec;
		List<ModuleStatus.PolicyStatus> policyStatus = new ArrayList<>();
		if (spec != null) {
			for (String p : spec.policies()) {
				boolean available = named(policies, HealthPolicy.NAME_PROPERTY, p) != null;
				policyStatus.add(new ModuleStatus.PolicyStatus(p, available,
						m.policyVerdicts.getOrDefault(p, available ? "not evaluated yet" : "unavailable")));
			}
		}
		StrategyStatus strategy = spec == null ? null
				: new StrategyStatus(spec.strategy(), named(strategies, RestartStrategy.NAME_PROPERTY, spec.strategy()) != null);
		String problem = m.configProblem;
		if (problem.isEmpty() && m.spec != null && m.runSpec != null && m.spec.differsInHowItStarts(m.runSpec)
				&& (m.state == ModuleState.RUNNING || m.state == ModuleState.STARTING)) {
			problem = "config changed: the new command/environment takes effect at the next restart";
		}
		boolean running = m.state == ModuleState.RUNNING || m.state == ModuleState.STARTING
				|| m.state == ModuleState.STOPPING || m.pendingWithTree;
		return new ModuleStatus(m.name, m.state, m.reason, m.since, m.instance, m.startedAt, m.restarts, m.main,
				running ? m.tree : List.of(), running ? m.cpuPercent : 0,
				spec == null ? List.of() : (m.runSpec != null ? m.runSpec : spec).command(), strategy, m.lastDecision,
				policyStatus, List.copyOf(m.failures), problem);
	}

	// ---------------------------------------------------------------------------------------
	// Journal, state file, logs, notify

	private void transition(Module m, ModuleState to, String reason) {
		ModuleState from = m.state;
		m.state = to;
		m.reason = reason;
		m.since = Instant.now();
		record(new JournalEntry(m.since, m.name, m.instance, from, to, reason));
		logger.info("module {}: {} -> {}: {}", m.name, from.label(), to.label(), reason);
		persist(m);
		publish(m);
	}

	/** A journal entry without a change of state (config edits, pending decisions). */
	private void note(Module m, String reason) {
		record(new JournalEntry(Instant.now(), m.name, m.instance, m.state, m.state, reason));
		logger.info("module {}: {}", m.name, reason);
		publish(m);
	}

	/** Called with the lock held, so the journal and its listeners see entries in one order. */
	private void record(JournalEntry entry) {
		journal.add(entry);
		journalFeed.publish(entry);
	}

	private void persist(Module m) {
		if (stateFile == null) {
			return;
		}
		Set<TaskId> untagged = m.tree.stream().filter(Watchdog::knownByLineage).map(TaskSnapshot::id)
				.collect(Collectors.toSet());
		ModuleState lifecycle = switch (m.state) {
			case FAILED, WAITING, GAVE_UP -> m.state;
			default -> null;
		};
		m.released.removeIf(t -> ProcessHandle.of(t.pid()).isEmpty()); // gone: nothing left to leave alone
		stateFile.put(m.name, new StateFile.Entry(m.main, m.instance, m.startedAt, m.restarts, untagged,
				!m.wanted, lifecycle, m.lastStartedAt, List.copyOf(m.failures),
				m.pendingFailure != null && !m.pendingWithTree, m.state == ModuleState.WAITING ? m.restartAt : null,
				Set.copyOf(m.released)));
	}

	private void persistUntaggedIfChanged(Module m, List<TaskSnapshot> tree) {
		if (tree.stream().anyMatch(Watchdog::knownByLineage)) {
			persist(m); // StateFile skips the write when nothing changed
		}
	}

	/**
	 * A member that does not carry the tag itself: found by the watchdog's ancestry (no tag value) or
	 * by the reader's fork-time lineage (Membership.FORK). The state file remembers these, so the next
	 * runtime adopts them even when their parent is gone by then.
	 */
	private static boolean knownByLineage(TaskSnapshot t) {
		return t.tagValue() == null || t.membership() == io.pidwatcher.api.reader.Membership.FORK;
	}

	private void checkLogSize(Module m, long now) {
		if (now - m.lastLogCheckNanos < LOG_CHECK_NANOS || m.spec == null) {
			return;
		}
		m.lastLogCheckNanos = now;
		Path log = home.var().resolve("log").resolve(m.name + ".log");
		ModuleSpec spec = m.spec;
		logWorker.execute(() -> logRotation.rotate(log, spec, true)); // a copy of up to log.size: off the lock
	}

	/** A message on a module's notify socket (called on the notify thread). */
	private void notified(String module, String message) {
		synchronized (this) {
			Module m = modules.get(module);
			if (m == null) {
				return;
			}
			long now = System.nanoTime();
			for (String line : message.split("\n")) {
				if (line.equals("WATCHDOG=1")) {
					m.lastWatchdogNanos = now;
				} else if (line.equals("READY=1")) {
					if (m.readyNanos == 0) {
						m.readyNanos = now;
						kick(m);
					}
				} else if (line.equals("WATCHDOG=trigger")) {
					m.watchdogTriggered = true;
					kick(m);
				}
			}
		}
	}

	// ---------------------------------------------------------------------------------------

	private static <S> S named(Map<ServiceReference<S>, S> services, String property, String name) {
		for (Map.Entry<ServiceReference<S>, S> e : services.entrySet()) {
			if (name.equals(String.valueOf(e.getKey().getProperty(property)))) {
				return e.getValue();
			}
		}
		return null;
	}

	private static ThreadFactory named(String name) {
		AtomicInteger n = new AtomicInteger();
		return r -> {
			Thread t = new Thread(r, name + "-" + n.incrementAndGet());
			t.setDaemon(true);
			return t;
		};
	}

	private static Path findSetsid() {
		for (String p : new String[] { "/usr/bin/setsid", "/bin/setsid" }) {
			if (Files.isExecutable(Path.of(p))) {
				return Path.of(p);
			}
		}
		return null;
	}
}
