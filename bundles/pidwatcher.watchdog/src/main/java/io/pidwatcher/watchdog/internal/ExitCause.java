package io.pidwatcher.watchdog.internal;

/**
 * Why a run ended, as the columns of systemd.service(5)'s {@code Restart=} table name it, plus
 * one systemd never has: an exit whose status nobody could read (the main process of a daemon that
 * is not our child, a death while no watchdog ran). {@link ExitRule} maps a failure onto one of
 * these and {@link Restart} says which of them each {@code restart=} value restarts.
 */
enum ExitCause {
	/** exit status 0, a status or signal in success.exit, or SIGHUP, SIGINT, SIGTERM, SIGPIPE */
	CLEAN("clean exit code or signal"),
	/** any other exit status */
	UNCLEAN_EXIT_CODE("unclean exit code"),
	/** killed by a signal that is not clean */
	UNCLEAN_SIGNAL("unclean signal"),
	/** exited, status unknown: pidwatcher's own column, restarted as an abnormal end is */
	UNKNOWN_STATUS("unknown exit status"),
	/** the start failed: no READY=1 or pid file within start.timeout, or the command could not run */
	TIMEOUT("timeout"),
	/** a health policy judged the module unhealthy (systemd's WatchdogSec= is one such check) */
	WATCHDOG("watchdog");

	private final String column;

	ExitCause(String column) {
		this.column = column;
	}

	/** The column's name, as systemd.service(5) prints it. */
	String column() {
		return column;
	}
}
