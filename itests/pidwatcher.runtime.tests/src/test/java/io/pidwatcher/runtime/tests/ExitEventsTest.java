package io.pidwatcher.runtime.tests;

import static org.assertj.core.api.Assertions.assertThat;

import io.pidwatcher.api.reader.ExitEvent;
import io.pidwatcher.api.reader.ExitListener;
import io.pidwatcher.api.reader.ProcessReader;
import io.pidwatcher.api.reader.ScanScope;
import io.pidwatcher.testing.TestPrograms;
import io.pidwatcher.testing.Gogo;
import io.pidwatcher.testing.Poll;

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

/** Exit events through the ExitListener whiteboard, from the /proc reader's pidfds, in a real Felix. */
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

	@Test
	void procfsPidfdEventArrivesWithin100msOfAKill() throws Exception {
		String module = TestPrograms.uniqueModule("exit");
		Process p = TestPrograms.start(TAG, module, "sleep", "60");
		started.add(p);
		// Any scan that sees the task starts tracking it; the reader's own discovery scan would too.
		Poll.until(Duration.ofSeconds(10), "pwtest visible", () -> procfs.scan(ScanScope.module(module)).tasks().stream()
				.anyMatch(t -> t.pid() == p.pid() && t.comm().equals("pwtest")));
		Thread.sleep(300);
		long killed = System.nanoTime();
		p.destroyForcibly();
		ExitEvent event = awaitExit(p.pid(), module);
		assertThat(event).as("exit event for pid " + p.pid()).isNotNull();
		assertThat(event.source()).isEqualTo("procfs");
		assertThat(event.tagValue()).isEqualTo(module);
		double ms = (event.monotonicNanos() - killed) / 1e6;
		System.out.printf("procfs pidfd exit event %.2f ms after the kill%n", ms);
		assertThat(ms).as("kill to exit event (ms)").isLessThan(100);
		assertThat(Gogo.run(gogo, "pw:source")).contains("event mode: pidfd");
	}

	@Test
	void aTaskNoConsumerScannedIsDiscoveredAndReported() throws Exception {
		String module = TestPrograms.uniqueModule("found");
		Process p = TestPrograms.start(TAG, module, "sleep", "60");
		started.add(p);
		Thread.sleep(2500); // two discovery periods, and no scan of ours
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
		if (Files.exists(Path.of("/dev/pidwatcher"))) {
			return; // a host with the module loaded: the QEMU suite covers the device
		}
		assertThat(context.getServiceReferences(ProcessReader.class, "(pidwatcher.source=device)")).isEmpty();
		assertThat(context.getBundles()).anyMatch(b -> b.getSymbolicName().equals("pidwatcher.reader.device")
				&& b.getState() == org.osgi.framework.Bundle.ACTIVE);
		assertThat(Gogo.run(gogo, "pw:source")).contains("reader     procfs");
	}
}
