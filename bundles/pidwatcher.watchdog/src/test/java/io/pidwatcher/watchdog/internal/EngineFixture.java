package io.pidwatcher.watchdog.internal;

import io.pidwatcher.api.policy.HealthPolicy;
import io.pidwatcher.api.reader.ProcessReader;
import io.pidwatcher.api.reader.ScanScope;
import io.pidwatcher.api.reader.TaskSnapshot;
import io.pidwatcher.api.strategy.RestartStrategy;
import io.pidwatcher.api.supervisor.JournalEntry;
import io.pidwatcher.api.supervisor.ModuleState;
import io.pidwatcher.api.supervisor.ModuleStatus;

import java.io.IOException;
import java.lang.reflect.Proxy;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;

import org.osgi.framework.ServiceReference;
import org.osgi.service.log.Logger;

/**
 * One engine on a fake machine: a {@link ManualScheduler} for its clock, scheduler and stoppers, a
 * {@link FakeReader} for its process table, and {@link FakeProcess}es for what it starts (each
 * started program shows up in the table with the module's tag, as a real one would). Strategies
 * are whatever the test registers. Its home (journal, state file, logs) is a temporary directory.
 */
final class EngineFixture implements AutoCloseable {

	private static final int SELF_PID = (int) ProcessHandle.current().pid();

	/** One program the engine started. */
	record Start(String module, String instance, FakeProcess process) {
	}

	final ManualScheduler machine = new ManualScheduler();
	/** Readiness probes (issue 14 part 2), queued until the test runs them ({@link #probe()}). */
	final ManualScheduler probes = new ManualScheduler();
	final FakeReader reader = new FakeReader(machine::nanos);
	final RankedServices<RestartStrategy> strategies = new RankedServices<>(RestartStrategy.NAME_PROPERTY);
	final List<String> errors = Collections.synchronizedList(new ArrayList<>());
	final List<Start> starts = Collections.synchronizedList(new ArrayList<>());
	/** The next start fails as a missing program does. */
	volatile IOException failNextStart;
	final Engine engine;

	private final JournalFeed journalFeed = new JournalFeed(JournalFeed.QUEUE_CAPACITY, (l, x) -> errors.add(x.toString()));
	private final Map<ServiceReference<RestartStrategy>, String> strategyRefs = new HashMap<>();
	private final AtomicLong serviceIds = new AtomicLong();
	private int nextPid = FakeReader.FIRST_PID;

	EngineFixture(Path home) {
		RankedServices<ProcessReader> readers = new RankedServices<>(null);
		readers.add(reference(Map.of()), reader);
		engine = new Engine(logger(errors), () -> home, readers, strategies, new RankedServices<HealthPolicy>(
				HealthPolicy.NAME_PROPERTY), journalFeed, new LoopListeners((l, x) -> errors.add(x.toString())),
				new Machine(machine::nanos, machine, machine, this::spawn, probes, machine));
		engine.start();
	}

	/** Registers a strategy under name, as DS binds one. */
	ServiceReference<RestartStrategy> strategy(String name, RestartStrategy strategy) {
		ServiceReference<RestartStrategy> ref = reference(Map.of(RestartStrategy.NAME_PROPERTY, name));
		strategyRefs.put(ref, name);
		strategies.add(ref, strategy);
		engine.strategyAdded(name);
		return ref;
	}

	/** Unregisters a strategy, as DS unbinds one when its bundle stops. */
	void remove(ServiceReference<RestartStrategy> ref) {
		strategies.remove(ref);
		engine.strategyRemoved(strategyRefs.remove(ref));
	}

	/** Defines a module with command=sleep 1000 and the given keys (pairs of key, value). */
	void define(String module, String... keys) {
		Map<String, Object> props = new LinkedHashMap<>();
		props.put("command", "sleep 1000"); // on PATH, as parsing demands; never run: the spawner fakes it
		for (int i = 0; i < keys.length; i += 2) {
			props.put(keys[i], keys[i + 1]);
		}
		engine.definitions.define(module, props);
	}

