package io.pidwatcher.strategy.intensity.internal;

import io.pidwatcher.api.strategy.RestartDecision;
import io.pidwatcher.api.strategy.RestartRequest;
import io.pidwatcher.api.strategy.RestartStrategy;
import io.pidwatcher.api.supervisor.Failure;
import io.pidwatcher.api.text.DurationText;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.OptionalInt;

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

	/** strategy.max-restarts a whole number of at least 0, strategy.period and strategy.delay durations. */
	@Override
	public void checkParameters(Map<String, String> parameters) {
		RestartRequest request = probe(parameters);
		double max = request.number("max-restarts", defaults.max$_$restarts());
		if (max < 0 || max != Math.floor(max)) {
			throw new IllegalArgumentException("strategy.max-restarts: '" + parameters.get("max-restarts")
					+ "' is not a whole number of at least 0");
		}
		request.duration("period", defaults.period());
		request.duration("delay", defaults.delay());
	}

	/**
	 * A request carrying only the parameters, so that checking reads them with exactly the code a
	 * decision uses.
	 */
	static RestartRequest probe(Map<String, String> parameters) {
		return new RestartRequest("check", new Failure(Instant.EPOCH, Failure.Kind.EXITED, "check", OptionalInt.empty()),
				List.of(), Instant.EPOCH, Instant.EPOCH, parameters, List.of("check"));
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
