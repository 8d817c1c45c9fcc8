package io.pidwatcher.shell.internal;

import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.stream.Collectors;

/**
 * Checks the arguments of a pw: command before anything runs. The commands take {@code Object...}
 * rather than {@code String}, so that Gogo hands over whatever was typed: a missing or extra
 * argument, an undefined variable (null) or a list then gets an answer naming the command and the
 * problem, instead of Gogo's "Cannot coerce" or a NullPointerException.
 */
final class CommandArguments {

	/** Module names are file names (etc/pidwatcher.module-NAME.cfg). */
	static final int MAX_NAME = 255;
	private static final int ECHO = 40;

	private CommandArguments() {
	}

	/** Thrown with a message for the user; the commands print it as it is. */
	static final class Problem extends IllegalArgumentException {
		private static final long serialVersionUID = 1L;

		Problem(String message) {
			super(message);
		}
	}

	static void none(String command, Object[] args) {
		if (args != null && args.length > 0) {
			throw new Problem(command + " takes no arguments; got " + count(args) + " (too many): " + echo(args));
		}
	}

	static String name(String command, Object[] args) {
		if (args == null || args.length == 0) {
			throw new Problem(command + " needs a module name: " + command + " NAME");
		}
		if (args.length > 1) {
			throw new Problem(command + " takes one module name; got " + count(args) + " (too many): " + echo(args));
		}
		return checked(command, args[0]);
	}

	static Optional<String> optionalName(String command, Object[] args) {
		if (args == null || args.length == 0) {
			return Optional.empty();
		}
		if (args.length > 1) {
			throw new Problem(command + " takes at most one module name; got " + count(args) + " (too many): "
					+ echo(args));
		}
		return Optional.of(checked(command, args[0]));
	}

	private static String checked(String command, Object arg) {
		if (arg == null) {
			throw new Problem(command + " needs a module name; got nothing (an undefined variable?)");
		}
		if (!(arg instanceof CharSequence)) {
			throw new Problem(command + " needs a module name; got " + (arg instanceof List<?> ? "a list" : "a "
					+ arg.getClass().getSimpleName()) + ": " + abbreviate(String.valueOf(arg)));
		}
		String name = arg.toString();
		if (name.isBlank()) {
			throw new Problem(command + " needs a module name; got an empty one");
		}
		if (name.length() > MAX_NAME) {
			throw new Problem(command + ": a module name has at most " + MAX_NAME + " characters; got " + name.length()
					+ " (" + abbreviate(name) + ")");
		}
		return name;
	}

	private static String count(Object[] args) {
		return args.length + " arguments";
	}

	private static String echo(Object[] args) {
		return abbreviate(Arrays.stream(args).map(a -> a == null ? "(undefined)" : String.valueOf(a)).collect(Collectors.joining(" ")));
	}

	private static String abbreviate(String s) {
		return s.length() <= ECHO ? s : s.substring(0, ECHO) + "... (" + s.length() + " characters)";
	}
}
