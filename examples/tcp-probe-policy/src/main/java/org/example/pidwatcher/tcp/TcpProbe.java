package org.example.pidwatcher.tcp;

import io.pidwatcher.api.text.DurationText;

import java.time.Duration;
import java.util.Map;

/** Where and how long to probe, parsed from a module's {@code policy.tcp.*} keys. */
record TcpProbe(String host, int port, Duration timeout) {

	static final String DEFAULT_HOST = "127.0.0.1";
	static final String DEFAULT_TIMEOUT = "1s";
	static final Duration MAX_TIMEOUT = Duration.ofSeconds(10);

	/** @throws IllegalArgumentException naming the key and what is wrong with its value */
	static TcpProbe of(Map<String, String> parameters) {
		String host = parameters.getOrDefault("host", DEFAULT_HOST).trim();
		if (host.isEmpty()) {
			throw new IllegalArgumentException("policy.tcp.host: empty; give a host name or address (default " + DEFAULT_HOST + ")");
		}
		String portText = parameters.get("port");
		if (portText == null || portText.isBlank()) {
			throw new IllegalArgumentException("policy.tcp.port is required: the TCP port that must accept connections");
		}
		int port;
		try {
			port = Integer.parseInt(portText.trim());
		} catch (NumberFormatException e) {
			throw new IllegalArgumentException("policy.tcp.port: '" + portText + "' is not a port number (1-65535)");
		}
		if (port < 1 || port > 65535) {
			throw new IllegalArgumentException("policy.tcp.port: " + port + " is out of range (1-65535)");
		}
		Duration timeout;
		try {
			timeout = DurationText.parse(parameters.getOrDefault("timeout", DEFAULT_TIMEOUT));
		} catch (IllegalArgumentException e) {
			throw new IllegalArgumentException("policy.tcp.timeout: " + e.getMessage(), e);
		}
		if (timeout.isZero() || timeout.isNegative() || timeout.compareTo(MAX_TIMEOUT) > 0) {
			throw new IllegalArgumentException("policy.tcp.timeout: " + DurationText.format(timeout)
					+ " is out of range (more than 0, at most " + DurationText.format(MAX_TIMEOUT) + ")");
		}
		return new TcpProbe(host, port, timeout);
	}

	@Override
	public String toString() {
		return host + ":" + port;
	}
}
