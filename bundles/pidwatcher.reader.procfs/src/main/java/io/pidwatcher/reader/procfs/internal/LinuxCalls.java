package io.pidwatcher.reader.procfs.internal;

import com.sun.jna.LastErrorException;
import com.sun.jna.Library;
import com.sun.jna.Native;

/**
 * The libc calls exit tracking needs, through JNA (x86_64 Linux). pidfd_open(2) has no libc
 * wrapper in Debian 12's glibc, so it goes through syscall(2). Calls throw {@link LastErrorException}
 * carrying errno instead of returning -1.
 */
interface LinuxCalls extends Library {

	LinuxCalls INSTANCE = Native.load("c", LinuxCalls.class);

	long SYS_PIDFD_OPEN = 434; // x86_64
	int POLLIN = 0x1;
	int EFD_NONBLOCK = 04000;
	int EFD_CLOEXEC = 02000000;
	int ESRCH = 3;
	int EINTR = 4;
	int EAGAIN = 11;
	int ENOSYS = 38;

	long syscall(long number, int pid, int flags) throws LastErrorException;

	int eventfd(int initialValue, int flags) throws LastErrorException;

	long read(int fd, long[] buffer, long count) throws LastErrorException;

	long write(int fd, long[] buffer, long count) throws LastErrorException;

	/** {@code fds} holds struct pollfd as ints: fd, then (events | revents &lt;&lt; 16) (little endian). */
	int poll(int[] fds, long nfds, int timeoutMillis) throws LastErrorException;

	int close(int fd) throws LastErrorException;
}
