package io.pidwatcher.watchdog.tests;

import io.pidwatcher.api.supervisor.ModuleState;
import io.pidwatcher.api.supervisor.ModuleStatus;
import io.pidwatcher.api.supervisor.NoSuchModuleException;
import io.pidwatcher.api.reader.ProcessReader;
import io.pidwatcher.api.reader.ScanScope;
import io.pidwatcher.api.supervisor.Supervisor;
import io.pidwatcher.api.reader.TaskSnapshot;
import io.pidwatcher.testing.TestPrograms;
import io.pidwatcher.testing.Poll;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Dictionary;
import java.util.Hashtable;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;

import org.osgi.service.cm.Configuration;
import org.osgi.service.cm.ConfigurationAdmin;

/** Defines modules through Config Admin, as FileInstall would, and cleans them up after a test. */
final class Modules implements AutoCloseable {

	static final Duration WAIT = Duration.ofSeconds(20);

	private final ConfigurationAdmin configAdmin;
	private final Supervisor supervisor;
	private final ProcessReader reader;
	private final List<String> defined = new ArrayList<>();

	Modules(ConfigurationAdmin configAdmin, Supervisor supervisor, ProcessReader reader) {
		this.configAdmin = configAdmin;
		this.supervisor = supervisor;
		this.reader = reader;
	}

	/** Defines (or redefines) a module; {@code keyValues} alternate key and value. */
	String define(String name, String... keyValues) throws Exception {
		Dictionary<String, Object> props = new Hashtable<>();
		for (int i = 0; i < keyValues.length; i += 2) {
			props.put(keyValues[i], keyValues[i + 1]);
		}
		Configuration c = configAdmin.getFactoryConfiguration("pidwatcher.module", name, "?");
		c.update(props);
		if (!defined.contains(name)) {
			defined.add(name);
		}
		Poll.until(WAIT, "module " + name + " defined", () -> {
			try {
				supervisor.status(name);
				return true;
			} catch (NoSuchModuleException e) {
				return false;
			}
		});
		return name;
	}

	static String pwtest(String... args) {
		StringBuilder b = new StringBuilder(TestPrograms.pwtest().toString());
		for (String a : args) {
			b.append(' ').append(a);
		}
		return b.toString();
	}

	ModuleStatus await(String name, String what, Predicate<ModuleStatus> condition) throws InterruptedException {
		return await(name, what, WAIT, condition);
	}

	ModuleStatus await(String name, String what, Duration timeout, Predicate<ModuleStatus> condition)
			throws InterruptedException {
		ModuleStatus[] last = new ModuleStatus[1];
		try {
			Poll.until(timeout, name + ": " + what, () -> {
				try {
					return condition.test(last[0] = supervisor.status(name));
				} catch (NoSuchModuleException e) {
					return false; // not defined yet (FileInstall, Config Admin and SCR deliver asynchronously)
				}
			});
		} catch (AssertionError e) {
			throw new AssertionError(e.getMessage() + "; last status: " + last[0], e);
		}
		return last[0];
	}

	ModuleStatus awaitState(String name, ModuleState state) throws InterruptedException {
		return await(name, "state " + state.label(), s -> s.state() == state);
	}

	/** Every process of the system that carries this module's tag right now. */
	List<TaskSnapshot> tagged(String name) {
		return reader.scan(ScanScope.module(name)).tasks();
	}

	List<TaskSnapshot> aliveTagged(String name) {
		return tagged(name).stream().filter(t -> t.state() != 'Z').toList();
	}

	static boolean alive(int pid, long startTimeNanos, ProcessReader reader) {
		return reader.scan(ScanScope.everything()).tasks().stream()
				.anyMatch(t -> t.pid() == pid && t.startTimeNanos() == startTimeNanos && t.state() != 'Z');
	}

	@Override
	public void close() throws Exception {
		for (String name : defined) {
			Configuration[] cs = configAdmin.listConfigurations("(service.pid=pidwatcher.module~" + name + ")");
			if (cs != null) {
				for (Configuration c : cs) {
					c.delete();
				}
			}
		}
		for (String name : defined) {
			try {
				Poll.until(WAIT, "module " + name + " removed", () -> {
					try {
						supervisor.status(name);
						return false;
					} catch (NoSuchModuleException e) {
						return true;
					}
				});
			} finally {
				TestPrograms.killTagged(reader.tagName(), name);
			}
		}
	}

	static Map<String, String> none() {
		return Map.of();
	}
}
