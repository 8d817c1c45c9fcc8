package io.pidwatcher.testing;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;

/** The loopback interface for tests of daemons that listen (nginx, PostgreSQL, readiness probes). */
public final class Loopback {

	private Loopback() {
	}

	/** A TCP port on 127.0.0.1 that was free a moment ago (the kernel's choice, so tests running at once differ). */
	public static int freePort() throws IOException {
		try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
			return s.getLocalPort();
		}
	}

	/** Whether a connect to 127.0.0.1:port succeeds within a second. */
	public static boolean accepts(int port) {
		try (Socket s = new Socket()) {
			s.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 1000);
			return true;
		} catch (IOException e) {
			return false;
		}
	}
}
