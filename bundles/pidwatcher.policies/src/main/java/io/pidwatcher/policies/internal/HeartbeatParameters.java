package io.pidwatcher.policies.internal;

import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;

/** The policy.heartbeat.* keys a module may set: the watchdog reads their names from this definition, so a typo is an unknown key. */
@ObjectClassDefinition(id = "pidwatcher.policy.heartbeat", name = "Health policy: heartbeat", description = "Parameters of policy heartbeat, set per module as policy.heartbeat.<key>.")
@interface HeartbeatParameters {

	@AttributeDefinition(required = false, description = "How long without WATCHDOG=1 is unhealthy (required).")
	String timeout() default "";
}
