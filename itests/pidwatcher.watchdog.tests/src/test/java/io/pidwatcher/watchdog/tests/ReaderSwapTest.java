package io.pidwatcher.watchdog.tests;

import static org.assertj.core.api.Assertions.assertThat;

import io.pidwatcher.api.supervisor.ModuleState;
import io.pidwatcher.api.supervisor.ModuleStatus;
import io.pidwatcher.api.reader.ProcessReader;
import io.pidwatcher.api.reader.ProcessSnapshot;
import io.pidwatcher.api.reader.ReaderDescription;
import io.pidwatcher.api.reader.ScanScope;
import io.pidwatcher.api.reader.TaskSnapshot;
import io.pidwatcher.testing.TestPrograms;
import io.pidwatcher.testing.Poll;

import java.util.Hashtable;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

import org.junit.jupiter.api.Test;
import org.osgi.framework.BundleContext;
import org.osgi.framework.Constants;
import org.osgi.framework.FrameworkUtil;
import org.osgi.framework.ServiceRegistration;

/**
 * A higher-ranked reader appears and goes while modules run (as the device reader does when its
 * kernel module is loaded or unloaded): the watchdog switches to it and back without restarting
 * or losing anything, although it reports start times at another resolution.
 */
class ReaderSwapTest extends WatchdogTestBase {

	/** Delegates to /proc, but reports start times 3 ms later, as a source with finer clocks might. */
	static final class OtherReader implements ProcessReader {
		final ProcessReader delegate;
		final AtomicInteger scans = new AtomicInteger();

		OtherReader(ProcessReader delegate) {
			this.delegate = delegate;
		}

		@Override
		public ProcessSnapshot scan(ScanScope scope) {
			scans.incrementAndGet();
			ProcessSnapshot s = delegate.scan(scope);
			List<TaskSnapshot> shifted = s.tasks().stream().map(t -> new TaskSnapshot(t.pid(), t.ppid(), t.tgid(),
					t.threads(), t.state(), t.uid(), t.comm(), t.startTimeNanos() + 3_000_000, t.cpuTimeNanos(),
					t.rssBytes(), t.tagValue())).toList();
			return new ProcessSnapshot("other", s.tagName(), scope, s.monotonicNanos(), s.takenAt(), shifted, false);
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
	void aHigherRankedReaderTakesOverAndLeavesWithoutRestartingAnything() throws Exception {
		String name = modules.define(TestPrograms.uniqueModule("swap"), "command", Modules.pwtest("clearenv", "120"),
				"interval", "100ms");
		ModuleStatus before = modules.await(name, "running with its untagged child",
				s -> s.state() == ModuleState.RUNNING && s.tasks().size() == 2);

		BundleContext context = FrameworkUtil.getBundle(getClass()).getBundleContext();
		OtherReader other = new OtherReader(reader);
		Hashtable<String, Object> props = new Hashtable<>();
		props.put(ProcessReader.SOURCE_PROPERTY, "other");
		props.put(Constants.SERVICE_RANKING, 100);
		ServiceRegistration<ProcessReader> reg = context.registerService(ProcessReader.class, other, props);
		try {
			Poll.until(Modules.WAIT, "the watchdog scanning with the new reader", () -> other.scans.get() > 5);
			ModuleStatus during = supervisor.status(name);
			assertThat(during.state()).isEqualTo(ModuleState.RUNNING);
			assertThat(during.restarts()).isZero();
			assertThat(during.tasks()).hasSize(2);
			assertThat(during.main().pid()).isEqualTo(before.main().pid());
			assertThat(during.main().startTimeNanos()).isEqualTo(before.main().startTimeNanos() + 3_000_000);
		} finally {
			reg.unregister();
		}
		Thread.sleep(500);
		ModuleStatus after = supervisor.status(name);
		assertThat(after.state()).isEqualTo(ModuleState.RUNNING);
		assertThat(after.restarts()).isZero();
		assertThat(after.main()).isEqualTo(before.main());
		assertThat(after.tasks()).as("the untagged child is still tracked").hasSize(2);
		assertThat(supervisor.stop(name).stopped()).isEqualTo(2);
	}
}
