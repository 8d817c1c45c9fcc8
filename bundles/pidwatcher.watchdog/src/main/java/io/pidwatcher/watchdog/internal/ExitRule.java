package io.pidwatcher.watchdog.internal;

import io.pidwatcher.api.supervisor.Failure;

import java.util.Map;

/**
 * A module's exit-code rule ({@code restart=}, {@code success.exit=}): whether a failure is
 * followed by a restart at all. The restart planner asks it before any strategy, so that every
 * strategy restarts on the same terms and only says when (issue 14 part 4).
 */
record ExitRule(Restart restart, SuccessExits success) {

	static final ExitRule DEFAULT = new ExitRule(Restart.DEFAULT, SuccessExits.DEFAULT);

	/** What the rule makes of one failure, in words for the journal and pw:status. */
	record Verdict(ExitCause cause, String what, Restart restart, boolean restarts) {

		/** "status 0 is a clean exit; restart=on-failure: not restarted". */
		String explanation() {
			return what + "; restart=" + restart.label() + (restarts ? "" : ": not restarted");
		}
	}

	/**
	 * Reads restart= and success.exit= of a module config.
	 *
	 * @throws IllegalArgumentException naming the key, for a value it cannot use, and for the
	 *                                  strategy.restart of the fixed strategy, which this replaced
	 */
	static ExitRule parse(Map<String, Object> props) {
		Object moved = props.get("strategy.restart");
		if (moved != null) {
			// An error, not a quiet translation: the old key meant "not after status 0" and the new rule
			// also counts SIGTERM and success.exit as clean, so the user should choose knowingly.
			throw new IllegalArgumentException("'strategy.restart' is no longer a strategy parameter: use restart="
					+ String.valueOf(moved).trim() + " (restart= and success.exit= apply to every strategy)");
		}
		Restart restart = Restart.parse(ModuleSpec.text(props, "restart", Restart.DEFAULT.label()));
		SuccessExits success = SuccessExits.parse(ModuleSpec.text(props, "success.exit", ""));
		return new ExitRule(restart, success);
	}

	Verdict judge(Failure f) {
		ExitCause cause;
		String what;
		switch (f.kind()) {
			case UNHEALTHY -> {
				cause = ExitCause.WATCHDOG;
				what = "unhealthy (a watchdog failure)";
			}
			case START_FAILED -> {
				cause = ExitCause.TIMEOUT;
				what = "the start failed (counted as a timeout)";
			}
			default -> {
				if (f.exitStatus().isEmpty()) {
					cause = ExitCause.UNKNOWN_STATUS;
					what = "exit status unknown (counted as abnormal)";
				} else {
					int status = f.exitStatus().getAsInt();
					int signal = SuccessExits.signalOf(status);
					if (status == 0) {
						cause = ExitCause.CLEAN;
						what = "status 0 is a clean exit";
					} else if (success.statuses().contains(status)) {
						cause = ExitCause.CLEAN;
						what = "status " + status + " counts as success (success.exit)";
					} else if (signal != 0 && success.signals().contains(signal)) {
						cause = ExitCause.CLEAN;
						what = "killed by " + Signals.name(signal) + ", a clean signal"
								+ (SuccessExits.CLEAN_SIGNALS.contains(signal) ? "" : " (success.exit)");
					} else if (signal != 0) {
						cause = ExitCause.UNCLEAN_SIGNAL;
						what = "killed by " + Signals.name(signal) + ", an unclean signal";
					} else {
						cause = ExitCause.UNCLEAN_EXIT_CODE;
						what = "status " + status + " is an unclean exit";
					}
				}
			}
		}
		return new Verdict(cause, what, restart, restart.restarts(cause));
	}

	/** For pw:status: "on-failure (success: 0, 3, SIGHUP, SIGINT, SIGPIPE, SIGTERM)". */
	String describe() {
		return restart.label() + " (success: " + success.describe() + ")";
	}
}
