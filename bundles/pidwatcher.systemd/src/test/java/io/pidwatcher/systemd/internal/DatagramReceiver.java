package io.pidwatcher.systemd.internal;

import com.sun.jna.LastErrorException;

import java.io.Closeable;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/** A real AF_UNIX datagram socket bound where systemd's would be, read by the tests. */
final class DatagramReceiver implements Closeable {

	private static final int EAGAIN = 11;
	private final int fd;

	DatagramReceiver(String notifySocket) {
		UnixAddress address = UnixAddress.parse(notifySocket);
		fd = LibC.INSTANCE.socket(LibC.AF_UNIX, LibC.SOCK_DGRAM | LibC.SOCK_CLOEXEC | LibC.SOCK_NONBLOCK, 0);
		LibC.INSTANCE.bind(fd, address.bytes(), address.length());
	}

	/** The next datagram, or null when none arrives within {@code timeout}. */
	String next(Duration timeout) throws InterruptedException {
		long deadline = System.nanoTime() + timeout.toNanos();
		byte[] buffer = new byte[4096];
		do {
			try {
				long n = LibC.INSTANCE.recv(fd, buffer, buffer.length, 0);
				return new String(buffer, 0, (int) n, StandardCharsets.UTF_8);
			} catch (LastErrorException e) {
				if (e.getErrorCode() != EAGAIN) {
					throw e;
				}
			}
			Thread.sleep(5);
		} while (System.nanoTime() < deadline);
		return null;
	}

	/** Every datagram that arrives within {@code window}. */
	List<String> drain(Duration window) throws InterruptedException {
		List<String> all = new ArrayList<>();
		long deadline = System.nanoTime() + window.toNanos();
		String m;
		while ((m = next(Duration.ofNanos(Math.max(0, deadline - System.nanoTime())))) != null) {
			all.add(m);
		}
		return all;
	}

	@Override
	public void close() {
		LibC.INSTANCE.close(fd);
	}
}
