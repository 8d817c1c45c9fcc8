package io.pidwatcher.reader.device.internal;

import io.pidwatcher.api.reader.ExitEvent;
import io.pidwatcher.api.reader.ExitListener;
import io.pidwatcher.api.reader.TaskId;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import java.util.OptionalInt;
import java.util.function.Consumer;

import org.osgi.service.log.Logger;

/**
 * Holds an event-mode fd of /dev/pidwatcher and turns its exit records into {@link ExitEvent}s
 * for every {@link ExitListener}, as soon as poll() says one is queued.
 */
final class ExitEventLoop implements Runnable {

	/** Bound on how long a stop request waits for the thread to notice. */
	private static final int POLL_MILLIS = 250;

	/** What pw:source shows about the last exit this loop delivered. */
	record LastExit(int pid, String module, double kernelLatencyMillis, Instant deliveredAt) {
	}

	private final DeviceFile events;
	private final List<ExitListener> listeners;
	private final Logger logger;
	private final Consumer<String> onBroken;
	private final Thread thread;
	private volatile boolean running = true;
	private volatile long delivered;
	private volatile long lost;
	private volatile LastExit last;

	ExitEventLoop(String devicePath, List<ExitListener> listeners, Logger logger, Consumer<String> onBroken)
			throws IOException {
		this.events = DeviceFile.open(devicePath, true);
		try {
			events.command("events");
		} catch (IOException e) {
			events.close();
			throw e;
		}
		this.listeners = listeners;
		this.logger = logger;
		this.onBroken = onBroken;
		this.thread = new Thread(this, "pidwatcher-device-events");
		thread.setDaemon(true);
	}

	void start() {
		thread.start();
	}

	@Override
	public void run() {
		byte[] buf = new byte[128 * 1024];
		StringBuilder partial = new StringBuilder();
		try {
			while (running) {
				int revents = events.poll(POLL_MILLIS);
				if (revents == 0) {
					continue;
				}
				if ((revents & (LibC.POLLERR | LibC.POLLHUP | LibC.POLLNVAL)) != 0) {
					throw new IOException("poll on the event fd reported 0x" + Integer.toHexString(revents));
				}
				int n;
				while ((n = events.readEvents(buf)) > 0) {
					long seenNanos = System.nanoTime();
					long seenBoottime = LibC.boottimeNanos();
					Instant seenAt = Instant.now();
					partial.append(new String(buf, 0, n, StandardCharsets.ISO_8859_1));
					int nl;
					while ((nl = partial.indexOf("\n")) >= 0) {
						String line = partial.substring(0, nl);
						partial.delete(0, nl + 1);
						handle(line, seenNanos, seenBoottime, seenAt);
					}
				}
			}
		} catch (IOException | RuntimeException e) {
			if (running) {
				onBroken.accept("exit events failed: " + e.getMessage());
			}
		} finally {
			events.close();
		}
	}

	private void handle(String line, long seenNanos, long seenBoottime, Instant seenAt) {
		ExitRecord record;
		try {
			byte[] raw = line.getBytes(StandardCharsets.ISO_8859_1);
			record = DeviceProtocol.parseEvent(DeviceProtocol.ascii(raw, 0, raw.length, 1));
		} catch (ProtocolException e) {
			logger.error("ignored a malformed exit record from the device: {}", e.getMessage());
			return;
		}
		if (record instanceof ExitRecord.Lost l) {
			lost += l.count();
			logger.warn("the device dropped {} exit records (queue overflow); the next scan catches up", l.count());
			return;
		}
		ExitRecord.Exit exit = (ExitRecord.Exit) record;
		long start = exit.startNanos() / DeviceReader.NANOS_PER_TICK * DeviceReader.NANOS_PER_TICK;
		ExitEvent event = new ExitEvent(new TaskId(exit.pid(), start), exit.value(), OptionalInt.of(exit.exitCode()),
				seenNanos, "device");
		for (ExitListener listener : listeners) {
			try {
				listener.exited(event);
			} catch (RuntimeException e) {
				logger.error("exit listener {} failed on {}: {}", listener, event, e.toString());
			}
		}
		delivered++;
		last = new LastExit(exit.pid(), exit.value(), (seenBoottime - exit.exitBoottimeNanos()) / 1e6, seenAt);
	}

	/** Lines for pw:source. */
	List<String> facts() {
		LastExit l = last;
		String lastLine = l == null ? "exit events delivered: 0"
				: String.format("exit events delivered: %d (lost %d); last: pid %d module %s, %.3f ms after the kernel "
						+ "saw it exit, at %d us since the epoch", delivered, lost, l.pid(), l.module(),
						l.kernelLatencyMillis(), l.deliveredAt().getEpochSecond() * 1_000_000L + l.deliveredAt().getNano() / 1000);
		return List.of("event mode: device poll (exit records from the kernel, instant)", lastLine);
	}

	void stop() {
		running = false;
		if (Thread.currentThread() != thread) {
			try {
				thread.join(2000);
			} catch (InterruptedException e) {
				Thread.currentThread().interrupt();
			}
		}
	}
}
