package io.pidwatcher.home.internal;

import java.io.Console;
import java.lang.reflect.Method;

/**
 * Whether the runtime gets a Gogo prompt or runs as a service. Gogo reads its options from the
 * {@code gosh.args} property when its bundle starts; its default, a prompt on standard input,
 * stops the framework at end of input. So with no terminal ({@code </dev/null}, nohup, a unit, a
 * container) and no {@code gosh.args} given, this sets {@code --nointeractive}: the shell starts
 * no console and the runtime runs until SIGTERM or SIGINT ({@link CleanShutdown}). A
 * {@code -Dgosh.args} given on the command line always wins.
 */
final class ConsoleChoice {

	static final String GOSH_ARGS = "gosh.args";
	static final String SERVICE_ARGS = "--nointeractive";

	private ConsoleChoice() {
	}

	/**
	 * Decides before the shell starts; returns a sentence for the log when the runtime runs as a
	 * service, null when it has a prompt or the user chose the shell's options.
	 */
	static String apply(String goshArgs) {
		if (goshArgs != null) {
			return null;
		}
		if (terminal()) {
			return null;
		}
		// A system property because that is where Gogo looks (BundleContext.getProperty falls
		// back to system properties); the framework's own properties are fixed at launch.
		System.setProperty(GOSH_ARGS, SERVICE_ARGS);
		return "no terminal on standard input and output: running as a service (no prompt) until SIGTERM or SIGINT;"
				+ " bin/pidwatcher talks to it";
	}

	/** Standard input and output are a terminal (Java 17: System.console(); 22+: isTerminal()). */
	static boolean terminal() {
		Console console = System.console();
		if (console == null) {
			return false;
		}
		try {
			Method isTerminal = Console.class.getMethod("isTerminal");
			return (Boolean) isTerminal.invoke(console);
		} catch (ReflectiveOperationException e) {
			return true; // before Java 22 a console exists only on a terminal
		}
	}
}
