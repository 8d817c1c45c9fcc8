package io.pidwatcher.policies.internal;

import io.pidwatcher.api.policy.HealthCheck;
import io.pidwatcher.api.policy.HealthPolicy;
import io.pidwatcher.api.policy.HealthSample;
import io.pidwatcher.api.policy.HealthVerdict;

import java.util.List;
import java.util.Map;

import org.osgi.service.component.annotations.Component;

/**
 * {@code cpu}: runaway detection, monit's "cpu > X% for N cycles" over the whole tree. Unhealthy
 * when at least {@code policy.cpu.samples} (default 3) of the last {@code policy.cpu.window}
 * (default 5) samples show the tree above {@code policy.cpu.limit} percent of one CPU (default 90;
 * 200 means two full cores).
 */
@Component(property = HealthPolicy.NAME_PROPERTY + "=cpu")
public final class CpuPolicy implements HealthPolicy {

	/** The parameters, read one way for a check and for an evaluation. */
	record Limits(double limit, int samples, int window) {
		static Limits of(Map<String, String> parameters) {
			Parameters p = new Parameters("cpu", parameters);
			double limit = p.number("limit", 90);
			int n = Math.max(1, p.integer("samples", 3));
			return new Limits(limit, n, Math.max(n, p.integer("window", 5)));
		}
	}

	@Override
	public void checkParameters(Map<String, String> parameters) {
		Limits.of(parameters);
	}

	@Override
	public HealthVerdict evaluate(HealthCheck check) {
		Limits limits = Limits.of(check.parameters());
		double limit = limits.limit();
		int n = limits.samples();
		int window = limits.window();
		// The first sample of a run has no predecessor, so no CPU figure.
		List<HealthSample> samples = check.samples().subList(1, check.samples().size());
		List<HealthSample> last = samples.subList(Math.max(0, samples.size() - window), samples.size());
		long above = last.stream().filter(s -> s.cpuPercent() > limit).count();
		double now = check.latest().cpuPercent();
		String measured = String.format("%.0f%% CPU now, %d of the last %d samples above %.0f%%", now, above, last.size(),
				limit);
		return above >= n ? new HealthVerdict.Unhealthy("runaway: " + measured)
				: new HealthVerdict.Healthy(measured + " (limit: " + n + " of " + window + ")");
	}
}
