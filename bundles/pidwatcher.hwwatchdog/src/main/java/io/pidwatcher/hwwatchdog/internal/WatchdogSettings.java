package io.pidwatcher.hwwatchdog.internal;

import io.pidwatcher.api.text.DurationText;

import java.time.Duration;
import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * The checked form of {@link HardwareWatchdogConfig}: {@link #of} throws with a message naming the
 * key and the bad value, so a typo is reported, never half applied.
 */
record WatchdogSettings(String device, int timeoutSeconds, Set<String> critical, Duration grace) {

	static final int MAX_TIMEOUT_SECONDS = 65535;
	/**
	 * The supervision loop passes at least once a second (ScanLoop's MAX_PASS_GAP_NANOS), and a
	 * loop silent for half the timeout counts as hung: from 4 s, that half leaves it a second for
	 * its scan. Below, a healthy but busy runtime would reset the machine.
	 */
	static final int MIN_TIMEOUT_SECONDS = 4;

	WatchdogSettings {
		critical = Set.copyOf(critical);
	}

	/** How long without a loop pass before the loop counts as hung: half the timeout, so a hung loop still resets in time. */
	Duration loopStaleAfter() {
		return Duration.ofSeconds(timeoutSeconds).dividedBy(2);
	}

	/** How often to ping: four times per timeout, at most once a second. */
	Duration pingInterval() {
		Duration quarter = Duration.ofSeconds(timeoutSeconds).dividedBy(4);
		return quarter.compareTo(Duration.ofSeconds(1)) > 0 ? Duration.ofSeconds(1) : quarter;
	}

	static WatchdogSettings of(HardwareWatchdogConfig config) {
		String device = config.device() == null ? "" : config.device().trim();
		if (!device.startsWith("/")) {
			throw new IllegalArgumentException("device=" + device + " in etc/pidwatcher.hwwatchdog.cfg is not an absolute path");
		}
		Duration timeout = parse("timeout", config.timeout());
		String range = "timeout=" + config.timeout() + " in etc/pidwatcher.hwwatchdog.cfg is not a whole number of seconds from "
				+ MIN_TIMEOUT_SECONDS + "s to " + MAX_TIMEOUT_SECONDS + "s";
		if (timeout.toMillis() % 1000 != 0 || timeout.getSeconds() > MAX_TIMEOUT_SECONDS) {
			throw new IllegalArgumentException(range);
		}
		if (timeout.getSeconds() < MIN_TIMEOUT_SECONDS) {
			throw new IllegalArgumentException(range + " (the supervision loop passes once a second; a loop silent for half "
					+ "the timeout counts as hung)");
		}
		Duration grace = parse("grace", config.grace());
		Set<String> critical = Arrays.stream(config.critical() == null ? new String[0] : config.critical().split(","))
				.map(String::trim).filter(s -> !s.isEmpty()).collect(Collectors.toCollection(LinkedHashSet::new));
		return new WatchdogSettings(device, (int) timeout.getSeconds(), critical, grace);
	}

	private static Duration parse(String key, String value) {
		try {
			return DurationText.parse(value);
		} catch (IllegalArgumentException e) {
			throw new IllegalArgumentException(key + "=" + value + " in etc/pidwatcher.hwwatchdog.cfg: " + e.getMessage());
		}
	}
}
