package io.pidwatcher.watchdog.internal;

import java.nio.file.Path;
import java.util.Map;

/**
 * What "the module died" means for one module: which process is its main one ({@code main=} and
 * {@code pidfile=}). When the main process dies the module has failed, even while other members
 * live: its whole tree is stopped before the restart, so a new instance never meets its
 * predecessor's workers.
 *
 * @param kind    the rule
 * @param pidFile with {@link Kind#PIDFILE}: the file the program writes its main pid to (resolved
 *                against the module's directory); null otherwise
 */
record MainRule(Kind kind, Path pidFile) {

	/** The values of {@code main=}. */
	enum Kind {
		/** The started process (systemd's Type=simple and Type=exec). */
		STARTED,
		/** The pid in {@code pidfile=} (systemd's Type=forking with PIDFile=, monit's "with pidfile"). */
		PIDFILE,
		/**
		 * The started process until it exits with status 0 while members remain: then the member it
		 * leaves behind (systemd's Type=forking without PIDFile=, which guesses the main pid).
		 */
		DAEMON,
		/** No main process: the module has died when its whole tree is gone. */
		NONE;

		String key() {
			return name().toLowerCase();
		}
	}

	/** When neither key is given: the started process, handed over to the daemon it leaves behind. */
	static final MainRule DEFAULT = new MainRule(Kind.DAEMON, null);

	/**
	 * Reads {@code main=} and {@code pidfile=}; throws IllegalArgumentException naming the key.
	 * {@code pidfile=} alone implies {@code main=pidfile}; {@code main=pidfile} needs it; any other
	 * {@code main=} with a {@code pidfile=} is a contradiction, refused rather than guessed.
	 */
	static MainRule parse(Map<String, Object> props, Path directory) {
		Object mainValue = props.get("main");
		Object pidValue = props.get("pidfile");
		String main = mainValue == null ? "" : mainValue.toString().trim().toLowerCase();
		String pid = pidValue == null ? "" : pidValue.toString().trim();
		if (pidValue != null && pid.isEmpty()) {
			throw new IllegalArgumentException("pidfile is empty (leave the key out, or name the file the program writes "
					+ "its pid to)");
		}
		if (mainValue != null && main.isEmpty()) {
			throw new IllegalArgumentException("main is empty (leave the key out for the default, 'daemon')");
		}
		Kind kind;
		if (main.isEmpty()) {
			kind = pid.isEmpty() ? DEFAULT.kind() : Kind.PIDFILE;
		} else {
			kind = switch (main) {
				case "started" -> Kind.STARTED;
				case "pidfile" -> Kind.PIDFILE;
				case "daemon" -> Kind.DAEMON;
				case "none" -> Kind.NONE;
				default -> throw new IllegalArgumentException("main '" + mainValue
						+ "' is not one of started, pidfile, daemon, none");
			};
		}
		if (kind == Kind.PIDFILE && pid.isEmpty()) {
			throw new IllegalArgumentException("main=pidfile needs pidfile=PATH (the file the program writes its pid to)");
		}
		if (kind != Kind.PIDFILE && !pid.isEmpty()) {
			throw new IllegalArgumentException("pidfile=" + pid + " contradicts main=" + main
					+ " (pidfile= means main=pidfile; leave one of them out)");
		}
		return new MainRule(kind, kind == Kind.PIDFILE ? directory.resolve(pid).normalize() : null);
	}

	/** For pw:status: "main=pidfile /run/x.pid". */
	String describe() {
		return "main=" + kind.key() + (pidFile != null ? " " + pidFile : "");
	}
}
