package io.pidwatcher.logwriter.internal;

import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;

@ObjectClassDefinition(name = "pidwatcher log writer",
		description = "Where the runtime's log goes: standard error, and var/log/pidwatcher.log under the home.")
@interface LogWriterConfig {

	@AttributeDefinition(description = "Lowest level printed on standard error for pidwatcher's own bundles: ERROR, WARN, INFO or DEBUG.")
	String consoleLevel() default "WARN";

	@AttributeDefinition(description = "Lowest level written to var/log/pidwatcher.log for every bundle.")
	String fileLevel() default "INFO";
}
