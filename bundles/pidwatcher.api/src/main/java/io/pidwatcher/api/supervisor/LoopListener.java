package io.pidwatcher.api.supervisor;

import org.osgi.annotation.versioning.ConsumerType;

/**
 * Whiteboard service: told at the end of every pass of the watchdog's supervision loop. This is
 * the loop's own pulse, meant for watchdogs of the watchdog (systemd's {@code WATCHDOG=1}, a
 * hardware watchdog): a hung loop stops calling, so the pings stop.
 *
 * <p>Called on the supervision loop's thread: implementations must return at once and never block
 * (record the time, do any I/O on a thread of their own).
 */
@ConsumerType
public interface LoopListener {

	/** A pass of the supervision loop has completed at {@code monotonicNanos} ({@link System#nanoTime()}). */
	void loopPassed(long monotonicNanos);
}
