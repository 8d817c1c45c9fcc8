package io.pidwatcher.reader.device.internal;

/** Device output that does not follow protocol version 2; the message says where and why. */
final class ProtocolException extends Exception {

	private static final long serialVersionUID = 1L;

	ProtocolException(String message) {
		super(message);
	}
}
