package io.pidwatcher.api.policy;

import java.util.List;
import java.util.Map;
import java.util.OptionalLong;

/**
 * Everything a {@link HealthPolicy} may base its verdict on.
 *
 * @param module      the module's name
 * @param parameters  the module config's {@code policy.<name>.*} keys for this policy, without the
 *                    prefix (e.g. {@code policy.cpu.limit=90} arrives as {@code limit -> "90"})
 * @param samples     the samples of the current run, oldest first, the newest last (bounded by the
 *                    watchdog); never empty
 * @param heartbeat   what the module said on its notify socket in this run
 * @param nowNanos    {@link System#nanoTime()} of the evaluation; policies never read a clock
 */
public record HealthCheck(
		String module,
		Map<String, String> parameters,
		List<HealthSample> samples,
		Heartbeat heartbeat,
		long nowNanos) {

	public HealthCheck {
		parameters = Map.copyOf(parameters);
		samples = List.copyOf(samples);
	}

	public HealthSample latest() {
		return samples.get(samples.size() - 1);
	}

	/**
	 * The systemd-style notify protocol as seen for the current run.
	 *
	 * @param socket            whether the module was started with a {@code NOTIFY_SOCKET}
	 * @param startedNanos      {@link System#nanoTime()} when the run started (or was adopted)
	 * @param lastWatchdogNanos when {@code WATCHDOG=1} last arrived, empty if never
	 * @param readyNanos        when {@code READY=1} arrived, empty if never
	 * @param triggered         whether the module sent {@code WATCHDOG=trigger} (asking to be treated
	 *                          as failed at once, as systemd does)
	 */
	public record Heartbeat(boolean socket, long startedNanos, OptionalLong lastWatchdogNanos, OptionalLong readyNanos,
			boolean triggered) {

		public Heartbeat {
			java.util.Objects.requireNonNull(lastWatchdogNanos, "lastWatchdogNanos");
			java.util.Objects.requireNonNull(readyNanos, "readyNanos");
		}
	}
}
