package io.pidwatcher.watchdog.internal;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.PriorityQueue;
import java.util.concurrent.AbstractExecutorService;
import java.util.concurrent.Callable;
import java.util.concurrent.Delayed;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A scheduler and a fake monotonic clock that the test steps by hand: jobs run on the test's
 * thread, in the order they fall due, only when the test runs them or moves the clock. The engine
 * takes it as its scheduler and its stoppers, so a pass, a delayed restart and a stop are each a
 * job the test can see queued and run.
 */
final class ManualScheduler extends AbstractExecutorService implements ScheduledExecutorService {

	/** Jobs a test may run at once before it is taken for a loop that reschedules itself forever. */
	private static final int MAX_JOBS_PER_STEP = 10_000;

	final AtomicLong clock = new AtomicLong(1_000_000_000_000L);
	private final PriorityQueue<Job> queue = new PriorityQueue<>();
	private long sequence;
	private boolean shutdown;

	long nanos() {
		return clock.get();
	}

	/** Runs every job due by now, and those they queue due by now, in the order they fall due. */
	void runDue() {
		for (int n = 0; n < MAX_JOBS_PER_STEP; n++) {
			Job j;
			synchronized (this) {
				j = queue.peek();
				if (j == null || j.due > clock.get()) {
					return;
				}
				queue.poll();
			}
			j.run();
		}
		throw new AssertionError("more than " + MAX_JOBS_PER_STEP + " jobs due at once: a loop?");
	}

	/** Moves the clock by d, running each job as its time comes (the clock shows its due time meanwhile). */
	void advance(Duration d) {
		long target = clock.get() + d.toNanos();
		while (true) {
			runDue();
			Job next;
			synchronized (this) {
				next = queue.peek();
			}
			if (next == null || next.due > target) {
				break;
			}
			clock.set(Math.max(clock.get(), next.due));
		}
		clock.set(target);
		runDue();
	}

	/** Jobs queued, cancelled ones not counted. */
	synchronized int queued() {
		return (int) queue.stream().filter(j -> !j.cancelled).count();
	}

	@Override
	public synchronized ScheduledFuture<?> schedule(Runnable command, long delay, TimeUnit unit) {
		Job j = new Job(command, clock.get() + Math.max(0, unit.toNanos(delay)), sequence++);
		if (!shutdown) {
			queue.add(j);
		}
		return j;
	}

	@Override
	public <V> ScheduledFuture<V> schedule(Callable<V> callable, long delay, TimeUnit unit) {
		throw new UnsupportedOperationException("the engine schedules Runnables only");
	}

	@Override
	public ScheduledFuture<?> scheduleAtFixedRate(Runnable command, long initialDelay, long period, TimeUnit unit) {
		throw new UnsupportedOperationException("the engine does not schedule at a fixed rate");
	}

	@Override
	public ScheduledFuture<?> scheduleWithFixedDelay(Runnable command, long initialDelay, long delay, TimeUnit unit) {
		throw new UnsupportedOperationException("the engine does not schedule with a fixed delay");
	}

	@Override
	public void execute(Runnable command) {
		schedule(command, 0, TimeUnit.NANOSECONDS);
	}

	@Override
	public synchronized void shutdown() {
		shutdown = true;
		queue.clear();
	}

	@Override
	public synchronized List<Runnable> shutdownNow() {
		shutdown();
		return new ArrayList<>();
	}

	@Override
	public synchronized boolean isShutdown() {
		return shutdown;
	}

	@Override
	public synchronized boolean isTerminated() {
		return shutdown;
	}

	@Override
	public boolean awaitTermination(long timeout, TimeUnit unit) {
		return true;
	}

	private final class Job implements ScheduledFuture<Object> {
		private final Runnable command;
		final long due;
		private final long order;
		volatile boolean cancelled;
		private volatile boolean done;

		Job(Runnable command, long due, long order) {
			this.command = command;
			this.due = due;
			this.order = order;
		}

		void run() {
			if (cancelled) {
				return;
			}
			try {
				command.run();
			} finally {
				done = true;
			}
		}

		@Override
		public long getDelay(TimeUnit unit) {
			return unit.convert(due - clock.get(), TimeUnit.NANOSECONDS);
		}

		@Override
		public int compareTo(Delayed o) {
			Job other = (Job) o;
			return due != other.due ? Long.compare(due, other.due) : Long.compare(order, other.order);
		}

		@Override
		public boolean cancel(boolean mayInterruptIfRunning) {
			if (done) {
				return false;
			}
			cancelled = true;
			return true;
		}

		@Override
		public boolean isCancelled() {
			return cancelled;
		}

		@Override
		public boolean isDone() {
			return done || cancelled;
		}

		@Override
		public Object get() {
			return null;
		}

		@Override
		public Object get(long timeout, TimeUnit unit) {
			return null;
		}
	}
}
