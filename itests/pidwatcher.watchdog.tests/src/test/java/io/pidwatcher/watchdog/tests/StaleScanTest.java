package io.pidwatcher.watchdog.tests;

import static org.assertj.core.api.Assertions.assertThat;

import io.pidwatcher.api.supervisor.JournalEntry;
import io.pidwatcher.api.supervisor.ModuleState;
import io.pidwatcher.api.supervisor.ModuleStatus;
import io.pidwatcher.api.supervisor.NoSuchModuleException;
import io.pidwatcher.api.reader.ProcessReader;
import io.pidwatcher.api.reader.ProcessSnapshot;
import io.pidwatcher.api.reader.ReaderDescription;
import io.pidwatcher.api.reader.ScanScope;
import io.pidwatcher.api.supervisor.Supervisor;
import io.pidwatcher.testing.Poll;
import io.pidwatcher.testing.TestPrograms;

import java.util.Hashtable;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

import org.junit.jupiter.api.Test;
import org.osgi.framework.Bundle;
import org.osgi.framework.BundleContext;
import org.osgi.framework.Constants;
import org.osgi.framework.FrameworkUtil;
import org.osgi.framework.ServiceReference;
import org.osgi.framework.ServiceRegistration;

/**
 * Regression (found when ModuleCommandsTest failed on a loaded machine): a module started while
 * the scan loop was in the middle of a scan was judged with that scan, taken before it started,
 * and so found "all tasks exited" while it ran: a failure that never happened, a restart decided,
 * then "found tagged tasks running while waiting". Slow scans (a big process table, a busy
 * machine) made it likely; this reader makes every scan slow.
 */
class StaleScanTest extends WatchdogTestBase {

	/** The /proc reader, answering 300 ms after it looked, as a slow scan does. */
	static final class SlowReader implements ProcessReader {
		final ProcessReader delegate;
		final AtomicInteger scans = new AtomicInteger();

		SlowReader(ProcessReader delegate) {
			this.delegate = delegate;
		}

		@Override
		public ProcessSnapshot scan(ScanScope scope) {
			ProcessSnapshot s = delegate.scan(scope);
			scans.incrementAndGet();
			try {
				Thread.sleep(300);
			} catch (InterruptedException e) {
				Thread.currentThread().interrupt();
			}
			return s;
		}

		@Override
		public String tagName() {
			return delegate.tagName();
		}

		@Override
		public ReaderDescription describe() {
			return delegate.describe();
		}
	}

	@Test
	void aModuleStartedDuringAScanIsNotTakenForDeadByThatScan() throws Exception {
		String name = modules.define(TestPrograms.uniqueModule("stale"), "command", Modules.pwtest("tree", "1", "1", "600"),
				"interval", "100ms", "autostart", "false");
		modules.awaitState(name, ModuleState.STOPPED);
		BundleContext context = FrameworkUtil.getBundle(getClass()).getBundleContext();
		SlowReader slow = new SlowReader(reader);
		Hashtable<String, Object> props = new Hashtable<>();
		props.put(ProcessReader.SOURCE_PROPERTY, "slow");
		props.put(Constants.SERVICE_RANKING, 100);
		ServiceRegistration<ProcessReader> reg = context.registerService(ProcessReader.class, slow, props);
		int rounds = 6;
		try {
			Poll.until(Modules.WAIT, "the watchdog scanning with the slow reader", () -> slow.scans.get() > 3);
			for (int i = 0; i < rounds; i++) {
				supervisor.start(name);
				modules.await(name, "running with 2 tasks", s -> s.state() == ModuleState.RUNNING && s.tasks().size() == 2);
				supervisor.stop(name);
			}
		} finally {
			reg.unregister();
		}
		List<JournalEntry> falseDeaths = supervisor.events(name, 1000).stream()
				.filter(e -> e.to() == ModuleState.FAILED && e.from() != ModuleState.FAILED).toList();
		System.out.printf("RELIABILITY stale-scan: %d starts during 300 ms scans, %d taken for an exit%n", rounds,
				falseDeaths.size());
		assertThat(falseDeaths).as("failures of a module that ran all along").isEmpty();
		assertThat(supervisor.status(name).restarts()).isZero();
	}

	/**
	 * Regression (found by the churn test, BundleChurnTest): a run started by a watchdog that went
	 * away (bundle stopped, updated, refreshed) before its first scan saw the main process was
	 * adopted by the next watchdog as someone else's tree: a new instance name "NAME.adopted.*"
	 * while its processes carry the old one, and the uptime counted from the adoption. The state
	 * file knew the run (instance, start) but not yet its main task.
	 */
	@Test
	void aRunAdoptedBeforeItsFirstScanKeepsItsInstanceAndStartTime() throws Exception {
		String name = modules.define(TestPrograms.uniqueModule("early"), "command", Modules.pwtest("sleep", "600"),
				"interval", "100ms", "autostart", "false");
		modules.awaitState(name, ModuleState.STOPPED);
		BundleContext context = FrameworkUtil.getBundle(getClass()).getBundleContext();
		Bundle watchdog = java.util.Arrays.stream(context.getBundles())
				.filter(b -> "pidwatcher.watchdog".equals(b.getSymbolicName())).findFirst().orElseThrow();
		SlowReader slow = new SlowReader(reader);
		Hashtable<String, Object> props = new Hashtable<>();
		props.put(ProcessReader.SOURCE_PROPERTY, "slow");
		props.put(Constants.SERVICE_RANKING, 100);
		ServiceRegistration<ProcessReader> reg = context.registerService(ProcessReader.class, slow, props);
		try {
			Poll.until(Modules.WAIT, "the watchdog scanning with the slow reader", () -> slow.scans.get() > 3);
			ModuleStatus started = supervisor.start(name);
			watchdog.stop(); // every scan takes 300 ms: the run's first scan has not come back yet
			assertThat(modules.aliveTagged(name)).as("the run keeps running without a watchdog").hasSize(1);
			watchdog.start();
			ModuleStatus[] adopted = new ModuleStatus[1];
			Poll.until(Modules.WAIT, "adopted by the next watchdog", () -> {
				ServiceReference<Supervisor> ref = context.getServiceReference(Supervisor.class);
				if (ref == null) {
					return false;
				}
				try {
					adopted[0] = context.getService(ref).status(name);
					return adopted[0].state() == ModuleState.RUNNING;
				} catch (NoSuchModuleException e) {
					return false;
				}
			});
			System.out.printf("RELIABILITY early-adoption: started %s at %s; adopted as %s, started at %s: %s%n",
					started.instance(), started.startedAt(), adopted[0].instance(), adopted[0].startedAt(), adopted[0].reason());
			assertThat(adopted[0].instance()).isEqualTo(started.instance());
			assertThat(adopted[0].startedAt()).isEqualTo(started.startedAt());
			assertThat(adopted[0].reason()).contains("the same run as before: " + started.instance());
		} finally {
			reg.unregister();
			if (watchdog.getState() != Bundle.ACTIVE) {
				watchdog.start();
			}
		}
	}
}
