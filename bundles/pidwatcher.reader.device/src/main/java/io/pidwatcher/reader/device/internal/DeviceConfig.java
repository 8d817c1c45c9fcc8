package io.pidwatcher.reader.device.internal;

import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;

/**
 * The device reader's view of two configurations: {@code pidwatcher.tag} (the tag variable, shared
 * with every reader) and {@code pidwatcher.device} (this reader's own switches).
 */
@ObjectClassDefinition(
		name = "pidwatcher device reader",
		description = "Reads /dev/pidwatcher when the pidwatcher kernel module is loaded.")
@interface DeviceConfig {

	@AttributeDefinition(name = "Variable name", description = "From pidwatcher.tag: the watched environment variable. "
			+ "The module's own tag= parameter must be the same, else the device reader stands down.")
	String variable() default "PIDWATCHER_MODULE";

	@AttributeDefinition(name = "Enabled", description = "false closes the device and leaves /proc in charge; "
			+ "needed before rmmod, since an open fd pins the module.")
	boolean enabled() default true;

	@AttributeDefinition(name = "Device", description = "Path of the device node.")
	String device() default "/dev/pidwatcher";

	@AttributeDefinition(name = "Module directory", description = "The module's sysfs directory (version, parameters).")
	String sysfs() default "/sys/module/pidwatcher";

	@AttributeDefinition(name = "Check interval (ms)", description = "How often to look for the device appearing or going.")
	long check_interval_ms() default 1000;
}
