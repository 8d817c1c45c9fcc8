package io.pidwatcher.policies.internal;

import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;

/** The policy.liveness.* keys a module may set: the watchdog reads their names from this definition, so a typo is an unknown key. */
@ObjectClassDefinition(id = "pidwatcher.policy.liveness", name = "Health policy: liveness", description = "Parameters of policy liveness, set per module as policy.liveness.<key>.")
@interface LivenessParameters {

	@AttributeDefinition(required = false, description = "Whether the main task must be alive.")
	boolean main() default false;

	@AttributeDefinition(required = false, description = "Fewer live tasks than this is unhealthy.")
	int min() default 1;
}