	/** The module's program exits with the status: its tasks leave the table, our child is reaped. */
	void exit(String module, int status) {
		reader.tagged(module).forEach(t -> reader.remove(t.pid()));
		lastStart(module).process().exit(status);
	}

	/** From now on a tree exits as soon as a whole-tree stop looks at it (as at its SIGTERM). */
	void treesExitWhenStopped() {
		reader.beforeScan(scope -> {
			if (scope.kind() != ScanScope.Kind.EVERYTHING) {
				return;
			}
			for (ModuleStatus s : engine.status.modules()) {
				if (s.state() == ModuleState.STOPPING && !reader.tagged(s.name()).isEmpty()) {
					exit(s.name(), 143);
				}
			}
		});
	}

	Start lastStart(String module) {
		synchronized (starts) {
			for (int i = starts.size() - 1; i >= 0; i--) {
				if (starts.get(i).module().equals(module)) {
					return starts.get(i);
				}
			}
		}
		throw new AssertionError(module + " was never started");
	}

	List<String> startOrder() {
		synchronized (starts) {
			return starts.stream().map(Start::module).toList();
		}
	}

	/** Runs the readiness probes queued (on the test's thread, against real sockets and files), then what is due. */
	void probe() {
		probes.runDue();
		machine.runDue();
	}

	void step() {
		machine.runDue();
	}

	void advance(Duration d) {
		machine.advance(d);
	}

	ModuleStatus status(String module) {
		return engine.status.status(module);
	}

	ModuleState state(String module) {
		return status(module).state();
	}

	/** The module's changes of state, as "FROM->TO", oldest first. */
	List<String> transitions(String module) {
		return engine.journal.recent(module, 1000).stream().filter(j -> j.from() != j.to())
				.map(j -> j.from() + "->" + j.to()).toList();
	}

	List<String> journal(String module) {
		return engine.journal.recent(module, 1000).stream().map(JournalEntry::reason).toList();
	}

	private Process spawn(ProcessBuilder builder) throws IOException {
		IOException fail = failNextStart;
		if (fail != null) {
			failNextStart = null;
			throw fail;
		}
		String module = builder.environment().get(ProcessReader.DEFAULT_TAG_NAME);
		String instance = builder.environment().get(Launcher.INSTANCE_VARIABLE);
		int pid = nextPid++;
		FakeProcess p = new FakeProcess(pid);
		reader.add(new TaskSnapshot(pid, SELF_PID, pid, 1, 'S', 0, "prog", machine.nanos(), 0, 4096, module));
		starts.add(new Start(module, instance, p));
		return p;
	}

	@Override
	public void close() {
		engine.close();
		journalFeed.close();
	}

	/** A service reference with these properties, ranked 0, later ones below earlier ones (as OSGi ranks by id). */
	@SuppressWarnings("unchecked")
	private <S> ServiceReference<S> reference(Map<String, Object> properties) {
		long id = serviceIds.incrementAndGet();
		Map<String, Object> props = new HashMap<>(properties);
		props.put("service.id", id);
		return (ServiceReference<S>) Proxy.newProxyInstance(getClass().getClassLoader(),
				new Class<?>[] { ServiceReference.class }, (proxy, method, args) -> switch (method.getName()) {
					case "getProperty" -> props.get((String) args[0]);
					case "compareTo" -> Long.compare((Long) ((ServiceReference<?>) args[0]).getProperty("service.id"), id);
					case "equals" -> proxy == args[0];
					case "hashCode" -> System.identityHashCode(proxy);
					case "toString" -> "service " + id + " " + properties;
					default -> throw new UnsupportedOperationException(method.getName());
				});
	}

	/** A logger that keeps what the engine logs as an error (a test fails on an unexpected one). */
	private static Logger logger(List<String> errors) {
		return (Logger) Proxy.newProxyInstance(EngineFixture.class.getClassLoader(), new Class<?>[] { Logger.class },
				(proxy, method, args) -> {
					if (method.getName().equals("error")) {
						errors.add(args == null ? "" : java.util.Arrays.asList(args).toString());
					}
					if (method.getReturnType() == boolean.class) {
						return false;
					}
					return method.getName().equals("getName") ? "test" : null;
				});
	}
}
