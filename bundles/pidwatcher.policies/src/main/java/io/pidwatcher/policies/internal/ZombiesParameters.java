package io.pidwatcher.policies.internal;

import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;

/** The policy.zombies.* keys a module may set: the watchdog reads their names from this definition, so a typo is an unknown key. */
@ObjectClassDefinition(id = "pidwatcher.policy.zombies", name = "Health policy: zombies", description = "Parameters of policy zombies, set per module as policy.zombies.<key>.")
@interface ZombiesParameters {

	@AttributeDefinition(required = false, description = "More zombies than this in the tree is unhealthy.")
	int max() default 10;
}
