package io.pidwatcher.strategy.group.internal;

import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;
import org.osgi.service.metatype.annotations.Option;

@ObjectClassDefinition(id = "pidwatcher.strategy.group", name = "Restart strategy: group",
		description = "Modules of one group restart together, like Erlang/OTP supervisors. The group is the module "
				+ "config's group key; start order is the group's. Module configs override with strategy.<key>.")
@interface GroupConfig {

	@AttributeDefinition(description = "Which modules restart when one fails.", options = {
			@Option(value = "one_for_all", label = "every module of the group"),
			@Option(value = "rest_for_one", label = "the failed module and those started after it") })
	String mode() default "one_for_all";

	@AttributeDefinition(description = "Delay before the group starts again.")
	String delay() default "100ms";
}
