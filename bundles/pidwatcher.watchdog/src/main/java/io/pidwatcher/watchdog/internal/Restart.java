package io.pidwatcher.watchdog.internal;

import java.util.Arrays;
import java.util.Locale;
import java.util.stream.Collectors;

/**
 * The values of a module's {@code restart=} key and which ends of a run each restarts: the rows
 * of systemd.service(5)'s {@code Restart=} table ({@code never} is systemd's {@code no}), with
 * {@link ExitCause#UNKNOWN_STATUS} counted as abnormal: a watchdog that cannot tell an orderly
 * exit restarts.
 */
enum Restart {
	ALWAYS("always"),
	ON_FAILURE("on-failure"),
	ON_ABNORMAL("on-abnormal"),
	ON_SUCCESS("on-success"),
	NEVER("never");

	/** The default: every strategy restarted after every failure before restart= existed. */
	static final Restart DEFAULT = ALWAYS;

	private final String label;

	Restart(String label) {
		this.label = label;
	}

	String label() {
		return label;
	}

	/** Whether a run that ended so is started again. */
	boolean restarts(ExitCause cause) {
		return switch (this) {
			case ALWAYS -> true;
			case NEVER -> false;
			case ON_SUCCESS -> cause == ExitCause.CLEAN;
			case ON_FAILURE -> cause != ExitCause.CLEAN;
			case ON_ABNORMAL -> cause != ExitCause.CLEAN && cause != ExitCause.UNCLEAN_EXIT_CODE;
		};
	}

	/** @throws IllegalArgumentException naming the key and the values it takes */
	static Restart parse(String text) {
		String t = text.trim().toLowerCase(Locale.ROOT);
		for (Restart r : values()) {
			if (r.label.equals(t)) {
				return r;
			}
		}
		String hint = t.equals("no") ? " (systemd's 'no' is 'never' here)" : "";
		throw new IllegalArgumentException("restart '" + text.trim() + "' is not one of "
				+ Arrays.stream(values()).map(Restart::label).collect(Collectors.joining(", ")) + hint);
	}
}
