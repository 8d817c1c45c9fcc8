package io.pidwatcher.policies.internal;

import io.pidwatcher.api.policy.HealthCheck;
import io.pidwatcher.api.policy.HealthPolicy;
import io.pidwatcher.api.policy.HealthSample;
import io.pidwatcher.api.policy.HealthVerdict;

import java.util.List;

import org.osgi.service.component.annotations.Component;

/**
 * {@code memory}: resident memory summed over the whole tree (not per process, which a leak spread
 * over forked workers escapes) above {@code policy.memory.limit} (required, e.g. 256M) in the last
 * {@code policy.memory.samples} samples (default 1).
 */
@Component(property = HealthPolicy.NAME_PROPERTY + "=memory")
public final class MemoryPolicy implements HealthPolicy {

	@Override
	public HealthVerdict evaluate(HealthCheck check) {
		Parameters p = new Parameters("memory", check.parameters());
		long limit = p.bytes("limit", -1);
		int n = Math.max(1, p.integer("samples", 1));
		List<HealthSample> samples = check.samples();
		List<HealthSample> last = samples.subList(Math.max(0, samples.size() - n), samples.size());
		long rss = check.latest().rssBytes();
		boolean over = last.size() == n && last.stream().allMatch(s -> s.rssBytes() > limit);
		String measured = "tree RSS " + Parameters.mib(rss) + " (limit " + Parameters.mib(limit)
				+ (n > 1 ? " for " + n + " samples" : "") + ")";
		return over ? new HealthVerdict.Unhealthy(measured) : new HealthVerdict.Healthy(measured);
	}
}
