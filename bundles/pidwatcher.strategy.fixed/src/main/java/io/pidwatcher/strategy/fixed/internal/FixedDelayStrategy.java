package io.pidwatcher.strategy.fixed.internal;

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

/** Restart after the same delay every time; optionally not after a clean exit. */
@Component(configurationPid = "pidwatcher.strategy.fixed", property = RestartStrategy.NAME_PROPERTY + "=fixed")
@Designate(ocd = FixedDelayConfig.class)
public final class FixedDelayStrategy implements RestartStrategy {

	private volatile FixedDelayConfig defaults;

	@Activate
	@Modified
	void configure(FixedDelayConfig config) {
		defaults = config;
	}

	/** strategy.delay a duration, strategy.restart always or on-failure. */
	@Override
	public void checkParameters(Map<String, String> parameters) {
		RestartRequest request = probe(parameters);
		request.duration("delay", defaults.delay());
		String restart = request.parameter("restart", defaults.restart());
		if (!restart.equals("always") && !restart.equals("on-failure")) {
			throw new IllegalArgumentException("strategy.restart: '" + restart + "' is not always or on-failure");
		}
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
		Duration delay;
		try {
			delay = request.duration("delay", defaults.delay());
		} catch (IllegalArgumentException e) {
			// A typo in one module's config must not leave it unsupervised: restart, and say why.
			return new RestartDecision.RestartAfter(DurationText.parse(defaults.delay()),
					e.getMessage() + "; restarting after the default " + defaults.delay());
		}
		String restart = request.parameter("restart", defaults.restart());
		Failure failure = request.failure();
		boolean clean = failure.cleanExit();
		if (restart.equals("on-failure") && clean) {
			return new RestartDecision.GiveUp("exited cleanly (status 0) and strategy.restart=on-failure");
		}
		String note = restart.equals("always") || restart.equals("on-failure") ? ""
				: " (unknown strategy.restart '" + restart + "', treated as always)";
		return new RestartDecision.RestartAfter(delay, "restart after " + DurationText.format(delay) + note);
	}
}
