package io.pidwatcher.strategy.fixed.internal;

import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;

@ObjectClassDefinition(id = "pidwatcher.strategy.fixed", name = "Restart strategy: fixed",
		description = "Restart after a fixed delay, like systemd RestartSec= (whether to restart at all is the module's "
				+ "restart= key). These are the defaults; a module config overrides each with strategy.<key>, e.g. "
				+ "strategy.delay=2s.")
@interface FixedDelayConfig {

	@AttributeDefinition(description = "Delay before each restart, e.g. 100ms, 2s (systemd RestartSec=, default 100ms).")
	String delay() default "100ms";
}
