package io.pidwatcher.reader.procfs.internal;

import static org.assertj.core.api.Assertions.assertThat;

import io.pidwatcher.api.reader.ExitEvent;
import io.pidwatcher.api.reader.ScanScope;
import io.pidwatcher.testing.TestPrograms;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Exit tracking on real processes: pidfds, and the /proc polling fallback. */
class ExitTrackerTest {

	private static final String TAG = "PIDWATCHER_MODULE";
	private final LinkedBlockingQueue<ExitEvent> events = new LinkedBlockingQueue<>();
	private final List<Process> started = new ArrayList<>();
	private ExitTracker tracker;

	@AfterEach
	void stop() {
		started.forEach(Process::destroyForcibly);
		if (tracker != null) {
			tracker.stop();
		}
	}

	private Process startAndTrack(String module) throws Exception {
		Process p = TestPrograms.start(TAG, module, "sleep", "60");
		started.add(p);
		ProcfsScanner scanner = new ProcfsScanner(Path.of("/proc"));
		for (int i = 0; i < 200; i++) {
			var tasks = scanner.scan(TAG, ScanScope.module(module)).tasks();
			if (tasks.size() == 1 && tasks.get(0).comm().equals("pwtest")) {
				tracker.track(tasks);
				assertThat(tracker.trackedCount()).isEqualTo(1);
				return p;
			}
			Thread.sleep(10);
		}
		throw new AssertionError("pwtest never showed up");
	}

	@Test
	void pidfdReportsAKilledTaskAtOnce() throws Exception {
		tracker = new ExitTracker(Path.of("/proc"), events::add, true);
		assertThat(tracker.usesPidfd()).as(tracker.mode()).isTrue();
		tracker.start();
		String module = TestPrograms.uniqueModule("pidfd");
		Process p = startAndTrack(module);
		Thread.sleep(300); // let the tracker settle into a blocking poll
		long killed = System.nanoTime();
		p.destroyForcibly();
		ExitEvent e = events.poll(5, TimeUnit.SECONDS);
		assertThat(e).isNotNull();
		assertThat(e.task().pid()).isEqualTo((int) p.pid());
		assertThat(e.tagValue()).isEqualTo(module);
		assertThat(e.source()).isEqualTo("procfs");
		// delivered within the 5 s bound above; the latency itself is the benchmarks' business
		System.out.printf("pidfd: kill to exit event %.2f ms%n", (e.monotonicNanos() - killed) / 1e6);
		assertThat(events.poll(300, TimeUnit.MILLISECONDS)).as("delivered once").isNull();
		assertThat(tracker.trackedCount()).isZero();
	}

	/**
	 * The polling fallback backs off to {@link ExitTracker#MAX_POLL_MILLIS} and never further. The
	 * bound is what must never happen (an interval grown past its maximum: the next step of the
	 * back-off doubles it), not the latency, which the benchmark measures.
	 */
	@Test
	void pollingFallbackNeverWaitsPastItsLongestInterval() throws Exception {
		tracker = new ExitTracker(Path.of("/proc"), events::add, false);
		assertThat(tracker.usesPidfd()).isFalse();
		assertThat(tracker.mode()).contains("polling /proc");
		tracker.start();
		Process p = startAndTrack(TestPrograms.uniqueModule("poll"));
		Thread.sleep(1500); // the interval has backed off to its maximum
		long killed = System.nanoTime();
		p.destroyForcibly();
		ExitEvent e = events.poll(5, TimeUnit.SECONDS);
		assertThat(e).isNotNull();
		assertThat(e.task().pid()).isEqualTo((int) p.pid());
		assertThat((e.monotonicNanos() - killed) / 1e6).isLessThan(2.0 * ExitTracker.MAX_POLL_MILLIS);
	}

	@Test
	void aTaskGoneBeforeItIsTrackedIsReportedOnce() throws Exception {
		tracker = new ExitTracker(Path.of("/proc"), events::add, true);
		tracker.start();
		String module = TestPrograms.uniqueModule("gone");
		Process p = TestPrograms.start(TAG, module, "sleep", "60");
		started.add(p);
		ProcfsScanner scanner = new ProcfsScanner(Path.of("/proc"));
		List<io.pidwatcher.api.reader.TaskSnapshot> tasks;
		long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
		do {
			assertThat(System.nanoTime()).as("pwtest seen by a scan within 10 s").isLessThan(deadline);
			Thread.sleep(10);
			tasks = scanner.scan(TAG, ScanScope.module(module)).tasks();
		} while (tasks.isEmpty() || !tasks.get(0).comm().equals("pwtest"));
		p.destroyForcibly().waitFor();
		tracker.track(tasks);
		tracker.track(tasks); // a second scan result that is as stale
		assertThat(events.poll(2, TimeUnit.SECONDS)).isNotNull();
		assertThat(events.poll(300, TimeUnit.MILLISECONDS)).isNull();
	}

	/**
	 * Regression (found by the churn test, BundleChurnTest): a scan through a reader that was just
	 * deactivated (a scan in flight while pidwatcher.reader.procfs stopped or was refreshed) still
	 * handed its tasks to the stopped tracker, which opened a pidfd for each and never closed it:
	 * about 4,500 pidfds per reader restart on a machine with that many tagged processes, until
	 * the JVM ran out of file descriptors.
	 */
	@Test
	void aStoppedTrackerWatchesNothingMore() throws Exception {
		tracker = new ExitTracker(Path.of("/proc"), events::add, true);
		tracker.start();
		String module = TestPrograms.uniqueModule("late");
		startAndTrack(module);
		ExitTracker stopped = tracker;
		stopped.stop();
		tracker = null;
		assertThat(stopped.trackedCount()).isZero();
		var tasks = new ProcfsScanner(Path.of("/proc")).scan(TAG, ScanScope.module(module)).tasks();
		assertThat(tasks).hasSize(1);
		stopped.track(tasks); // the scan in flight when the reader stopped
		assertThat(stopped.trackedCount()).as("tasks watched (pidfds held) by a stopped tracker").isZero();
	}
}
