package io.pidwatcher.policies.internal;

import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;

/** The policy.stuck.* keys a module may set: the watchdog reads their names from this definition, so a typo is an unknown key. */
@ObjectClassDefinition(id = "pidwatcher.policy.stuck", name = "Health policy: stuck", description = "Parameters of policy stuck, set per module as policy.stuck.<key>.")
@interface StuckParameters {

	@AttributeDefinition(required = false, description = "Task states that count as stuck.")
	String states() default "DT";

	@AttributeDefinition(required = false, description = "How long a task may stay in them.")
	String limit() default "30s";
}
