package io.pidwatcher.watchdog.internal;

import io.pidwatcher.api.supervisor.ModuleStatus;
import io.pidwatcher.api.supervisor.NoSuchModuleException;

/**
 * {@code pw:deps [MODULE]}: a module's dependencies both ways ("requires: db; after: -; required
 * by: web"), or every module's. It lives in the watchdog bundle, as pw:release does, because the
 * Supervisor API (frozen at 1.0 for this change) has no field for them, so pw:status cannot show
 * them yet.
 */
@org.osgi.service.component.annotations.Component(service = DependencyCommand.class, property = {
		"osgi.command.scope=pw",
		"osgi.command.function=deps"
})
public final class DependencyCommand {

	@org.osgi.service.component.annotations.Reference
	private Watchdog watchdog;

	/** Every module's dependencies, one line each, or one module's (Object...: Gogo hands over whatever was typed). */
	public void deps(Object... module) {
		if (module.length == 0) {
			for (ModuleStatus m : watchdog.modules()) {
				System.out.println(line(m.name()));
			}
		} else if (module.length > 1) {
			System.out.println("pw:deps takes at most one module name; got " + module.length + " (too many)");
		} else if (!(module[0] instanceof String name)) {
			System.out.println("pw:deps takes one module name" + (module[0] == null ? " (got nothing: an undefined variable?)"
					: ", not a " + module[0].getClass().getSimpleName()));
		} else {
			System.out.println(line(name));
		}
	}

	private String line(String module) {
		try {
			return module + ": " + watchdog.dependencies(module);
		} catch (NoSuchModuleException e) {
			return "no module named '" + module + "'";
		}
	}
}
