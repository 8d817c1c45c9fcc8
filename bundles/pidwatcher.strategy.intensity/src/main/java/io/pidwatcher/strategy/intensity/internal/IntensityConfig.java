package io.pidwatcher.strategy.intensity.internal;

import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;

@ObjectClassDefinition(id = "pidwatcher.strategy.intensity", name = "Restart strategy: intensity",
		description = "At most N restarts in T, then give up and say why (Erlang/OTP intensity and period, "
				+ "systemd StartLimitBurst/StartLimitIntervalSec). Module configs override with strategy.<key>.")
@interface IntensityConfig {

	@AttributeDefinition(name = "max-restarts", description = "Restarts allowed within the period (systemd StartLimitBurst, default 5).")
	int max$_$restarts() default 5;

	@AttributeDefinition(description = "The sliding window the restarts are counted in (systemd StartLimitIntervalSec, default 10s).")
	String period() default "10s";

	@AttributeDefinition(description = "Delay before each allowed restart.")
	String delay() default "100ms";
}
