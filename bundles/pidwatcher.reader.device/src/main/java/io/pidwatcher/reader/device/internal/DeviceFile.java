package io.pidwatcher.reader.device.internal;

import com.sun.jna.LastErrorException;
import com.sun.jna.Memory;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * One open file descriptor of /dev/pidwatcher. The device's semantics (a write replaces the
 * fd's snapshot; "events" turns the fd into a stream of exit records) need plain read/write/poll on
 * a raw fd, which java.io does not give, hence JNA. Not thread-safe: callers serialise.
 */
final class DeviceFile implements AutoCloseable {

	private static final int CHUNK = 256 * 1024;

	private final String path;
	private int fd;
	private final Memory chunk = new Memory(CHUNK);

	private DeviceFile(String path, int fd) {
		this.path = path;
		this.fd = fd;
	}

	static DeviceFile open(String path, boolean nonBlocking) throws IOException {
		try {
			int flags = LibC.O_RDWR | LibC.O_CLOEXEC | (nonBlocking ? LibC.O_NONBLOCK : 0);
			return new DeviceFile(path, LibC.INSTANCE.open(path, flags));
		} catch (LastErrorException e) {
			throw failure("open", path, e);
		}
	}

	/** Writes one command; the module takes a fresh snapshot (or switches to events) and rewinds. */
	void command(String command) throws IOException {
		byte[] bytes = (command + "\n").getBytes(StandardCharsets.UTF_8);
		try {
			long n = LibC.INSTANCE.write(fd, bytes, bytes.length);
			if (n != bytes.length) {
				throw new IOException("short write of command to " + path + ": " + n + " of " + bytes.length + " bytes");
			}
		} catch (LastErrorException e) {
			throw failure("write command '" + command + "' to", path, e);
		}
	}

	/** Reads the fd's snapshot from offset 0 to end of file into {@code buffer}, growing it; returns the length. */
	byte[] readSnapshot(byte[] buffer, int[] length) throws IOException {
		try {
			LibC.INSTANCE.lseek(fd, 0, LibC.SEEK_SET);
			int total = 0;
			for (;;) {
				long n = LibC.INSTANCE.read(fd, chunk, CHUNK);
				if (n <= 0) {
					break;
				}
				if (total + n > buffer.length) {
					buffer = Arrays.copyOf(buffer, Math.max(buffer.length * 2, total + (int) n));
				}
				chunk.read(0, buffer, total, (int) n);
				total += (int) n;
			}
			length[0] = total;
			return buffer;
		} catch (LastErrorException e) {
			throw failure("read", path, e);
		}
	}

	/**
	 * Reads what is queued on an event-mode fd: whole lines, possibly several. Returns 0 bytes when
	 * nothing is queued (the fd is non-blocking).
	 */
	int readEvents(byte[] into) throws IOException {
		try {
			long n = LibC.INSTANCE.read(fd, chunk, Math.min(CHUNK, into.length));
			if (n > 0) {
				chunk.read(0, into, 0, (int) n);
			}
			return (int) Math.max(n, 0);
		} catch (LastErrorException e) {
			if (e.getErrorCode() == LibC.EAGAIN || e.getErrorCode() == LibC.EINTR) {
				return 0;
			}
			throw failure("read events from", path, e);
		}
	}

	/** poll(2) for POLLIN; returns the revents bits, 0 on timeout. */
	int poll(int timeoutMillis) throws IOException {
		int[] pollfd = { fd, LibC.POLLIN };
		try {
			int n = LibC.INSTANCE.poll(pollfd, 1, timeoutMillis);
			return n > 0 ? pollfd[1] >>> 16 : 0;
		} catch (LastErrorException e) {
			if (e.getErrorCode() == LibC.EINTR) {
				return 0;
			}
			throw failure("poll", path, e);
		}
	}

	@Override
	public void close() {
		if (fd >= 0) {
			try {
				LibC.INSTANCE.close(fd);
			} catch (LastErrorException e) {
				// nothing to do: the fd is gone either way
			}
			fd = -1;
		}
	}

	private static IOException failure(String what, String path, LastErrorException e) {
		return new IOException("cannot " + what + " " + path + ": " + e.getMessage() + " (errno " + e.getErrorCode() + ")", e);
	}
}
