package io.pidwatcher.reader.procfs.internal;

import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;

@ObjectClassDefinition(
		name = "pidwatcher /proc reader",
		description = "How the /proc reader learns of new, forked and exited processes.")
@interface ProcfsConfig {

	@AttributeDefinition(
			name = "Process events connector",
			description = "Use the kernel's process events connector (needs root or CAP_NET_ADMIN) when it can be had: "
					+ "membership kept at fork, exits from the kernel, scans that read only members. "
					+ "false forces periodic scanning with one pidfd per tagged process.")
	boolean connector() default true;
}
