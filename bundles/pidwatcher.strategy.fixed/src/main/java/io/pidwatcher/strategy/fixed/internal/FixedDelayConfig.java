package io.pidwatcher.strategy.fixed.internal;

import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;
import org.osgi.service.metatype.annotations.Option;

@ObjectClassDefinition(id = "pidwatcher.strategy.fixed", name = "Restart strategy: fixed",
		description = "Restart after a fixed delay, like systemd Restart= with RestartSec=. These are the defaults; "
				+ "a module config overrides each with strategy.<key>, e.g. strategy.delay=2s.")
@interface FixedDelayConfig {

	@AttributeDefinition(description = "Delay before each restart, e.g. 100ms, 2s (systemd RestartSec=, default 100ms).")
	String delay() default "100ms";

	@AttributeDefinition(description = "When to restart.", options = {
			@Option(value = "always", label = "after every exit, clean or not (systemd Restart=always)"),
			@Option(value = "on-failure", label = "not after a clean exit with status 0 (systemd Restart=on-failure)") })
	String restart() default "always";
}
