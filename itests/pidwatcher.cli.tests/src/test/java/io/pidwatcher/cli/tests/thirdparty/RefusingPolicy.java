package io.pidwatcher.cli.tests.thirdparty;

import io.pidwatcher.api.policy.HealthCheck;
import io.pidwatcher.api.policy.HealthPolicy;
import io.pidwatcher.api.policy.HealthVerdict;

import java.util.Hashtable;

import org.osgi.framework.BundleActivator;
import org.osgi.framework.BundleContext;

/**
 * A third party's health policy, packaged by {@code StrategyPromisesTest} into a bundle of its own
 * and dropped into deploy/: it finds every module unhealthy, naming itself, so the test can see its
 * verdict applied. Registered by a plain activator (no DS), as a minimal third-party bundle would.
 */
public final class RefusingPolicy implements HealthPolicy, BundleActivator {

	/** The policy name it registers (pidwatcher.policy) and the words of its verdict. */
	public static final String NAME = "thirdparty";
	public static final String VERDICT = "the third-party policy finds this module unhealthy";

	@Override
	public HealthVerdict evaluate(HealthCheck check) {
		return new HealthVerdict.Unhealthy(VERDICT);
	}

	@Override
	public void start(BundleContext context) {
		Hashtable<String, Object> props = new Hashtable<>();
		props.put(HealthPolicy.NAME_PROPERTY, NAME);
		context.registerService(HealthPolicy.class, this, props);
	}

	@Override
	public void stop(BundleContext context) {
		// the framework unregisters the service
	}
}
