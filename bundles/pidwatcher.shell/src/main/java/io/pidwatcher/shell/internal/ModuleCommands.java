package io.pidwatcher.shell.internal;

import io.pidwatcher.api.supervisor.NoSuchModuleException;
import io.pidwatcher.api.supervisor.Supervisor;

import java.time.Instant;
import java.util.function.Supplier;

import org.apache.felix.service.command.Descriptor;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;
import org.osgi.service.component.annotations.ReferencePolicyOption;

/**
 * The module commands of scope {@code pw}: thin wrappers over {@link Supervisor}, printed by
 * {@link ModuleReport}. They print rather than return, so one-shot Gogo shows their output.
 */
@Component(service = ModuleCommands.class, property = {
		"osgi.command.scope=pw",
		"osgi.command.function=modules",
		"osgi.command.function=start",
		"osgi.command.function=stop",
		"osgi.command.function=restart",
		"osgi.command.function=status",
		"osgi.command.function=events"
})
public final class ModuleCommands {

	private static final int DEFAULT_EVENTS = 30;

	/** Optional: the shell bundle also runs without the watchdog (e.g. a runtime that only lists processes). */
	@Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC,
			policyOption = ReferencePolicyOption.GREEDY)
	private volatile Supervisor watchdog;

	private Supervisor supervisor() {
		Supervisor s = watchdog;
		if (s == null) {
			throw new IllegalStateException("the watchdog (bundle pidwatcher.watchdog) is not running");
		}
		return s;
	}

	@Descriptor("list the supervised modules: state, uptime, restarts, tasks, %CPU, RSS and why")
	public void modules(@Descriptor("(none)") Object... none) {
		run(() -> {
			CommandArguments.none("pw:modules", none);
			return ModuleReport.modules(supervisor().modules(), Instant.now());
		});
	}

	@Descriptor("start a module (adopts its tree instead when it is already running)")
	public void start(@Descriptor("module name") Object... module) {
		run(() -> ModuleReport.started(supervisor().start(CommandArguments.name("pw:start", module))));
	}

	@Descriptor("stop a module's whole process tree, escaped daemons included, and keep it stopped")
	public void stop(@Descriptor("module name") Object... module) {
		run(() -> ModuleReport.stopped(supervisor().stop(CommandArguments.name("pw:stop", module))));
	}

	@Descriptor("stop a module's whole tree, then start it again")
	public void restart(@Descriptor("module name") Object... module) {
		run(() -> {
			String name = CommandArguments.name("pw:restart", module);
			return ModuleReport.stopped(supervisor().restart(name)) + ModuleReport.started(supervisor().status(name));
		});
	}

	@Descriptor("show one module: state and why, its tree, policies, strategy verdict, last failures")
	public void status(@Descriptor("module name") Object... module) {
		run(() -> ModuleReport.status(supervisor().status(CommandArguments.name("pw:status", module)), Instant.now()));
	}

	@Descriptor("show the most recent state changes of every module, or of one")
	public void events(@Descriptor("module name (optional)") Object... module) {
		run(() -> ModuleReport.events(supervisor().events(CommandArguments.optionalName("pw:events", module).orElse(null),
				DEFAULT_EVENTS)));
	}

	/**
	 * Prints the text, or as one line on stderr why not: wrong arguments (the message names the
	 * command), an unknown name, a module that refuses, no watchdog.
	 */
	private static void run(Supplier<String> command) {
		try {
			System.out.print(command.get());
		} catch (CommandArguments.Problem e) {
			System.err.println(e.getMessage());
		} catch (NoSuchModuleException | IllegalStateException e) {
			System.err.println("pw: " + e.getMessage());
		}
	}
}
