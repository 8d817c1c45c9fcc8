package io.pidwatcher.policies.internal;

import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;

/** The policy.cpu.* keys a module may set: the watchdog reads their names from this definition, so a typo is an unknown key. */
@ObjectClassDefinition(id = "pidwatcher.policy.cpu", name = "Health policy: cpu", description = "Parameters of policy cpu, set per module as policy.cpu.<key>.")
@interface CpuParameters {

	@AttributeDefinition(required = false, description = "CPU percent of one core that counts as runaway.")
	double limit() default 90;

	@AttributeDefinition(required = false, description = "How many samples above the limit make the tree unhealthy.")
	int samples() default 3;

	@AttributeDefinition(required = false, description = "Of how many latest samples.")
	int window() default 5;
}
