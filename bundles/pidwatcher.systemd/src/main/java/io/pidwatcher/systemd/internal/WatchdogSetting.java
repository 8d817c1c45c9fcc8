package io.pidwatcher.systemd.internal;

import java.time.Duration;
import java.util.Map;
import java.util.Optional;

/**
 * systemd's WatchdogSec= as the service sees it: WATCHDOG_USEC (the timeout) and WATCHDOG_PID
 * (absent, or the pid meant to ping). Pinging at half the timeout is what sd_watchdog_enabled(3)
 * recommends: one lost or late ping does not kill the service.
 */
record WatchdogSetting(Duration timeout) {

	/** How often to send WATCHDOG=1. */
	Duration pingInterval() {
		return timeout.dividedBy(2);
	}

	/**
	 * The setting for process {@code pid}, empty when systemd expects no pings from it;
	 * throws with a message naming the variable when its value is not a positive number.
	 */
	static Optional<WatchdogSetting> from(Map<String, String> environment, long pid) {
		String usec = environment.get("WATCHDOG_USEC");
		if (usec == null || usec.isEmpty()) {
			return Optional.empty();
		}
		String forPid = environment.get("WATCHDOG_PID");
		if (forPid != null && !forPid.isEmpty() && !forPid.equals(Long.toString(pid))) {
			return Optional.empty(); // meant for another process (a wrapper script's exec'd child, say)
		}
		long micros;
		try {
			micros = Long.parseLong(usec);
		} catch (NumberFormatException e) {
			micros = 0;
		}
		if (micros <= 0) {
			throw new IllegalArgumentException("WATCHDOG_USEC=" + usec + " is not a positive number of microseconds");
		}
		return Optional.of(new WatchdogSetting(Duration.ofNanos(micros * 1000)));
	}
}
