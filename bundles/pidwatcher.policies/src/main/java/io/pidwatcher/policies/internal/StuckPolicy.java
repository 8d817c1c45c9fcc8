package io.pidwatcher.policies.internal;

import io.pidwatcher.api.policy.HealthCheck;
import io.pidwatcher.api.policy.HealthPolicy;
import io.pidwatcher.api.policy.HealthSample;
import io.pidwatcher.api.policy.HealthVerdict;
import io.pidwatcher.api.reader.TaskId;
import io.pidwatcher.api.reader.TaskSnapshot;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import org.osgi.service.component.annotations.Component;

/**
 * {@code stuck}: a task that stayed in one of {@code policy.stuck.states} (default "DT":
 * uninterruptible sleep, stopped) in every sample for at least {@code policy.stuck.limit}
 * (default 30s). Judged from the samples alone, so it needs the limit to span a few intervals.
 */
@Component(property = HealthPolicy.NAME_PROPERTY + "=stuck")
public final class StuckPolicy implements HealthPolicy {

	/** The parameters, read one way for a check and for an evaluation. */
	record Limits(Duration limit, String states) {
		static Limits of(Map<String, String> parameters) {
			Parameters p = new Parameters("stuck", parameters);
			return new Limits(p.duration("limit", Duration.ofSeconds(30)), p.text("states", "DT"));
		}
	}

	@Override
	public void checkParameters(Map<String, String> parameters) {
		Limits.of(parameters);
	}

	@Override
	public HealthVerdict evaluate(HealthCheck check) {
		Limits limits = Limits.of(check.parameters());
		Duration limit = limits.limit();
		String states = limits.states();
		List<HealthSample> samples = check.samples();
		HealthSample latest = check.latest();
		long worst = 0;
		TaskSnapshot worstTask = null;
		for (TaskSnapshot t : latest.tasks()) {
			if (states.indexOf(t.state()) < 0) {
				continue;
			}
			long since = latest.monotonicNanos();
			for (int i = samples.size() - 1; i >= 0; i--) {
				Optional<TaskSnapshot> then = find(samples.get(i), t.id());
				if (then.isEmpty() || states.indexOf(then.get().state()) < 0) {
					break;
				}
				since = samples.get(i).monotonicNanos();
			}
			long stuck = latest.monotonicNanos() - since;
			if (stuck >= worst) {
				worst = stuck;
				worstTask = t;
			}
		}
		if (worstTask != null && worst >= limit.toNanos()) {
			return new HealthVerdict.Unhealthy("pid " + worstTask.pid() + " (" + worstTask.comm() + ") in state "
					+ worstTask.state() + " for " + Parameters.seconds(worst) + " (limit " + Parameters.seconds(limit.toNanos()) + ")");
		}
		return new HealthVerdict.Healthy(worstTask == null ? "no task in states " + states
				: "pid " + worstTask.pid() + " in state " + worstTask.state() + " for " + Parameters.seconds(worst));
	}

	private static Optional<TaskSnapshot> find(HealthSample s, TaskId id) {
		return s.tasks().stream().filter(t -> t.id().equals(id)).findFirst();
	}
}
