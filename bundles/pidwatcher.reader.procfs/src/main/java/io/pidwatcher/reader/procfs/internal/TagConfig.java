package io.pidwatcher.reader.procfs.internal;

import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;

@ObjectClassDefinition(
		name = "pidwatcher tag",
		description = "The environment variable that marks a process as watched. Every reader looks for it.")
@interface TagConfig {

	@AttributeDefinition(
			name = "Variable name",
			description = "Name of the environment variable; its value is the module name. "
					+ "A name that is empty or not a valid variable name is rejected and the previous one stays in force.")
	String variable() default "PIDWATCHER_MODULE";
}
