package io.pidwatcher.runtime.tests;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeFalse;

import io.pidwatcher.api.reader.ExitEvent;
import io.pidwatcher.api.reader.ExitListener;
import io.pidwatcher.api.reader.ProcessReader;
import io.pidwatcher.api.reader.ScanScope;
import io.pidwatcher.testing.TestPrograms;
import io.pidwatcher.testing.Gogo;
import io.pidwatcher.testing.Poll;
import io.pidwatcher.testing.Proc;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

import org.apache.felix.service.command.CommandProcessor;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.osgi.framework.BundleContext;
import org.osgi.framework.ServiceRegistration;
import org.osgi.test.common.annotation.InjectBundleContext;
import org.osgi.test.common.annotation.InjectService;
import org.osgi.test.junit5.context.BundleContextExtension;
import org.osgi.test.junit5.service.ServiceExtension;

/**
 * Exit events through the ExitListener whiteboard, from the /proc reader, in a real Felix. As root
 * (CI, this machine) they come from the process events connector; ConnectorLineageTest covers the
 * pidfd fallback that connector=false forces.
 */
@ExtendWith({ BundleContextExtension.class, ServiceExtension.class })
class ExitEventsTest {

	private static final String TAG = ProcessReader.DEFAULT_TAG_NAME;

	@InjectBundleContext
	BundleContext context;

	@InjectService(filter = "(pidwatcher.source=procfs)", timeout = 5000)
	ProcessReader procfs;

	@InjectService(timeout = 5000)
	CommandProcessor gogo;

	private final LinkedBlockingQueue<ExitEvent> events = new LinkedBlockingQueue<>();
	private final List<Process> started = new ArrayList<>();
	private ServiceRegistration<ExitListener> registration;

	@BeforeEach
	void listen() {
		registration = context.registerService(ExitListener.class, events::add, null);
	}

	@AfterEach
	void cleanUp() {
		registration.unregister();
		started.forEach(Process::destroyForcibly);
	}

	/**
	 * As root the reader follows the kernel's process events: a kill gives an exit event with its
	 * wait status within 5 s (a bound on what must never happen; the latency is printed, and
	 * measured by the benchmarks, not asserted).
	 */
	@Test
	void procfsExitEventArrivesAfterAKillWithItsStatus() throws Exception {
		String module = TestPrograms.uniqueModule("exit");
		Process p = TestPrograms.start(TAG, module, "sleep", "60");
		started.add(p);
		// Any scan that sees the task starts tracking it; the reader's own discovery scan would too.
		Poll.until(Duration.ofSeconds(10), "pwtest visible", () -> procfs.scan(ScanScope.module(module)).tasks().stream()
				.anyMatch(t -> t.pid() == p.pid() && t.comm().equals("pwtest")));
		long killed = System.nanoTime();
		p.destroyForcibly();
		ExitEvent event = awaitExit(p.pid(), module);
		assertThat(event).as("exit event for pid " + p.pid() + " within 5 s").isNotNull();
		assertThat(event.source()).isEqualTo("procfs");
		assertThat(event.tagValue()).isEqualTo(module);
		double ms = (event.monotonicNanos() - killed) / 1e6;
		System.out.printf("procfs connector exit event %.2f ms after the kill%n", ms);
		assertThat(event.waitStatus()).as("wait status: killed by SIGKILL").hasValue(9);
		assertThat(Gogo.run(gogo, "pw:source")).contains("event mode: process events connector");
	}

	/** A tagged task nobody scans is found by the reader's own discovery scan, then reported when it dies. */
	@Test
	void aTaskNoConsumerScannedIsDiscoveredAndReported() throws Exception {
		String module = TestPrograms.uniqueModule("found");
		Process p = TestPrograms.start(TAG, module, "sleep", "60");
		started.add(p);
		// No scan of ours. With the process events connector the exec that tagged the task comes before
		// its exit on the same socket, so no wait is needed; in the pidfd fallback the pidfd appears when
		// the discovery scan has found the task, whatever its period.
		if (!Gogo.run(gogo, "pw:source").contains("event mode: process events connector")) {
			Poll.until(Duration.ofSeconds(30), "the discovery scan tracking pid " + p.pid(), Duration.ofMillis(50),
					() -> Proc.pidfdHeldFor(p.pid()));
		}
		p.destroyForcibly();
		ExitEvent event = awaitExit(p.pid(), module);
		assertThat(event).isNotNull();
		assertThat(event.tagValue()).isEqualTo(module);
	}

	/**
	 * The exit event of our process, within 5 s. The reader reports every tagged process on the
	 * machine under the default tag, other test runs' too, and pids are reused: the module's unique
	 * tag value tells ours apart, and the deadline holds however many other events arrive.
	 */
	private ExitEvent awaitExit(long pid, String module) throws InterruptedException {
		long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
		for (long left; (left = deadline - System.nanoTime()) > 0;) {
			ExitEvent e = events.poll(left, TimeUnit.NANOSECONDS);
			if (e != null && e.task().pid() == pid && module.equals(e.tagValue())) {
				return e;
			}
		}
		return null;
	}

	@Test
	void withoutTheDeviceTheDeviceReaderStandsByAndProcfsIsActive() throws Exception {
		assumeFalse(Files.exists(Path.of("/dev/pidwatcher")),
				"skipped: /dev/pidwatcher exists (the module is loaded on this host); the QEMU suite covers the device");
		assertThat(context.getServiceReferences(ProcessReader.class, "(pidwatcher.source=device)")).isEmpty();
		assertThat(context.getBundles()).anyMatch(b -> b.getSymbolicName().equals("pidwatcher.reader.device")
				&& b.getState() == org.osgi.framework.Bundle.ACTIVE);
		assertThat(Gogo.run(gogo, "pw:source")).contains("reader     procfs");
	}
}
