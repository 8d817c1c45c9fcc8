package io.pidwatcher.api.supervisor;

import java.time.Instant;
import java.util.Objects;
import java.util.OptionalInt;

/**
 * One failure of a module: when, what kind, and why in words. The watchdog keeps a bounded history
 * of these per module; {@link ModuleStatus#failures()} shows them and restart strategies decide on
 * them.
 *
 * @param at         when the failure was seen
 * @param kind       how the module failed
 * @param reason     why, for people
 * @param exitStatus the main process's exit status when it exited and the status is known (0 for a
 *                   clean exit); empty for a death by signal, an unhealthy verdict, or an exit whose
 *                   status nobody could read
 */
public record Failure(Instant at, Kind kind, String reason, OptionalInt exitStatus) {

	public Failure {
		Objects.requireNonNull(at, "at");
		Objects.requireNonNull(kind, "kind");
		Objects.requireNonNull(reason, "reason");
		Objects.requireNonNull(exitStatus, "exitStatus");
	}

	/** Whether this is an exit with status 0 (what systemd calls a clean exit). */
	public boolean cleanExit() {
		return kind == Kind.EXITED && exitStatus.isPresent() && exitStatus.getAsInt() == 0;
	}

	/** How a module failed. */
	public enum Kind {
		/** its processes all exited; {@code exitStatus} is 0 for a clean exit */
		EXITED,
		/** a health policy judged it unhealthy and the watchdog stopped it */
		UNHEALTHY,
		/** its command could not be started at all */
		START_FAILED
	}
}
