package io.pidwatcher.reader.procfs.internal;

/**
 * One record of the kernel's process events connector (struct proc_event, linux/cn_proc.h), the
 * kinds the reader acts on. Every kind but {@link Ack} carries the CPU that emitted it and that
 * CPU's sequence number, which is how lost records are noticed.
 */
sealed interface ProcEvent {

	int cpu();

	long sequence();

	/** A task was created: a process when {@code childPid == childTgid}, else a thread. */
	record Fork(int cpu, long sequence, int parentPid, int parentTgid, int childPid, int childTgid) implements ProcEvent {
	}

	/** A process replaced its program (execve); its environment may have changed. */
	record Exec(int cpu, long sequence, int pid, int tgid) implements ProcEvent {
	}

	/** A task ended; {@code exitCode} is the wait(2) status ((code &lt;&lt; 8) | signal). */
	record Exit(int cpu, long sequence, int pid, int tgid, int exitCode) implements ProcEvent {
	}

	/** A task's real or effective user id changed. */
	record UidChange(int cpu, long sequence, int pid, int tgid) implements ProcEvent {
	}

	/** Any other kind (sid, gid, comm, ptrace, coredump): counted for the sequence, else ignored. */
	record Other(int cpu, long sequence, int what) implements ProcEvent {
	}

	/**
	 * The kernel's answer to a listen or ignore request (PROC_EVENT_NONE); {@code ack} is the
	 * request's ack field plus one, {@code error} an errno or 0. Acks take no sequence number.
	 */
	record Ack(int cpu, long sequence, long ack, int error) implements ProcEvent {
	}
}
