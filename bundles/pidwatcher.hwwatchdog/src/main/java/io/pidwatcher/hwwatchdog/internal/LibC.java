package io.pidwatcher.hwwatchdog.internal;

import com.sun.jna.LastErrorException;
import com.sun.jna.Library;
import com.sun.jna.Native;

/** The libc calls of the Linux watchdog API (Documentation/watchdog/watchdog-api.rst), through JNA. */
interface LibC extends Library {

	LibC INSTANCE = Native.load("c", LibC.class);

	int O_WRONLY = 01;
	int O_CLOEXEC = 02000000;
	int ENOENT = 2;
	int EACCES = 13;
	int EBUSY = 16;
	int ENOTTY = 25;
	int EINVAL = 22;

	/** _IOR('W', 5, int) */
	long WDIOC_KEEPALIVE = 0x80045705L;
	/** _IOWR('W', 6, int) */
	long WDIOC_SETTIMEOUT = 0xC0045706L;

	int open(String path, int flags) throws LastErrorException;

	int ioctl(int fd, long request, int[] argument) throws LastErrorException;

	long write(int fd, byte[] buffer, long count) throws LastErrorException;

	int close(int fd) throws LastErrorException;

	String strerror(int errno);
}
