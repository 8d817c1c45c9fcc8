package io.pidwatcher.policies.internal;

import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;

/** The policy.memory.* keys a module may set: the watchdog reads their names from this definition, so a typo is an unknown key. */
@ObjectClassDefinition(id = "pidwatcher.policy.memory", name = "Health policy: memory", description = "Parameters of policy memory, set per module as policy.memory.<key>.")
@interface MemoryParameters {

	@AttributeDefinition(required = false, description = "Tree RSS above which the tree is unhealthy, e.g. 256M (required).")
	String limit() default "";

	@AttributeDefinition(required = false, description = "In how many latest samples it must be above the limit.")
	int samples() default 1;
}
