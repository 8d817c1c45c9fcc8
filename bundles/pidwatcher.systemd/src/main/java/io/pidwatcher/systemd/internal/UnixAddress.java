package io.pidwatcher.systemd.internal;

import java.nio.charset.StandardCharsets;

/**
 * A {@code struct sockaddr_un} as bytes, from a NOTIFY_SOCKET value: an absolute path, or an
 * abstract name written with a leading '@' that the kernel wants as a NUL with the exact length
 * (a trailing NUL or padding would name another socket).
 *
 * @param bytes  family, then the path
 * @param length what to pass as the address length
 */
record UnixAddress(byte[] bytes, int length) {

	/** sizeof(sun_path) on Linux. */
	private static final int PATH_MAX = 108;
	private static final int FAMILY_BYTES = 2;

	/** Parses a NOTIFY_SOCKET value; throws with a message that names the value. */
	static UnixAddress parse(String value) {
		if (value == null || value.isEmpty()) {
			throw new IllegalArgumentException("NOTIFY_SOCKET is empty");
		}
		boolean abstractName = value.charAt(0) == '@';
		if (!abstractName && value.charAt(0) != '/') {
			throw new IllegalArgumentException("NOTIFY_SOCKET=" + value
					+ " is neither an absolute path nor an abstract socket name ('@...')");
		}
		byte[] path = value.getBytes(StandardCharsets.UTF_8);
		if (abstractName) {
			path[0] = 0;
		}
		// A path socket's name is NUL-terminated; an abstract one is exactly its bytes.
		int pathLength = abstractName ? path.length : path.length + 1;
		if (pathLength > PATH_MAX) {
			throw new IllegalArgumentException("NOTIFY_SOCKET=" + value + " is longer than a socket path may be ("
					+ PATH_MAX + " bytes)");
		}
		byte[] address = new byte[FAMILY_BYTES + PATH_MAX];
		address[0] = (byte) LibC.AF_UNIX; // sa_family_t, little endian
		System.arraycopy(path, 0, address, FAMILY_BYTES, path.length);
		return new UnixAddress(address, FAMILY_BYTES + pathLength);
	}
}
