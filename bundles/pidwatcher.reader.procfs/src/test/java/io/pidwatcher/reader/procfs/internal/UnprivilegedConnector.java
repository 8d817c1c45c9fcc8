package io.pidwatcher.reader.procfs.internal;

/**
 * Tries to subscribe to the process events connector and prints the outcome. Started by
 * {@link ScanAsUnprivilegedUserTest} in a JVM that runs as nobody, where the kernel refuses it.
 */
public final class UnprivilegedConnector {

	private UnprivilegedConnector() {
	}

	public static void main(String[] args) {
		try (ConnectorSocket socket = ConnectorSocket.open(1 << 20, System.out::println)) {
			System.out.println("subscribed");
		} catch (ConnectorSocket.UnavailableException e) {
			System.out.println("unavailable: " + e.getMessage());
		}
	}
}
