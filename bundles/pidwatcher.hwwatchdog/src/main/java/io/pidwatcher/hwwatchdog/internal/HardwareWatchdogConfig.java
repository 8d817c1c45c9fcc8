package io.pidwatcher.hwwatchdog.internal;

import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;

/** etc/pidwatcher.hwwatchdog.cfg; without that file the hardware watchdog is left alone. */
@ObjectClassDefinition(
		name = "pidwatcher hardware watchdog",
		description = "Feeds /dev/watchdog while the supervision loop runs and every critical module is healthy.")
@interface HardwareWatchdogConfig {

	@AttributeDefinition(name = "Device", description = "The watchdog device node.")
	String device() default "/dev/watchdog";

	@AttributeDefinition(name = "Timeout", description = "Reset the machine this long after the last ping "
			+ "(whole seconds, 4s to 65535s; the driver may round it).")
	String timeout() default "30s";

	@AttributeDefinition(name = "Critical modules", description = "Comma-separated modules: once one of them has "
			+ "given up for longer than the grace period, pings stop and the machine resets.")
	String critical() default "";

	@AttributeDefinition(name = "Grace", description = "How long a critical module may stay 'gave up' (time for "
			+ "someone to pw:start it) before the pings stop.")
	String grace() default "10s";
}
