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

/**
 * Restart after the same delay every time. Whether to restart at all is the module's restart=
 * rule, which the watchdog applies before asking any strategy.
 */
@Component(configurationPid = "pidwatcher.strategy.fixed", property = RestartStrategy.NAME_PROPERTY + "=fixed")
@Designate(ocd = FixedDelayConfig.class)
public final class FixedDelayStrategy implements RestartStrategy {

	private volatile FixedDelayConfig defaults;

	@Activate
	@Modified
	void configure(FixedDelayConfig config) {
		defaults = config;
	}

	/** strategy.delay a duration. */
	@Override
	public void checkParameters(Map<String, String> parameters) {
		probe(parameters).duration("delay", defaults.delay());
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
		return new RestartDecision.RestartAfter(delay, "restart after " + DurationText.format(delay));
	}
}
