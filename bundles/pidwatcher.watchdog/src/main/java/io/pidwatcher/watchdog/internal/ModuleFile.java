package io.pidwatcher.watchdog.internal;

import java.util.Map;

import org.osgi.service.component.ComponentConstants;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.ConfigurationPolicy;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Modified;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.metatype.annotations.Designate;

/**
 * One {@code pidwatcher.module} factory configuration (one {@code etc/pidwatcher.module-<name>.cfg}),
 * handed to the watchdog. Only the deletion of the configuration stops the module: when the
 * runtime itself stops, the modules keep running and the next runtime adopts them.
 */
@Component(configurationPid = ModuleFile.FACTORY_PID, configurationPolicy = ConfigurationPolicy.REQUIRE, service = {})
@Designate(ocd = ModuleConfig.class, factory = true)
public final class ModuleFile {

	static final String FACTORY_PID = "pidwatcher.module";

	@Reference
	private Watchdog watchdog;

	private String name;

	@Activate
	@Modified
	void configure(Map<String, Object> properties) {
		name = nameOf(properties);
		watchdog.define(name, properties);
	}

	@Deactivate
	void deactivate(int reason) {
		if (name != null) {
			watchdog.undefine(name, reason == ComponentConstants.DEACTIVATION_REASON_CONFIGURATION_DELETED);
		}
	}

	/**
	 * The module name: the part of the PID after '~' (named factory configurations, which is what
	 * FileInstall creates from pidwatcher.module-NAME.cfg), else the PID itself.
	 */
	static String nameOf(Map<String, Object> properties) {
		String pid = String.valueOf(properties.get("service.pid"));
		int tilde = pid.indexOf('~');
		return tilde >= 0 ? pid.substring(tilde + 1) : pid;
	}
}
