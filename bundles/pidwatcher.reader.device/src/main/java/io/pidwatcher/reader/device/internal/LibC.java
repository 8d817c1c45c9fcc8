package io.pidwatcher.reader.device.internal;

import com.sun.jna.LastErrorException;
import com.sun.jna.Library;
import com.sun.jna.Native;
import com.sun.jna.Pointer;

/**
 * The few libc calls the device needs, through JNA (x86_64 Linux: long is ssize_t/size_t/off_t).
 * Every call throws {@link LastErrorException} carrying errno instead of returning -1.
 */
interface LibC extends Library {

	LibC INSTANCE = Native.load("c", LibC.class);

	int O_RDWR = 02;
	int O_NONBLOCK = 04000;
	int O_CLOEXEC = 02000000;
	int SEEK_SET = 0;
	int POLLIN = 0x1;
	int POLLERR = 0x8;
	int POLLHUP = 0x10;
	int POLLNVAL = 0x20;
	int CLOCK_BOOTTIME = 7;
	int EAGAIN = 11;
	int EINTR = 4;

	int open(String path, int flags) throws LastErrorException;

	int close(int fd) throws LastErrorException;

	long read(int fd, Pointer buffer, long count) throws LastErrorException;

	long write(int fd, byte[] buffer, long count) throws LastErrorException;

	long lseek(int fd, long offset, int whence) throws LastErrorException;

	/** {@code fds} holds struct pollfd as ints: fd, then (events | revents &lt;&lt; 16) (little endian). */
	int poll(int[] fds, long nfds, int timeoutMillis) throws LastErrorException;

	int clock_gettime(int clock, long[] timespec) throws LastErrorException;

	/** CLOCK_BOOTTIME in nanoseconds, the clock of the module's timestamps. */
	static long boottimeNanos() {
		long[] ts = new long[2];
		INSTANCE.clock_gettime(CLOCK_BOOTTIME, ts);
		return ts[0] * 1_000_000_000L + ts[1];
	}
}
