package io.pidwatcher.watchdog.internal;

import com.sun.jna.Library;
import com.sun.jna.Memory;
import com.sun.jna.Native;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.BiConsumer;

/**
 * The systemd notify protocol: one datagram socket per module, named in the program's
 * {@code NOTIFY_SOCKET}, on which it sends {@code READY=1} and {@code WATCHDOG=1}. Java's own
 * channels cannot do Unix datagram sockets before Java 21, so this goes through JNA; one thread
 * polls every socket.
 *
 * <p>Sockets live under {@code var/run/notify/} when the path fits in a sockaddr_un, otherwise in
 * the abstract namespace ({@code @...}, which sd_notify understands too).
 */
final class NotifySockets {

	private static final int AF_UNIX = 1, SOCK_DGRAM = 2, SOCK_NONBLOCK = 0x800, SOCK_CLOEXEC = 0x80000;
	private static final short POLLIN = 1;
	private static final int MSG_DONTWAIT = 0x40;
	private static final int POLL_MILLIS = 250;

	/** libc calls for datagram sockets. */
	interface LibC extends Library {
		int socket(int domain, int type, int protocol);

		int bind(int fd, byte[] address, int length);

		int recv(int fd, byte[] buffer, long length, int flags);

		int poll(Memory fds, long count, int timeoutMillis);

		int close(int fd);
	}

	private final Path dir;
	private final BiConsumer<String, String> listener;
	private final Map<String, Integer> open = new HashMap<>();
	private final List<Integer> closing = new ArrayList<>();
	private long abstractOpens;
	private LibC libc;
	private Thread poller;
	private volatile boolean closed;

	NotifySockets(Path dir, BiConsumer<String, String> listener) {
		this.dir = dir;
		this.listener = listener;
	}

	/** Opens (or reopens) the module's socket; returns the value for NOTIFY_SOCKET. */
	synchronized Path open(String module) throws IOException {
		if (libc == null) {
			libc = Native.load("c", LibC.class);
		}
		Integer old = open.remove(module);
		if (old != null) {
			closing.add(old);
		}
		Files.createDirectories(dir);
		Path path = dir.resolve(module + ".sock");
		String name = path.toString();
		boolean abstractName = name.getBytes(StandardCharsets.UTF_8).length > 100;
		if (abstractName) {
			// One name per open: the previous socket of this module is closed lazily by the poller,
			// and an abstract name cannot be unlinked first the way a path can (EADDRINUSE otherwise).
			name = "@pidwatcher/" + Integer.toHexString(dir.hashCode()) + "/" + module + "." + (++abstractOpens);
		} else {
			Files.deleteIfExists(path);
		}
		int fd = libc.socket(AF_UNIX, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
		if (fd < 0) {
			throw new IOException("socket(AF_UNIX, SOCK_DGRAM) failed: errno " + Native.getLastError());
		}
		byte[] bytes = name.getBytes(StandardCharsets.UTF_8);
		byte[] address = new byte[2 + bytes.length + 1];
		address[0] = AF_UNIX; // sa_family, little-endian short
		System.arraycopy(bytes, 0, address, 2, bytes.length);
		if (abstractName) {
			address[2] = 0; // a leading NUL byte names an abstract socket
		}
		int length = abstractName ? 2 + bytes.length : address.length;
		if (libc.bind(fd, address, length) != 0) {
			int errno = Native.getLastError();
			libc.close(fd);
			throw new IOException("bind(" + name + ") failed: errno " + errno);
		}
		open.put(module, fd);
		if (poller == null) {
			poller = new Thread(this::pollLoop, "pidwatcher-notify");
			poller.setDaemon(true);
			poller.start();
		}
		return Path.of(name);
	}

	synchronized void close(String module) {
		Integer fd = open.remove(module);
		if (fd != null) {
			closing.add(fd);
		}
	}

	void close() {
		closed = true;
		Thread t;
		synchronized (this) {
			t = poller;
		}
		if (t != null) {
			t.interrupt();
		}
	}

	private void pollLoop() {
		byte[] buffer = new byte[4096];
		while (!closed) {
			Map<Integer, String> byFd = new HashMap<>();
			synchronized (this) {
				for (int fd : closing) {
					libc.close(fd);
				}
				closing.clear();
				open.forEach((module, fd) -> byFd.put(fd, module));
			}
			if (byFd.isEmpty()) {
				try {
					Thread.sleep(POLL_MILLIS);
				} catch (InterruptedException e) {
					return;
				}
				continue;
			}
			List<Integer> fds = new ArrayList<>(byFd.keySet());
			Memory pollfds = new Memory(8L * fds.size());
			for (int i = 0; i < fds.size(); i++) {
				pollfds.setInt(8L * i, fds.get(i));
				pollfds.setShort(8L * i + 4, POLLIN);
				pollfds.setShort(8L * i + 6, (short) 0);
			}
			int ready = libc.poll(pollfds, fds.size(), POLL_MILLIS);
			if (ready <= 0) {
				continue;
			}
			for (int i = 0; i < fds.size(); i++) {
				if (pollfds.getShort(8L * i + 6) == 0) {
					continue;
				}
				int fd = fds.get(i);
				int n;
				synchronized (this) {
					if (!open.containsValue(fd)) {
						continue;
					}
					n = libc.recv(fd, buffer, buffer.length, MSG_DONTWAIT);
				}
				while (n > 0) {
					listener.accept(byFd.get(fd), new String(buffer, 0, n, StandardCharsets.UTF_8));
					synchronized (this) {
						n = open.containsValue(fd) ? libc.recv(fd, buffer, buffer.length, MSG_DONTWAIT) : -1;
					}
				}
			}
		}
		synchronized (this) {
			if (libc != null) {
				open.values().forEach(libc::close);
				closing.forEach(libc::close);
			}
			open.clear();
			closing.clear();
		}
	}
}
