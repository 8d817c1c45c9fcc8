package io.pidwatcher.watchdog.internal;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * When a started module counts as ready, and so {@code running} (issue 14 part 2): the keys
 * {@code ready=} and {@code notify=}. A module that requires another waits for it to be
 * {@code running}, so "running" means "ready" and nothing less.
 *
 * @param kind    the rule
 * @param host    with {@link Kind#TCP}: the host to connect to (a name, an IPv4 or an IPv6 literal without brackets)
 * @param port    with {@link Kind#TCP}: the port, 1-65535
 * @param command with {@link Kind#EXEC}: the probe's argv
 * @param file    with {@link Kind#FILE}: the file, resolved against the module's directory
 */
record ReadyRule(Kind kind, String host, int port, List<String> command, Path file) {

	/** The values of {@code ready=}, and {@code notify=true}. */
	enum Kind {
		/** The first scan that finds the tree (the default). */
		RUNNING,
		/** {@code READY=1} on the notify socket ({@code notify=true}). */
		NOTIFY,
		/** A TCP connect to host:port succeeds. */
		TCP,
		/** The command exits 0. */
		EXEC,
		/** The file exists, written since the run started. */
		FILE
	}

	static final ReadyRule RUNNING = new ReadyRule(Kind.RUNNING, null, 0, List.of(), null);
	static final ReadyRule NOTIFY = new ReadyRule(Kind.NOTIFY, null, 0, List.of(), null);

	/** A host name (RFC 1123 labels) or an IPv4 literal. */
	private static final Pattern HOST_NAME = Pattern.compile("[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?"
			+ "(\\.[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*\\.?");
	private static final Pattern IPV6 = Pattern.compile("[0-9A-Fa-f:.]+(%[A-Za-z0-9_.-]+)?");

	/**
	 * Reads {@code ready=} (with {@code notify}, already parsed); throws IllegalArgumentException
	 * naming the key. The probe's program must exist as {@code command=}'s must.
	 */
	static ReadyRule parse(Map<String, Object> props, boolean notify, Path directory, String path) {
		Object value = props.get("ready");
		if (value == null) {
			return notify ? NOTIFY : RUNNING;
		}
		String text = value.toString().trim();
		if (notify) {
			// two answers to one question: refused rather than one of them silently ignored
			throw new IllegalArgumentException("ready=" + text + " and notify=true both say when the module is ready: "
					+ "keep one (notify=true waits for READY=1 on the notify socket)");
		}
		if (text.isEmpty()) {
			throw new IllegalArgumentException("ready is empty (leave the key out for the default, 'running')");
		}
		if (text.equals("running")) {
			return RUNNING;
		}
		int colon = text.indexOf(':');
		String type = colon < 0 ? text : text.substring(0, colon);
		String rest = colon < 0 ? "" : text.substring(colon + 1).trim();
		return switch (type) {
			case "tcp" -> tcp(text, rest);
			case "exec" -> exec(text, rest, directory, path);
			case "file" -> {
				if (rest.isEmpty()) {
					throw new IllegalArgumentException("ready=" + text + ": no file (ready=file:PATH)");
				}
				yield new ReadyRule(Kind.FILE, null, 0, List.of(), directory.resolve(rest).normalize());
			}
			default -> throw new IllegalArgumentException("ready '" + text + "' is not one of running, tcp:HOST:PORT, "
					+ "exec:COMMAND, file:PATH");
		};
	}

	private static ReadyRule tcp(String text, String rest) {
		String host;
		String port;
		if (rest.startsWith("[")) {
			int close = rest.indexOf(']');
			if (close < 0 || !rest.startsWith(":", close + 1)) {
				throw new IllegalArgumentException("ready=" + text + ": an IPv6 address is written [ADDRESS]:PORT");
			}
			host = rest.substring(1, close);
			port = rest.substring(close + 2);
			if (!IPV6.matcher(host).matches() || !host.contains(":")) {
				throw new IllegalArgumentException("ready=" + text + ": '" + host + "' is not an IPv6 address");
			}
		} else {
			int last = rest.lastIndexOf(':');
			if (last < 0) {
				throw new IllegalArgumentException("ready=" + text + ": no port (ready=tcp:HOST:PORT)");
			}
			host = rest.substring(0, last);
			port = rest.substring(last + 1);
			if (host.contains(":")) {
				throw new IllegalArgumentException("ready=" + text + ": an IPv6 address is written [ADDRESS]:PORT");
			}
			if (host.isEmpty() || !HOST_NAME.matcher(host).matches() || host.matches("[0-9.]+") && !ipv4(host)) {
				throw new IllegalArgumentException("ready=" + text + ": '" + host + "' is not a host name or address");
			}
		}
		int number;
		try {
			number = port.matches("[0-9]{1,5}") ? Integer.parseInt(port) : -1;
		} catch (NumberFormatException e) {
			number = -1;
		}
		if (number < 1 || number > 65535) {
			throw new IllegalArgumentException("ready=" + text + ": port '" + port + "' is not 1-65535");
		}
		return new ReadyRule(Kind.TCP, host, number, List.of(), null);
	}

	private static boolean ipv4(String host) {
		String[] parts = host.split("\\.", -1);
		if (parts.length != 4) {
			return false;
		}
		for (String p : parts) {
			if (!p.matches("[0-9]{1,3}") || Integer.parseInt(p) > 255) {
				return false;
			}
		}
		return true;
	}

	private static ReadyRule exec(String text, String rest, Path directory, String path) {
		List<String> argv;
		try {
			argv = CommandLine.split(rest);
		} catch (IllegalArgumentException e) {
			throw new IllegalArgumentException("ready=" + text + ": " + e.getMessage());
		}
		if (argv.isEmpty()) {
			throw new IllegalArgumentException("ready=" + text + ": no command (ready=exec:COMMAND ARGS...)");
		}
		try {
			ModuleSpec.checkExecutable(argv.get(0), directory, path);
		} catch (IllegalArgumentException e) {
			throw new IllegalArgumentException("ready=" + text + ": " + e.getMessage());
		}
		return new ReadyRule(Kind.EXEC, null, 0, List.copyOf(argv), null);
	}

	/** Whether readiness is a probe the engine runs (tcp, exec, file). */
	boolean probed() {
		return kind == Kind.TCP || kind == Kind.EXEC || kind == Kind.FILE;
	}

	/** For pw:status and the journal: "ready=tcp:127.0.0.1:5432", "notify=true". */
	String describe() {
		return switch (kind) {
			case RUNNING -> "ready=running";
			case NOTIFY -> "notify=true";
			case TCP -> "ready=tcp:" + (host.contains(":") ? "[" + host + "]" : host) + ":" + port;
			case EXEC -> "ready=exec:" + String.join(" ", command);
			case FILE -> "ready=file:" + file;
		};
	}
}
