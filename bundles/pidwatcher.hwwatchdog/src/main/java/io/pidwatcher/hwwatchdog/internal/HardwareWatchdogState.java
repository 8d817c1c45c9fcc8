package io.pidwatcher.hwwatchdog.internal;

import java.time.Duration;
import java.util.Set;

/**
 * The hardware watchdog as pw:hwwatchdog reports it.
 *
 * @param device        the configured device, null when unconfigured
 * @param armed         whether the device is open and being fed
 * @param problem       why it is off although configured, empty when it is not
 * @param timeoutSeconds the driver's timeout
 * @param critical      the critical modules
 * @param sinceLastPing null before the first ping
 * @param pendingReason why pings stopped (a reset is coming), empty while they go on
 * @param lastReset     the cause of the last reset found at a start, empty when none
 */
record HardwareWatchdogState(String device, boolean armed, String problem, int timeoutSeconds, Set<String> critical,
		Duration sinceLastPing, String pendingReason, String lastReset) {

	String text() {
		StringBuilder out = new StringBuilder();
		if (device == null) {
			return "hardware watchdog: off (no etc/pidwatcher.hwwatchdog.cfg)\n";
		} else if (!armed) {
			out.append("hardware watchdog: off: ").append(problem).append('\n');
		} else {
			out.append("hardware watchdog: ").append(device).append(" armed, timeout ").append(timeoutSeconds).append(" s\n");
			out.append("critical modules: ").append(critical.isEmpty() ? "none" : String.join(", ", critical)).append('\n');
			out.append("last ping: ").append(sinceLastPing == null ? "none yet" : sinceLastPing.toMillis() + " ms ago").append('\n');
			if (!pendingReason.isEmpty()) {
				out.append("RESET COMING: pings stopped: ").append(pendingReason).append('\n');
			}
		}
		out.append("last reset: ").append(lastReset.isEmpty() ? "none recorded" : lastReset).append('\n');
		return out.toString();
	}
}
