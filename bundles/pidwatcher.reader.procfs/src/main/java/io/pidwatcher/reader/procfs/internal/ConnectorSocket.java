package io.pidwatcher.reader.procfs.internal;

import com.sun.jna.LastErrorException;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.Consumer;

/**
 * A netlink socket subscribed to the kernel's process events connector (NETLINK_CONNECTOR, group
 * CN_IDX_PROC, PROC_CN_MCAST_LISTEN). {@link #open} returns only once the kernel has acknowledged
 * the subscription: in a container or without CAP_NET_ADMIN the bind or the listen request is
 * refused, and the reason says which, so the reader can fall back to scanning and say why.
 */
final class ConnectorSocket implements AutoCloseable {

	/** Thrown when the connector cannot be had here; the message is for pw:source. */
	static final class UnavailableException extends Exception {
		private static final long serialVersionUID = 1L;

		UnavailableException(String message) {
			super(message);
		}
	}

	/** What one {@link #receive} got. */
	enum Received { DATA, NOTHING, LOST }

	static final int PROC_CN_MCAST_LISTEN = 1, PROC_CN_MCAST_IGNORE = 2;
	private static final long ACK_TIMEOUT_MILLIS = 2000;

	private final int fd;
	private final int receiveBuffer;
	private int length;
	private volatile long drainedAt = Long.MIN_VALUE;

	private ConnectorSocket(int fd, int receiveBuffer) {
		this.fd = fd;
		this.receiveBuffer = receiveBuffer;
	}

	/**
	 * Opens, binds and subscribes. {@code receiveBufferBytes} sizes the kernel's queue for this
	 * socket (SO_RCVBUFFORCE, beyond rmem_max, as root); events that do not fit are lost and
	 * reported as {@link Received#LOST}. Events that arrive before the acknowledgement are dropped:
	 * the caller scans /proc in full after this returns, which covers them.
	 */
	static ConnectorSocket open(int receiveBufferBytes, Consumer<String> skipped)
			throws UnavailableException {
		LinuxCalls c;
		int fd;
		try {
			c = LinuxCalls.INSTANCE;
			fd = c.socket(LinuxCalls.AF_NETLINK, LinuxCalls.SOCK_DGRAM | LinuxCalls.SOCK_CLOEXEC,
					LinuxCalls.NETLINK_CONNECTOR);
		} catch (LastErrorException e) {
			throw new UnavailableException("no netlink connector socket (" + errno(e)
					+ "; a kernel without CONFIG_CONNECTOR?)");
		} catch (UnsatisfiedLinkError | RuntimeException e) {
			throw new UnavailableException("cannot call socket() through JNA: " + e);
		}
		ConnectorSocket socket = new ConnectorSocket(fd, receiveBufferBytes);
		try {
			socket.sizeReceiveBuffer(receiveBufferBytes);
			socket.bind();
			long ack = ThreadLocalRandom.current().nextInt(1, Integer.MAX_VALUE);
			socket.request(PROC_CN_MCAST_LISTEN, ack);
			socket.awaitAck(ack, skipped);
			return socket;
		} catch (UnavailableException | RuntimeException e) {
			socket.closeQuietly();
			throw e;
		}
	}

	private void sizeReceiveBuffer(int bytes) {
		try {
			LinuxCalls.INSTANCE.setsockopt(fd, LinuxCalls.SOL_SOCKET, LinuxCalls.SO_RCVBUFFORCE, new int[] { bytes }, 4);
		} catch (LastErrorException e) {
			try { // not root: as much as net.core.rmem_max allows
				LinuxCalls.INSTANCE.setsockopt(fd, LinuxCalls.SOL_SOCKET, LinuxCalls.SO_RCVBUF, new int[] { bytes }, 4);
			} catch (LastErrorException ignored) {
				// the default size then
			}
		}
	}

	/** The kernel's queue size for this socket, in bytes (it doubles what was asked, for overhead). */
	int receiveBufferBytes() {
		int[] value = new int[1];
		try {
			LinuxCalls.INSTANCE.getsockopt(fd, LinuxCalls.SOL_SOCKET, LinuxCalls.SO_RCVBUF, value, new int[] { 4 });
			return value[0];
		} catch (LastErrorException e) {
			return receiveBuffer;
		}
	}

	private void bind() throws UnavailableException {
		// struct sockaddr_nl: family, pad, pid (0: the kernel picks), groups
		ByteBuffer addr = ByteBuffer.allocate(12).order(ByteOrder.nativeOrder());
		addr.putShort((short) LinuxCalls.AF_NETLINK).putShort((short) 0).putInt(0).putInt(ProcEventParser.CN_IDX_PROC);
		try {
			LinuxCalls.INSTANCE.bind(fd, addr.array(), 12);
		} catch (LastErrorException e) {
			throw new UnavailableException("bind to the process events connector refused (" + errno(e)
					+ (e.getErrorCode() == 1 ? ": needs root or CAP_NET_ADMIN" : "") + ")");
		}
	}

