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

	/** Every module, one line each: name, state, dependencies. */
	public void deps() {
		for (ModuleStatus m : watchdog.modules()) {
			System.out.println(line(m.name()));
		}
	}

	/** One module's dependencies. */
	public void deps(String module) {
		System.out.println(line(module));
	}

	private String line(String module) {
		try {
			return module + ": " + watchdog.dependencies(module);
		} catch (NoSuchModuleException e) {
			return "no module " + module;
		}
	}
}
