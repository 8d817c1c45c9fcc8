package io.pidwatcher.policies.internal;

import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;

/** The policy.tasks.* keys a module may set: the watchdog reads their names from this definition, so a typo is an unknown key. */
@ObjectClassDefinition(id = "pidwatcher.policy.tasks", name = "Health policy: tasks", description = "Parameters of policy tasks, set per module as policy.tasks.<key>.")
@interface TasksParameters {

	@AttributeDefinition(required = false, description = "More live tasks than this in the tree is unhealthy.")
	int max() default 100;
}
