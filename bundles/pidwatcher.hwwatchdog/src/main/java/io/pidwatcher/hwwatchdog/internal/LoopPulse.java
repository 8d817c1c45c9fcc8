package io.pidwatcher.hwwatchdog.internal;

import java.time.Duration;
import java.util.Optional;

/**
 * Whether the supervision loop still passes, as its {@code loopPassed} calls say. Until the first
 * pass the runtime is starting (a JVM on a slow board takes a while to read etc/ and start the
 * engine): that is allowed {@link #STARTING_ALLOWANCE}, after which a loop that never passed counts
 * as hung too.
 */
final class LoopPulse {

	static final Duration STARTING_ALLOWANCE = Duration.ofMinutes(2);

	private final long openedNanos;
	private final Duration staleAfter;
	private volatile long lastPassNanos;
	private volatile boolean passed;

	LoopPulse(long openedNanos, Duration staleAfter) {
		this.openedNanos = openedNanos;
		this.staleAfter = staleAfter;
	}

	/** On the loop's thread: records, nothing more. */
	void passed(long monotonicNanos) {
		lastPassNanos = monotonicNanos;
		passed = true;
	}

	boolean everPassed() {
		return passed;
	}

	/** Why the loop counts as hung at {@code nowNanos}, or empty while it passes (or is still starting). */
	Optional<String> hung(long nowNanos) {
		if (!passed) {
			long waited = nowNanos - openedNanos;
			return waited > STARTING_ALLOWANCE.toNanos()
					? Optional.of("the supervision loop has not passed once in " + Duration.ofNanos(waited).toSeconds()
							+ " s since the watchdog was armed")
					: Optional.empty();
		}
		long since = nowNanos - lastPassNanos;
		return since > staleAfter.toNanos()
				? Optional.of("the supervision loop has not passed for " + Duration.ofNanos(since).toMillis() + " ms")
				: Optional.empty();
	}
}
