package io.pidwatcher.systemd.internal;

import com.sun.jna.LastErrorException;
import com.sun.jna.Library;
import com.sun.jna.Native;

/**
 * The libc calls of an AF_UNIX datagram socket, through JNA: Java 17's DatagramChannel cannot
 * open one, and systemd's NOTIFY_SOCKET accepts nothing else. x86_64 Linux (long is size_t).
 */
interface LibC extends Library {

	LibC INSTANCE = Native.load("c", LibC.class);

	int AF_UNIX = 1;
	int SOCK_DGRAM = 2;
	int SOCK_NONBLOCK = 04000;
	int SOCK_CLOEXEC = 02000000;
	/** Never wait for room in the receiver's queue: the caller may be the supervision loop. */
	int MSG_DONTWAIT = 0x40;
	int MSG_NOSIGNAL = 0x4000;

	int socket(int domain, int type, int protocol) throws LastErrorException;

	long sendto(int fd, byte[] buffer, long length, int flags, byte[] address, int addressLength)
			throws LastErrorException;

	int bind(int fd, byte[] address, int addressLength) throws LastErrorException;

	long recv(int fd, byte[] buffer, long length, int flags) throws LastErrorException;

	int close(int fd) throws LastErrorException;

	String strerror(int errno);
}
