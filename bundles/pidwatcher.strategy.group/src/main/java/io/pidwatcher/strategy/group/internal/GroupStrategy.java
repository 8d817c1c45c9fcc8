package io.pidwatcher.strategy.group.internal;

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

/** one_for_all and rest_for_one over the group the watchdog names in the request, in start order. */
@Component(configurationPid = "pidwatcher.strategy.group", property = RestartStrategy.NAME_PROPERTY + "=group")
@Designate(ocd = GroupConfig.class)
public final class GroupStrategy implements RestartStrategy {

	private volatile GroupConfig defaults;

	@Activate
	@Modified
	void configure(GroupConfig config) {
		defaults = config;
	}

	/** strategy.delay a duration, strategy.mode one_for_all or rest_for_one. */
	@Override
	public void checkParameters(Map<String, String> parameters) {
		RestartRequest request = probe(parameters);
		request.duration("delay", defaults.delay());
		String mode = request.parameter("mode", defaults.mode());
		if (!mode.equals("one_for_all") && !mode.equals("rest_for_one")) {
			throw new IllegalArgumentException("strategy.mode: '" + mode + "' is not one_for_all or rest_for_one");
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
			delay = DurationText.parse(defaults.delay());
		}
		String mode = request.parameter("mode", defaults.mode());
		List<String> group = request.group();
		int position = group.indexOf(request.module());
		if (position < 0 || group.size() == 1) {
			return new RestartDecision.RestartAfter(delay, "group of one: restart " + request.module() + " after "
					+ DurationText.format(delay));
		}
		List<String> restart = switch (mode) {
			case "rest_for_one" -> group.subList(position, group.size());
			case "one_for_all" -> group;
			default -> null;
		};
		if (restart == null) {
			return new RestartDecision.RestartAfter(delay, "strategy.mode: '" + mode
					+ "' is not one_for_all or rest_for_one; restarting " + request.module() + " alone");
		}
		return new RestartDecision.RestartModules(restart, delay, mode + ": " + request.module() + " failed, restarting "
				+ String.join(", ", restart) + " in that order after " + DurationText.format(delay));
	}
}
