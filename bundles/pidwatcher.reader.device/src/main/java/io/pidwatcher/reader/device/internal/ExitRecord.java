package io.pidwatcher.reader.device.internal;

/** One line of an event-mode fd of /dev/pidwatcher. */
sealed interface ExitRecord {

	/**
	 * {@code exit <pid> <start_ns> <exit_code> <boottime_ns_at_exit> <=|~><value>}.
	 *
	 * @param exitCode the kernel's exit_code of the group's last thread: a wait(2) status
	 */
	record Exit(int pid, long startNanos, int exitCode, long exitBoottimeNanos, String value,
			boolean valueTruncated) implements ExitRecord {
	}

	/** {@code lost <n>}: the fd's queue overflowed and n records were dropped. */
	record Lost(long count) implements ExitRecord {
	}
}