	private void request(int op, long ack) throws UnavailableException {
		ByteBuffer msg = ByteBuffer.allocate(ProcEventParser.NLMSG_HDRLEN + ProcEventParser.CN_MSG_LEN + 4)
				.order(ByteOrder.nativeOrder());
		msg.putInt(msg.capacity()).putShort((short) ProcEventParser.NLMSG_DONE).putShort((short) 0).putInt(0)
				.putInt((int) ProcessHandle.current().pid());
		msg.putInt(ProcEventParser.CN_IDX_PROC).putInt(ProcEventParser.CN_VAL_PROC).putInt(0).putInt((int) ack)
				.putShort((short) 4).putShort((short) 0);
		msg.putInt(op);
		try {
			LinuxCalls.INSTANCE.send(fd, msg.array(), msg.capacity(), 0);
		} catch (LastErrorException e) {
			throw new UnavailableException("sending the connector request failed (" + errno(e) + ")");
		}
	}

	private void awaitAck(long ack, Consumer<String> skipped) throws UnavailableException {
		byte[] buffer = new byte[8192];
		long deadline = System.nanoTime() + ACK_TIMEOUT_MILLIS * 1_000_000;
		while (System.nanoTime() < deadline) {
			Received r = receive(buffer, (int) Math.max(1, (deadline - System.nanoTime()) / 1_000_000), -1);
			if (r != Received.DATA) {
				continue; // nothing yet, or events lost that the caller's full scan covers
			}
			for (ProcEvent e : ProcEventParser.parse(buffer, length, skipped).events()) {
				if (e instanceof ProcEvent.Ack a && a.ack() == ((ack + 1) & 0xffffffffL)) {
					if (a.error() != 0) {
						throw new UnavailableException("the kernel refused the process events subscription (errno "
								+ a.error() + (a.error() == 1 ? ": not in the initial namespaces, a container?" : "")
								+ ")");
					}
					return;
				}
			}
		}
		String outside = outsideInitialNamespaces();
		throw new UnavailableException("the kernel never acknowledged the process events subscription within "
				+ ACK_TIMEOUT_MILLIS + " ms (" + (outside != null ? "this process is outside the initial " + outside
						+ " namespace, a container? The kernel ignores listeners there"
						: "a kernel without CONFIG_PROC_EVENTS?") + ")");
	}

	/**
	 * Which of the user and pid namespaces is not the initial one, or null. The kernel gives the
	 * initial ones fixed inode numbers (PROC_USER_INIT_INO, PROC_PID_INIT_INO), so this needs no
	 * view of any other process.
	 */
	static String outsideInitialNamespaces() {
		List<String> outside = new ArrayList<>();
		if (!namespaceIs("user", 0xEFFFFFFDL)) {
			outside.add("user");
		}
		if (!namespaceIs("pid", 0xEFFFFFFCL)) {
			outside.add("pid");
		}
		return outside.isEmpty() ? null : String.join(" and ", outside);
	}

	private static boolean namespaceIs(String kind, long initialInode) {
		try {
			return Files.readSymbolicLink(Path.of("/proc/self/ns", kind)).toString().equals(kind + ":[" + initialInode + "]");
		} catch (IOException | RuntimeException e) {
			return true; // cannot tell: say nothing about namespaces
		}
	}

	/**
	 * Reads one datagram into {@code buffer} ({@link #length()}): at once if one is queued, else
	 * after waiting up to {@code timeoutMillis} for one, or for {@code wakeFd} (an eventfd, -1 for
	 * none) to become readable. The caller handles each datagram before it calls again, so when
	 * the queue is found empty, every record queued before that moment has been handled
	 * ({@link #drainedAt()}).
	 */
	Received receive(byte[] buffer, int timeoutMillis, int wakeFd) {
		long before = System.nanoTime();
		Received queued = receiveQueued(buffer);
		if (queued != null) {
			return queued;
		}
		drainedAt = before;
		int[] fds = wakeFd >= 0 ? new int[] { fd, LinuxCalls.POLLIN, wakeFd, LinuxCalls.POLLIN }
				: new int[] { fd, LinuxCalls.POLLIN };
		try {
			LinuxCalls.INSTANCE.poll(fds, fds.length / 2, timeoutMillis);
		} catch (LastErrorException e) {
			return Received.NOTHING; // EINTR
		}
		if ((fds[1] >>> 16) == 0) {
			return Received.NOTHING;
		}
		queued = receiveQueued(buffer);
		return queued != null ? queued : Received.NOTHING;
	}

	/** One datagram if one is queued; null when the queue is empty (EAGAIN). */
	private Received receiveQueued(byte[] buffer) {
		try {
			length = (int) LinuxCalls.INSTANCE.recv(fd, buffer, buffer.length, LinuxCalls.MSG_DONTWAIT);
			return Received.DATA;
		} catch (LastErrorException e) {
			if (e.getErrorCode() == LinuxCalls.ENOBUFS) {
				return Received.LOST;
			}
			return e.getErrorCode() == LinuxCalls.EAGAIN ? null : Received.NOTHING; // EINTR: try again later
		}
	}

	/**
	 * {@link System#nanoTime()} just before the connector thread last found the queue empty
	 * (Long.MIN_VALUE before that): every record the kernel queued before then has been handled.
	 */
	long drainedAt() {
		return drainedAt;
	}

	int length() {
		return length;
	}

	@Override
	public void close() {
		try {
			request(PROC_CN_MCAST_IGNORE, 0); // older kernels count listeners until told
		} catch (UnavailableException e) {
			// closing anyway
		}
		closeQuietly();
	}

	private void closeQuietly() {
		try {
			LinuxCalls.INSTANCE.close(fd);
		} catch (LastErrorException e) {
			// gone either way
		}
	}

	private static String errno(LastErrorException e) {
		return "errno " + e.getErrorCode();
	}
}
