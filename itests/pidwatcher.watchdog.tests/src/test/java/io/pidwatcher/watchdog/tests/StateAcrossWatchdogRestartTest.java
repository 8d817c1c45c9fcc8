package io.pidwatcher.watchdog.tests;

import static org.assertj.core.api.Assertions.assertThat;

import io.pidwatcher.api.reader.ProcessReader;
import io.pidwatcher.api.supervisor.JournalEntry;
import io.pidwatcher.api.supervisor.ModuleState;
import io.pidwatcher.api.supervisor.ModuleStatus;
import io.pidwatcher.api.supervisor.NoSuchModuleException;
import io.pidwatcher.api.supervisor.Supervisor;
import io.pidwatcher.testing.Poll;
import io.pidwatcher.testing.TestPrograms;

import java.time.Duration;
import java.time.Instant;
import java.util.Dictionary;
import java.util.Hashtable;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.osgi.framework.Bundle;
import org.osgi.framework.BundleContext;
import org.osgi.framework.ServiceReference;
import org.osgi.service.cm.Configuration;
import org.osgi.service.cm.ConfigurationAdmin;
import org.osgi.test.common.annotation.InjectBundleContext;
import org.osgi.test.common.annotation.InjectService;
import org.osgi.test.junit5.context.BundleContextExtension;
import org.osgi.test.junit5.service.ServiceExtension;

/**
 * Issue 12, part 6: a module's lifecycle survives the watchdog's own restart. The sequence a new
 * user tried: stop the backoff bundle, kill -9 the main process of a backoff module (it waits,
 * failed, for its strategy), update the watchdog bundle. The new watchdog keeps it failed with its
 * failure history and restart count, instead of "starting autostart" with the count back at 0;
 * once backoff is back, it decides on the whole history.
 */
@ExtendWith({ BundleContextExtension.class, ServiceExtension.class })
class StateAcrossWatchdogRestartTest {

	private static final Duration WAIT = Duration.ofSeconds(20);

	@InjectBundleContext
	BundleContext context;

	@InjectService(filter = "(pidwatcher.source=procfs)", timeout = 5000)
	ProcessReader reader;

	@InjectService
	ConfigurationAdmin configAdmin;

	private Bundle bundle(String symbolicName) {
		for (Bundle b : context.getBundles()) {
			if (symbolicName.equals(b.getSymbolicName())) {
				return b;
			}
		}
		throw new AssertionError("no bundle " + symbolicName);
	}

	/** The supervisor registered now (a new one after an update), waiting for it to be there. */
	private Supervisor supervisor(long notServiceId) throws InterruptedException {
		AtomicReference<Supervisor> found = new AtomicReference<>();
		Poll.until(WAIT, "a supervisor service other than " + notServiceId, () -> {
			ServiceReference<Supervisor> ref = context.getServiceReference(Supervisor.class);
			if (ref == null || (Long) ref.getProperty("service.id") == notServiceId) {
				return false;
			}
			found.set(context.getService(ref));
			return found.get() != null;
		});
		return found.get();
	}

	private long supervisorServiceId() {
		return (Long) context.getServiceReference(Supervisor.class).getProperty("service.id");
	}

	private static ModuleStatus await(Supervisor supervisor, String name, String what,
			java.util.function.Predicate<ModuleStatus> condition) throws InterruptedException {
		AtomicReference<ModuleStatus> last = new AtomicReference<>();
		try {
			Poll.until(WAIT, name + ": " + what, () -> {
				try {
					last.set(supervisor.status(name));
					return condition.test(last.get());
				} catch (NoSuchModuleException e) {
					return false;
				}
			});
		} catch (AssertionError e) {
			throw new AssertionError(e.getMessage() + "; last status: " + last.get(), e);
		}
		return last.get();
	}

	@Test
	void aFailureWaitingForItsStrategyOutlivesAnUpdateOfTheWatchdog() throws Exception {
		String name = TestPrograms.uniqueModule("survive");
		Bundle backoff = bundle("pidwatcher.strategy.backoff");
		Configuration config = configAdmin.getFactoryConfiguration("pidwatcher.module", name, "?");
		try {
			Supervisor before = supervisor(-1);
			long beforeId = supervisorServiceId();
			Dictionary<String, Object> props = new Hashtable<>();
			props.put("command", Modules.pwtest("sleep", "120"));
			props.put("interval", "100ms");
			props.put("strategy", "backoff");
			props.put("strategy.initial", "100ms");
			config.update(props);
			ModuleStatus first = await(before, name, "running", s -> s.state() == ModuleState.RUNNING && s.main() != null);

			// one failure decided by backoff: restart #1
			ProcessHandle.of(first.main().pid()).ifPresent(ProcessHandle::destroyForcibly);
			ModuleStatus second = await(before, name, "restarted once", s -> s.state() == ModuleState.RUNNING
					&& s.restarts() == 1 && s.main() != null && s.main().pid() != first.main().pid());

			// backoff away, a second failure waits for it
			backoff.stop();
			ProcessHandle.of(second.main().pid()).ifPresent(ProcessHandle::destroyForcibly);
			ModuleStatus failed = await(before, name, "failed, waiting for backoff", s -> s.state() == ModuleState.FAILED
					&& s.reason().contains("strategy backoff unavailable"));
			assertThat(failed.failures()).hasSize(2);

			Instant updated = Instant.now();
			bundle("pidwatcher.watchdog").update();
			Supervisor after = supervisor(beforeId);
			ModuleStatus kept = await(after, name, "failed after the update, still waiting for backoff",
					s -> s.state() == ModuleState.FAILED && s.reason().contains("strategy backoff unavailable"));
			assertThat(kept.restarts()).isEqualTo(1);
			assertThat(kept.failures()).isEqualTo(failed.failures());
			Thread.sleep(500); // several scans of the new watchdog: it must not start the module meanwhile
			assertThat(after.status(name).state()).isEqualTo(ModuleState.FAILED);
			assertThat(reader.scan(io.pidwatcher.api.reader.ScanScope.module(name)).tasks())
					.allSatisfy(t -> assertThat(t.state()).isEqualTo('Z'));
			List<JournalEntry> since = after.events(name, 100).stream().filter(e -> !e.at().isBefore(updated)).toList();
			assertThat(since).noneSatisfy(e -> assertThat(e.to()).isIn(ModuleState.STARTING, ModuleState.RUNNING));

			// backoff back: it decides on the whole history, and the count goes on from 1
			backoff.start();
			ModuleStatus restarted = await(after, name, "restarted by backoff", s -> s.state() == ModuleState.RUNNING
					&& s.restarts() == 2);
			assertThat(restarted.failures()).hasSize(2);
			JournalEntry decision = after.events(name, 100).stream()
					.filter(e -> e.reason().startsWith("decision of strategy backoff")).reduce((a, b) -> b).orElseThrow();
			assertThat(decision.reason()).doesNotContain("first failure of a loop");
		} finally {
			if (backoff.getState() != Bundle.ACTIVE) {
				backoff.start();
			}
			config.delete();
			Supervisor now = supervisor(-1);
			try {
				Poll.until(WAIT, "module " + name + " removed", () -> {
					try {
						now.status(name);
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
}
