package org.example.pidwatcher.tcp;

import io.pidwatcher.api.policy.HealthCheck;
import io.pidwatcher.api.policy.HealthPolicy;
import io.pidwatcher.api.policy.HealthVerdict;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.util.Map;

import org.osgi.service.component.annotations.Component;

/**
 * Health policy {@code tcp}: a module is healthy while {@code policy.tcp.host}:{@code
 * policy.tcp.port} accepts a TCP connection within {@code policy.tcp.timeout}.
 *
 * <pre>
 * policies=tcp
 * policy.tcp.port=8080
 * policy.tcp.host=127.0.0.1   (default)
 * policy.tcp.timeout=1s       (default; the grammar of DurationText, at most 10s)
 * </pre>
 *
 * The probe runs on the watchdog's evaluation of this module, so the timeout bounds how long one
 * evaluation may take: keep it short. A refused connection (nothing listening) answers at once.
 */
@Component(property = HealthPolicy.NAME_PROPERTY + "=tcp")
public final class TcpProbePolicy implements HealthPolicy {

	@Override
	public HealthVerdict evaluate(HealthCheck check) {
		TcpProbe probe = TcpProbe.of(check.parameters());
		long started = System.nanoTime();
		try (Socket socket = new Socket()) {
			socket.connect(new InetSocketAddress(probe.host(), probe.port()), (int) probe.timeout().toMillis());
			long micros = (System.nanoTime() - started) / 1000;
			return new HealthVerdict.Healthy("tcp " + probe + " answered in " + micros / 1000 + "." + micros % 1000 / 100 + "ms");
		} catch (IOException e) {
			return new HealthVerdict.Unhealthy("tcp " + probe + " does not answer: " + e.getMessage());
		}
	}

	/** Called when a module's config is read: a bad value marks the config invalid at once. */
	@Override
	public void checkParameters(Map<String, String> parameters) {
		TcpProbe.of(parameters);
	}
}
