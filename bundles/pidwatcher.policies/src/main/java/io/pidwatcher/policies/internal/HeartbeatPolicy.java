package io.pidwatcher.policies.internal;

import io.pidwatcher.api.policy.HealthCheck;
import io.pidwatcher.api.policy.HealthPolicy;
import io.pidwatcher.api.policy.HealthVerdict;

import java.time.Duration;
import java.util.Map;

import org.osgi.service.component.annotations.Component;

/**
 * {@code heartbeat}: systemd's WatchdogSec. The program sends {@code WATCHDOG=1} on its
 * {@code NOTIFY_SOCKET} (module key {@code notify=true}) at least every {@code policy.heartbeat.timeout}
 * (required; also passed to the program as WATCHDOG_USEC, as systemd does). The clock starts at
 * READY=1, or at the start of the run; {@code WATCHDOG=trigger} fails the module at once.
 */
@Component(property = HealthPolicy.NAME_PROPERTY + "=heartbeat")
public final class HeartbeatPolicy implements HealthPolicy {

	private static Duration timeout(Map<String, String> parameters) {
		return new Parameters("heartbeat", parameters).duration("timeout", null);
	}

	@Override
	public void checkParameters(Map<String, String> parameters) {
		timeout(parameters);
	}

	@Override
	public HealthVerdict evaluate(HealthCheck check) {
		Duration timeout = timeout(check.parameters());
		HealthCheck.Heartbeat hb = check.heartbeat();
		if (!hb.socket()) {
			throw new IllegalArgumentException("needs notify=true in the module config (no NOTIFY_SOCKET was given)");
		}
		if (hb.triggered()) {
			return new HealthVerdict.Unhealthy("the program sent WATCHDOG=trigger");
		}
		long since = hb.lastWatchdogNanos().orElse(hb.readyNanos().orElse(hb.startedNanos()));
		long silent = check.nowNanos() - since;
		String what = hb.lastWatchdogNanos().isPresent() ? "last WATCHDOG=1 " + Parameters.seconds(silent) + " ago"
				: "no WATCHDOG=1 yet, " + Parameters.seconds(silent) + " after "
						+ (hb.readyNanos().isPresent() ? "READY=1" : "start");
		what += " (timeout " + Parameters.seconds(timeout.toNanos()) + ")";
		return silent > timeout.toNanos() ? new HealthVerdict.Unhealthy(what) : new HealthVerdict.Healthy(what);
	}
}
