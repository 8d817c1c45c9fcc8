package io.pidwatcher.strategy.backoff.internal;

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
 * Exponential backoff: the longer a crash loop, the longer the wait, up to a cap; a run that lasts
 * {@code reset} ends the loop. Pure: the length of the loop is read from the failure history the
 * watchdog keeps, so swapping this bundle mid-loop loses nothing.
 */
@Component(configurationPid = "pidwatcher.strategy.backoff", property = RestartStrategy.NAME_PROPERTY + "=backoff")
@Designate(ocd = BackoffConfig.class)
public final class BackoffStrategy implements RestartStrategy {

	private volatile BackoffConfig defaults;

	@Activate
	@Modified
	void configure(BackoffConfig config) {
		defaults = config;
	}

	/** The numbers one decision uses, after preset, defaults and module overrides. */
	record Curve(String preset, Duration initial, double factor, Duration max, Duration reset, double jitter, int steps) {

		static Curve of(RestartRequest request, BackoffConfig defaults) {
			String preset = request.parameter("preset", defaults.preset());
			boolean crashloop = preset.equals("crashloop");
			if (!List.of("none", "crashloop", "systemd").contains(preset)) {
				throw new IllegalArgumentException("strategy.preset: '" + preset + "' is not none, crashloop or systemd");
			}
			Duration initial = request.duration("initial", crashloop ? "10s" : defaults.initial());
			double factor = request.number("factor", crashloop ? 2.0 : defaults.factor());
			Duration max = request.duration("max", crashloop ? "300s" : defaults.max());
			Duration reset = request.duration("reset", crashloop ? "10min" : defaults.reset());
			double jitter = request.number("jitter", defaults.jitter());
			int steps = (int) request.number("steps", defaults.steps());
			if (factor < 1 || jitter < 0 || jitter > 1 || steps < 1 || initial.compareTo(max) > 0) {
				throw new IllegalArgumentException("strategy parameters out of range: need factor >= 1, 0 <= jitter <= 1, "
						+ "steps >= 1, initial <= max (got factor " + factor + ", jitter " + jitter + ", steps " + steps
						+ ", initial " + DurationText.format(initial) + ", max " + DurationText.format(max) + ")");
			}
			return new Curve(preset, initial, factor, max, reset, jitter, steps);
		}

		Duration delayAfter(int earlierFailuresInLoop) {
			double millis;
			if (preset.equals("systemd")) {
				// systemd: RestartSec * (RestartMaxDelaySec / RestartSec) ^ (n / RestartSteps)
				double ratio = (double) Math.max(1, max.toMillis()) / Math.max(1, initial.toMillis());
				millis = initial.toMillis() * Math.pow(ratio, Math.min(earlierFailuresInLoop, steps) / (double) steps);
			} else {
				millis = initial.toMillis() * Math.pow(factor, earlierFailuresInLoop);
			}
			return Duration.ofMillis(Math.round(Math.min(millis, max.toMillis())));
		}
	}

	/** Every key of the curve, read and range-checked as a decision reads it. */
	@Override
	public void checkParameters(Map<String, String> parameters) {
		Curve.of(probe(parameters), defaults);
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
		Curve curve;
		try {
			curve = Curve.of(request, defaults);
		} catch (IllegalArgumentException e) {
			Duration fallback = DurationText.parse(defaults.initial());
			return new RestartDecision.RestartAfter(fallback,
					e.getMessage() + "; restarting after the default " + DurationText.format(fallback));
		}
		int loop = earlierFailuresInLoop(request, curve);
		Duration delay = withJitter(curve.delayAfter(loop), curve, request);
		// "restart 6 in 9.8s": the count and span pw:status shows, to be read against systemd's start limit (5 in 10s)
		String why = loop == 0 ? "first failure of a loop"
				: "backing off: restart " + (loop + 1) + " in " + roughly(loopSpan(request, loop))
						+ " of a crash loop";
		return new RestartDecision.RestartAfter(delay, "backoff: restart after " + DurationText.format(delay) + " ("
				+ why + "; cap " + DurationText.format(curve.max()) + ", reset after a run of "
				+ DurationText.format(curve.reset()) + ")");
	}

	/**
	 * How many failures before this one belong to the same crash loop. A run that lasted
	 * {@code reset} ends a loop. Runs are measured between failures (history has no start times),
	 * so a gap of up to reset plus the longest delay still counts as one loop.
	 */
	static int earlierFailuresInLoop(RestartRequest request, Curve curve) {
		Duration currentRun = Duration.between(request.lastStarted(), request.failure().at());
		if (currentRun.compareTo(curve.reset()) >= 0) {
			return 0;
		}
		Duration sameLoop = curve.reset().plus(curve.max());
		List<Failure> history = request.history();
		java.time.Instant later = request.failure().at();
		int count = 0;
		for (int i = history.size() - 1; i >= 0; i--) {
			if (Duration.between(history.get(i).at(), later).compareTo(sameLoop) >= 0) {
				break;
			}
			count++;
			later = history.get(i).at();
		}
		return count;
	}

	/** From the first failure of the loop to the one at hand. */
	private static Duration loopSpan(RestartRequest request, int earlierFailuresInLoop) {
		List<Failure> history = request.history();
		Instant first = history.get(history.size() - earlierFailuresInLoop).at();
		return Duration.between(first, request.failure().at());
	}

	/** "9.8s", "450ms": a span read by people, to a tenth of a second. */
	private static String roughly(Duration d) {
		long ms = d.toMillis();
		return ms < 1000 ? ms + "ms" : String.format(java.util.Locale.ROOT, "%.1fs", ms / 1000.0);
	}

	/** Deterministic jitter: the same failure always gets the same delay, so decisions stay pure. */
	private static Duration withJitter(Duration delay, Curve curve, RestartRequest request) {
		if (curve.jitter() == 0) {
			return delay;
		}
		long seed = (request.module() + "@" + request.failure().at()).hashCode();
		double unit = ((seed * 0x9E3779B97F4A7C15L) >>> 11) / (double) (1L << 53); // [0, 1)
		double scaled = delay.toMillis() * (1 + curve.jitter() * (2 * unit - 1));
		return Duration.ofMillis((long) Math.max(0, Math.min(scaled, curve.max().toMillis())));
	}
}
