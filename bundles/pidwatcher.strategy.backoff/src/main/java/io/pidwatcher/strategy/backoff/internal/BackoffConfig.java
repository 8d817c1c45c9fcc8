package io.pidwatcher.strategy.backoff.internal;

import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;
import org.osgi.service.metatype.annotations.Option;

@ObjectClassDefinition(id = "pidwatcher.strategy.backoff", name = "Restart strategy: backoff",
		description = "Exponential backoff with a cap, reset after a stable run, optional jitter. These are the defaults; "
				+ "a module config overrides each with strategy.<key>, e.g. strategy.preset=crashloop.")
@interface BackoffConfig {

	@AttributeDefinition(description = "A named set of defaults; explicit keys still override it.", options = {
			@Option(value = "none", label = "initial, factor, max and reset as given"),
			@Option(value = "crashloop", label = "Kubernetes CrashLoopBackOff: 10s doubling to 300s, reset after 10min"),
			@Option(value = "systemd", label = "systemd RestartSteps: initial (RestartSec) to max (RestartMaxDelaySec) in steps") })
	String preset() default "none";

	@AttributeDefinition(description = "Delay before the first restart of a crash loop.")
	String initial() default "100ms";

	@AttributeDefinition(description = "Each further failure in the loop multiplies the delay by this.")
	double factor() default 2.0;

	@AttributeDefinition(description = "The delay never grows past this.")
	String max() default "30s";

	@AttributeDefinition(description = "A run that lasts this long ends the crash loop: the next failure starts again at 'initial'.")
	String reset() default "10min";

	@AttributeDefinition(description = "Spread each delay by up to this fraction either way (0 to 1), so a fleet does not restart in step.")
	double jitter() default 0.0;

	@AttributeDefinition(description = "With preset=systemd: how many restarts it takes to grow from initial to max (RestartSteps).")
	int steps() default 5;
}
