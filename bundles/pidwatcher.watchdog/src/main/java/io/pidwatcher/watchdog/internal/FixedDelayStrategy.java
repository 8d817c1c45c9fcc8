package io.pidwatcher.watchdog.internal;

import io.pidwatcher.api.text.DurationText;
import io.pidwatcher.api.strategy.RestartDecision;
import io.pidwatcher.api.strategy.RestartRequest;
import io.pidwatcher.api.strategy.RestartStrategy;

import java.time.Duration;

import org.osgi.service.component.annotations.Component;

/**
 * The built-in strategy {@code fixed}: always restart, after {@code strategy.delay} (default 100ms,
 * systemd's RestartSec). It never gives up; bundles with smarter strategies (backoff, restart
 * limits) register other names. Ranked -100 so that the pidwatcher.strategy.fixed bundle, when
 * deployed, takes over the name; the watchdog still stands alone without any strategy bundle.
 */
@Component(property = { RestartStrategy.NAME_PROPERTY + "=fixed", "service.ranking:Integer=-100" })
public final class FixedDelayStrategy implements RestartStrategy {

	static final Duration DEFAULT_DELAY = Duration.ofMillis(100);

	@Override
	public RestartDecision decide(RestartRequest request) {
		String text = request.parameters().get("delay");
		Duration delay;
		try {
			delay = text == null ? DEFAULT_DELAY : DurationText.parse(text);
		} catch (IllegalArgumentException e) {
			return new RestartDecision.RestartAfter(DEFAULT_DELAY,
					"restart after " + DurationText.format(DEFAULT_DELAY) + " (strategy.delay " + e.getMessage() + ")");
		}
		return new RestartDecision.RestartAfter(delay, "restart after " + DurationText.format(delay)
				+ " (fixed delay; " + (request.history().size() + 1) + " failures so far)");
	}
}
