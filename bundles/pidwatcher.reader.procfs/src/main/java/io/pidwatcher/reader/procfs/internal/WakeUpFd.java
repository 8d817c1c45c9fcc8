package io.pidwatcher.reader.procfs.internal;

import com.sun.jna.LastErrorException;

/**
 * An eventfd that wakes a reader thread out of its poll(2): the one owner of the open, signal,
 * drain and close that the connector thread and the pidfd tracker both need. {@link #fd()} is -1
 * where eventfd cannot be had; the thread then notices a stop or a new task at its next poll
 * timeout instead.
 */
final class WakeUpFd {

	private final int fd;

	WakeUpFd() {
		int opened;
		try {
			opened = LinuxCalls.INSTANCE.eventfd(0, LinuxCalls.EFD_NONBLOCK | LinuxCalls.EFD_CLOEXEC);
		} catch (LastErrorException | UnsatisfiedLinkError e) {
			opened = -1;
		}
		fd = opened;
	}

	/** The descriptor to poll for POLLIN, or -1 when there is none. */
	int fd() {
		return fd;
	}

	/** Wakes the thread polling {@link #fd()}. */
	void signal() {
		if (fd >= 0) {
			try {
				LinuxCalls.INSTANCE.write(fd, new long[] { 1 }, 8);
			} catch (LastErrorException e) {
				// counter full: a wake-up is pending anyway
			}
		}
	}

	/** Takes the pending wake-ups, so the next poll blocks again. */
	void drain() {
		if (fd >= 0) {
			try {
				LinuxCalls.INSTANCE.read(fd, new long[1], 8);
			} catch (LastErrorException e) {
				// EAGAIN: nothing pending
			}
		}
	}

	void close() {
		if (fd >= 0) {
			try {
				LinuxCalls.INSTANCE.close(fd);
			} catch (LastErrorException e) {
				// gone either way
			}
		}
	}
}
