package io.pidwatcher.systemd.internal;

import com.sun.jna.LastErrorException;

import java.io.Closeable;
import java.io.IOException;
import java.nio.charset.StandardCharsets;

/**
 * A datagram socket that sends sd_notify messages ({@code READY=1}, {@code STATUS=...},
 * {@code WATCHDOG=1}) to one NOTIFY_SOCKET address. Sends never block: a full receiver queue
 * loses the message (the next one says the same or more), which beats stalling the caller.
 */
final class NotifySocket implements Closeable {

	private final String name;
	private final UnixAddress address;
	private final int fd;

	private NotifySocket(String name, UnixAddress address, int fd) {
		this.name = name;
		this.address = address;
		this.fd = fd;
	}

	/** Opens a socket for {@code notifySocket} (a NOTIFY_SOCKET value). */
	static NotifySocket open(String notifySocket) throws IOException {
		UnixAddress address = UnixAddress.parse(notifySocket);
		try {
			int fd = LibC.INSTANCE.socket(LibC.AF_UNIX, LibC.SOCK_DGRAM | LibC.SOCK_CLOEXEC | LibC.SOCK_NONBLOCK, 0);
			return new NotifySocket(notifySocket, address, fd);
		} catch (LastErrorException e) {
			throw new IOException("cannot open a datagram socket for NOTIFY_SOCKET=" + notifySocket + ": "
					+ LibC.INSTANCE.strerror(e.getErrorCode()), e);
		}
	}

	String name() {
		return name;
	}

	/** Sends one datagram; the IOException names the socket and the errno. */
	void send(String message) throws IOException {
		byte[] bytes = message.getBytes(StandardCharsets.UTF_8);
		try {
			LibC.INSTANCE.sendto(fd, bytes, bytes.length, LibC.MSG_DONTWAIT | LibC.MSG_NOSIGNAL,
					address.bytes(), address.length());
		} catch (LastErrorException e) {
			throw new IOException("cannot reach NOTIFY_SOCKET=" + name + ": " + LibC.INSTANCE.strerror(e.getErrorCode()), e);
		}
	}

	@Override
	public void close() {
		try {
			LibC.INSTANCE.close(fd);
		} catch (LastErrorException e) {
			// nothing to do: the descriptor is gone either way
		}
	}
}
