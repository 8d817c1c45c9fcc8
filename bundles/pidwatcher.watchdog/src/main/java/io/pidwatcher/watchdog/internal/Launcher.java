package io.pidwatcher.watchdog.internal;

import io.pidwatcher.api.reader.ProcessReader;
import io.pidwatcher.api.reader.ProcessSnapshot;
import io.pidwatcher.api.reader.TaskSnapshot;
import io.pidwatcher.api.supervisor.Failure;
import io.pidwatcher.api.supervisor.ModuleState;
import io.pidwatcher.api.supervisor.ModuleStatus;
import io.pidwatcher.api.text.DurationText;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.OptionalInt;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Starts module programs in two steps: a launch is prepared under the engine's lock (new instance,
 * tag and environment), and forked by {@link #runLaunches()} once the lock is released, so that
 * fork and exec (and the log rotation and state-file write before them) never hold up exit events.
 * Until its launch is done a module is left alone by scans and waited for by stops.
 */
final class Launcher {

	static final String INSTANCE_VARIABLE = "PIDWATCHER_INSTANCE";
	static final Path SETSID = findSetsid();
	private static final long STARTUP_CHECK_NANOS = TimeUnit.MILLISECONDS.toNanos(20);

	private final Engine e;
	private final AtomicInteger startCounter = new AtomicInteger();
	/** Launches prepared and not yet forked, in order. Guarded by the engine's lock. */
	private final ArrayDeque<Launch> launches = new ArrayDeque<>();

	/** A start prepared under the lock, forked outside it. */
	record Launch(Module module, long generation, String why, ModuleSpec spec, Map<String, String> environment,
			CompletableFuture<Void> done) {
	}

	Launcher(Engine e) {
		this.e = e;
	}

	/** Supervisor.start: adopts the tree if it runs, else starts it. */
	ModuleStatus startByRequest(String module) {
		e.dependencies.startRequirementsFirst(module); // dependencies (issue 14 part 1)
		ProcessSnapshot snapshot = e.loop.scanEverything();
		synchronized (e) {
			if (e.get(module).launch != null) {
				return e.status.statusOf(e.get(module)); // being started already
			}
			Module m = e.get(module);
			if (m.spec == null) {
				throw new IllegalStateException("module " + module + " is invalid: " + m.configProblem);
			}
			if (m.state == ModuleState.STOPPING) {
				throw new IllegalStateException("module " + module + " is stopping; start it when it has stopped");
			}
			m.wanted = true;
			e.recorder.persist(m); // before the tree starts: a stale "stopped" would make the next runtime stop it
			if (m.state == ModuleState.RUNNING || m.state == ModuleState.STARTING) {
				return e.status.statusOf(m);
			}
			m.firstScanDone = true;
			m.remembered = null;
			List<TaskSnapshot> alive = TreeTracker.members(m.name, snapshot, m.tree.tracked, m.tree.released).stream()
					.filter(TreeTracker::alive).toList();
			if (!alive.isEmpty()) {
				e.adoption.adopt(m, alive, "start requested, but the tree is running: adopted");
			} else {
				startNow(m, "started by request");
			}
		}
		runLaunches();
		synchronized (e) {
			Module m = e.get(module);
			e.status.publish(m);
			return e.status.statusOf(m);
		}
	}

	/**
	 * Prepares the start of the module's command; the lock is held. Whoever calls this runs
	 * {@link #runLaunches()} once it has released the lock.
	 */
	void startNow(Module m, String why) {
		if (m.launch != null) {
			return; // already being started
		}
		if (!e.dependencies.mayStart(m, why)) {
			return; // dependencies (issue 14 part 1): WAITING until what it requires runs
		}
		ModuleSpec spec = m.spec;
		ProcessReader reader = e.readers.first();
		String tagName = reader != null ? reader.tagName() : ProcessReader.DEFAULT_TAG_NAME;
		long generation = ++m.generation;
		m.run.instance = m.name + "." + Long.toString(System.currentTimeMillis(), 36) + "." + startCounter.incrementAndGet();
		m.runSpec = spec;
		m.history.pendingFailure = null;
		m.tree.tracked = new HashSet<>();
		m.health.reset();
		m.run.main = null;
		m.run.goneSinceNanos = 0;
		Map<String, String> env = new HashMap<>(spec.environment());
		env.put(tagName, m.name);
		env.put(INSTANCE_VARIABLE, m.run.instance);
		m.launch = new Launch(m, generation, why, spec, env, new CompletableFuture<>());
		launches.addLast(m.launch);
	}

	/** Forks every prepared launch; called without the lock. */
	void runLaunches() {
		while (true) {
			Launch l;
			synchronized (e) {
				l = launches.pollFirst();
			}
			if (l == null) {
				return;
			}
			try {
				launch(l);
			} catch (RuntimeException x) {
				e.logger.error("module {}: the start failed", l.module().name, x);
			} finally {
				synchronized (e) {
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
		e.stateFile.flush();
		List<String> argv = new ArrayList<>();
		if (SETSID != null) {
			argv.add(SETSID.toString());
		}
		argv.addAll(IdentityCommand.prefix(spec.identity())); // identity (issue 14 part 3): user, limits, umask
		argv.addAll(spec.command());
		ProcessBuilder builder = new ProcessBuilder(argv).directory(spec.directory().toFile());
		Map<String, String> env = builder.environment();
		env.remove("NOTIFY_SOCKET");
		env.remove("WATCHDOG_USEC");
		env.remove("WATCHDOG_PID");
		env.putAll(spec.identity().environment()); // identity (issue 14 part 3): USER, HOME of user=
		env.putAll(l.environment());
		Path notifySocket = null;
		if (spec.notifyProtocol()) {
			try {
				notifySocket = e.notifySockets.open(m.name);
				env.put("NOTIFY_SOCKET", notifySocket.toString());
				String timeout = spec.policyParameters("heartbeat").get("timeout");
				if (timeout != null) {
					env.put("WATCHDOG_USEC", Long.toString(DurationText.parse(timeout).toNanos() / 1000));
				}
			} catch (IOException | RuntimeException x) {
				e.logger.warn("module {}: no notify socket: {}", m.name, x.toString());
			}
		}
		Process p = null;
		IOException problem = null;
		builder.redirectErrorStream(true).redirectOutput(e.logs.forStart(m.name, spec))
				.redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")));
		try {
			p = e.machine.spawner().start(builder);
		} catch (IOException x) {
			problem = x;
		}
		long startedNanos = e.nanos();
		synchronized (e) {
			m.launch = null;
			m.health.notifySocket = notifySocket;
			if (p == null) {
				m.run.process = null;
				m.run.mainPid = 0;
				e.lifecycle.failure(m, Failure.Kind.START_FAILED, "cannot start " + spec.command().get(0) + ": "
						+ problem.getMessage(), null, false);
				return;
			}
			Process started = p;
			m.run.process = p;
			m.run.mainPid = (int) p.pid();
			m.run.startedAt = Instant.now();
			m.run.lastStartedAt = m.run.startedAt;
			m.run.startedNanos = startedNanos;
			m.run.mainWaitStatus = OptionalInt.empty();
			m.run.mainProcess = new MainProcess(spec.main(), startedNanos, m.run.startedAt); // main= (issue 11 part 3)
			e.recorder.transition(m, ModuleState.STARTING, l.why() + ": pid " + p.pid() + ", instance " + m.run.instance);
			e.recorder.persist(m);
			long generation = m.generation;
			started.onExit().thenRun(() -> {
				synchronized (e) {
					if (m.generation == generation) {
						e.loop.kick(m);
					}
				}
			});
			m.forced = false;
			m.nextCheckNanos = e.nanos() + STARTUP_CHECK_NANOS;
			e.loop.scheduleTick(STARTUP_CHECK_NANOS);
		}
	}

	/**
	 * Waits (without the lock) until the module has no launch in flight, helping to run it, so that a
	 * stop never races a fork: the tree it stops is complete.
	 */
	void awaitLaunch(String name) {
		while (true) {
			Launch l;
			synchronized (e) {
				Module m = e.modules.get(name);
				l = m == null ? null : m.launch;
			}
			if (l == null) {
				return;
			}
			runLaunches();
			l.done().join();
		}
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
