package io.pidwatcher.reader.procfs.internal;

import com.sun.jna.LastErrorException;
import com.sun.jna.Library;
import com.sun.jna.Native;

/**
 * The libc calls exit tracking and the process events connector need, through JNA (x86_64 Linux). pidfd_open(2) has no libc
 * wrapper in Debian 12's glibc, so it goes through syscall(2). Calls throw {@link LastErrorException}
 * carrying errno instead of returning -1.
 */
interface LinuxCalls extends Library {

	LinuxCalls INSTANCE = Native.load("c", LinuxCalls.class);

	long SYS_PIDFD_OPEN = 434; // x86_64
	long SYS_GETTID = 186; // x86_64
	int PRIO_PROCESS = 0;
	int POLLIN = 0x1;
	int EFD_NONBLOCK = 04000;
	int EFD_CLOEXEC = 02000000;
	int ESRCH = 3;
	int EINTR = 4;
	int EAGAIN = 11;
	int ENOSYS = 38;
	int ENOBUFS = 105;

	int AF_NETLINK = 16;
	int SOCK_DGRAM = 2;
	int SOCK_CLOEXEC = 02000000;
	int NETLINK_CONNECTOR = 11;
	int SOL_SOCKET = 1;
	int SO_RCVBUF = 8;
	int SO_RCVBUFFORCE = 33;
	int MSG_DONTWAIT = 0x40;

	long syscall(long number, int pid, int flags) throws LastErrorException;

	int eventfd(int initialValue, int flags) throws LastErrorException;

	long read(int fd, long[] buffer, long count) throws LastErrorException;

	long write(int fd, long[] buffer, long count) throws LastErrorException;

	/** {@code fds} holds struct pollfd as ints: fd, then (events | revents &lt;&lt; 16) (little endian). */
	int poll(int[] fds, long nfds, int timeoutMillis) throws LastErrorException;

	int close(int fd) throws LastErrorException;

	int socket(int domain, int type, int protocol) throws LastErrorException;

	/** {@code address} is a struct sockaddr in native byte order. */
	int bind(int fd, byte[] address, int length) throws LastErrorException;

	long send(int fd, byte[] buffer, long length, int flags) throws LastErrorException;

	long recv(int fd, byte[] buffer, long length, int flags) throws LastErrorException;

	int setsockopt(int fd, int level, int option, int[] value, int length) throws LastErrorException;

	int getsockopt(int fd, int level, int option, int[] value, int[] length) throws LastErrorException;

	int getpagesize();

	/** With PRIO_PROCESS and a thread id, sets that one thread's nice value. */
	int setpriority(int which, int who, int nice) throws LastErrorException;
}
