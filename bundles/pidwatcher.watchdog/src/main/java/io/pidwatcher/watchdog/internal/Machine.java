package io.pidwatcher.watchdog.internal;

import java.io.IOException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.LongSupplier;

/**
 * What the engine takes from the machine it runs on: the monotonic clock, the thread that runs
 * passes and delayed restarts, the threads that wait for stops, the threads that run readiness
 * probes (connects and commands that may block) and the timer that spaces their tries (not the
 * pass's thread, which a scan of every process holds for a while), and the start of a process. Unit
 * tests hand the engine a clock and a scheduler they step by hand and a spawner of fake processes,
 * so that the state machine and the restart planner run the same way every time.
 */
record Machine(LongSupplier nanos, ScheduledExecutorService scheduler, ExecutorService stoppers, Spawner spawner,
		ExecutorService probes, ScheduledExecutorService probeTimer) {

	/** Starts a module's program (ProcessBuilder.start on a real machine). */
	interface Spawner {
		Process start(ProcessBuilder builder) throws IOException;
	}

	static Machine real() {
		return new Machine(System::nanoTime, Executors.newSingleThreadScheduledExecutor(threads("pidwatcher-watchdog")),
				Executors.newCachedThreadPool(threads("pidwatcher-stop")), ProcessBuilder::start,
				Executors.newCachedThreadPool(threads("pidwatcher-ready")),
				Executors.newSingleThreadScheduledExecutor(threads("pidwatcher-ready-timer")));
	}

	static ThreadFactory threads(String name) {
		AtomicInteger n = new AtomicInteger();
		return r -> {
			Thread t = new Thread(r, name + "-" + n.incrementAndGet());
			t.setDaemon(true);
			return t;
		};
	}
}
