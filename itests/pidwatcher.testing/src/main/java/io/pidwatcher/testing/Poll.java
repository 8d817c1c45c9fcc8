package io.pidwatcher.testing;

import java.time.Duration;
import java.util.function.BooleanSupplier;

/** Waits for a condition that becomes true asynchronously (Config Admin delivers on its own thread). */
public final class Poll {

	private Poll() {
	}

	public static void until(Duration timeout, String what, BooleanSupplier condition) throws InterruptedException {
		until(timeout, what, Duration.ofMillis(20), condition);
	}

	/** As {@link #until(Duration, String, BooleanSupplier)}, checking every {@code every}. */
	public static void until(Duration timeout, String what, Duration every, BooleanSupplier condition)
			throws InterruptedException {
		long deadline = System.nanoTime() + timeout.toNanos();
		while (!condition.getAsBoolean()) {
			if (System.nanoTime() > deadline) {
				throw new AssertionError("timed out after " + timeout + " waiting for " + what);
			}
			Thread.sleep(every.toMillis());
		}
	}
}
