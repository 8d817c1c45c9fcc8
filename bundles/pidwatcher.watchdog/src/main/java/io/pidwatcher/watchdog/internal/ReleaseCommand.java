package io.pidwatcher.watchdog.internal;

import io.pidwatcher.api.supervisor.NoSuchModuleException;

import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;

/**
 * {@code pw:release MODULE PID}: the explicit way for a process to leave a module (a login session
 * that must outlive sshd's restarts, a build that must survive, like Jenkins' dontKillMe). It lives
 * in the watchdog bundle, beside the engine it calls, because the Supervisor API (frozen at 1.0 for
 * this change) has no such operation; for the same reason it carries no Gogo @Descriptor, which
 * would make the engine depend on the shell's runtime.
 */
@Component(service = ReleaseCommand.class, property = {
		"osgi.command.scope=pw",
		"osgi.command.function=release"
})
public final class ReleaseCommand {

	@Reference
	private Watchdog watchdog;

	/** Prints what was released, or why not. */
	public void release(String module, int pid) {
		try {
			System.out.println(watchdog.release(module, pid, "pw:release at the prompt (user "
					+ System.getProperty("user.name") + ")"));
		} catch (NoSuchModuleException | IllegalArgumentException | IllegalStateException e) {
			System.out.println("not released: " + e.getMessage());
		}
	}
}
