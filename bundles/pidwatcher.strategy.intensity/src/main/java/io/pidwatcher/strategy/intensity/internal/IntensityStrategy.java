package io.pidwatcher.strategy.intensity.internal;

import io.pidwatcher.api.text.DurationText;
import io.pidwatcher.api.strategy.RestartDecision;
import io.pidwatcher.api.strategy.RestartRequest;
import io.pidwatcher.api.strategy.RestartStrategy;

import java.time.Duration;

import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Modified;
import org.osgi.service.metatype.annotations.Designate;

/**
 * Restarts until a module fails more than {@code max-restarts} times within {@code period}, then
 * gives up with a reason that names the numbers and the keys to change them (systemd users
 * complain that its start limit says neither).
 */
@Component(configurationPid = "pidwatcher.strategy.intensity", property = RestartStrategy.NAME_PROPERTY + "=intensity")
@Designate(ocd = IntensityConfig.class)
public final class IntensityStrategy implements RestartStrategy {

	private volatile IntensityConfig defaults;

	@Activate
	@Modified
	void configure(IntensityConfig config) {
		defaults = config;
	}

	@Override
	public RestartDecision decide(RestartRequest request) {
		int maxRestarts;
		Duration period;
		Duration delay;
		try {
			maxRestarts = (int) request.number("max-restarts", defaults.max$_$restarts());
			period = request.duration("period", defaults.period());
			delay = request.duration("delay", defaults.delay());
		} catch (IllegalArgumentException e) {
			// Never leave a module unsupervised over a typo; the explanation carries the problem.
			return new RestartDecision.RestartAfter(DurationText.parse(defaults.delay()),
					e.getMessage() + "; restarting after the default " + defaults.delay());
		}
		int failures = request.failuresWithin(period);
		String limit = maxRestarts + " restarts in " + DurationText.format(period);
		if (failures > maxRestarts) {
			return new RestartDecision.GiveUp("gave up: " + failures + " failures within " + DurationText.format(period)
					+ " exceed the limit of " + limit + " (strategy.max-restarts, strategy.period); last failure: "
					+ request.failure().reason());
		}
		return new RestartDecision.RestartAfter(delay, "restart " + failures + " of at most " + limit + ", after "
				+ DurationText.format(delay));
	}
}
