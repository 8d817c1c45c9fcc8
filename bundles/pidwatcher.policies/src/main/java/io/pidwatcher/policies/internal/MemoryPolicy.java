package io.pidwatcher.policies.internal;

import io.pidwatcher.api.policy.HealthCheck;
import io.pidwatcher.api.policy.HealthPolicy;
import io.pidwatcher.api.policy.HealthSample;
import io.pidwatcher.api.policy.HealthVerdict;

import java.util.List;
import java.util.Map;

import org.osgi.service.component.annotations.Component;

/**
 * {@code memory}: resident memory summed over the whole tree (not per process, which a leak spread
 * over forked workers escapes) above {@code policy.memory.limit} (required, e.g. 256M) in the last
 * {@code policy.memory.samples} samples (default 1).
 */
@Component(property = HealthPolicy.NAME_PROPERTY + "=memory")
public final class MemoryPolicy implements HealthPolicy {

	/** The parameters, read one way for a check and for an evaluation. */
	record Limits(long limit, int samples) {
		static Limits of(Map<String, String> parameters) {
			Parameters p = new Parameters("memory", parameters);
			return new Limits(p.bytes("limit", -1), Math.max(1, p.integer("samples", 1)));
		}
	}

	@Override
	public void checkParameters(Map<String, String> parameters) {
		Limits.of(parameters);
	}

	@Override
	public HealthVerdict evaluate(HealthCheck check) {
		Limits limits = Limits.of(check.parameters());
		long limit = limits.limit();
		int n = limits.samples();
		List<HealthSample> samples = check.samples();
		List<HealthSample> last = samples.subList(Math.max(0, samples.size() - n), samples.size());
		long rss = check.latest().rssBytes();
		boolean over = last.size() == n && last.stream().allMatch(s -> s.rssBytes() > limit);
		String measured = "tree RSS " + Parameters.mib(rss) + " (limit " + Parameters.mib(limit)
				+ (n > 1 ? " for " + n + " samples" : "") + ")";
		return over ? new HealthVerdict.Unhealthy(measured) : new HealthVerdict.Healthy(measured);
	}
}
