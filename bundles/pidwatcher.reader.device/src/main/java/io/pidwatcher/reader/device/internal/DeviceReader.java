package io.pidwatcher.reader.device.internal;

import io.pidwatcher.api.reader.ProcessReader;
import io.pidwatcher.api.reader.ProcessSnapshot;
import io.pidwatcher.api.reader.ReaderDescription;
import io.pidwatcher.api.reader.ScanScope;
import io.pidwatcher.api.reader.TaskSnapshot;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;
import java.util.function.Supplier;

/**
 * {@link ProcessReader} over /dev/pidwatcher. Registered by {@link DeviceWatcher} only while the
 * device is present, speaks protocol 2 and watches the configured tag, so it never has to answer
 * for a device that is not there.
 *
 * <p>Start times are reported in whole clock ticks (10 ms), exactly as /proc shows them, so a
 * {@link io.pidwatcher.api.reader.TaskId} is the same whichever reader produced it: consumers keep track
 * of every process when readers switch, and can dedupe exit events across readers.
 */
final class DeviceReader implements ProcessReader {

	/** /proc's resolution of start times (USER_HZ = 100). */
	static final long NANOS_PER_TICK = 10_000_000L;
	/** Longest "value v" command the module accepts is 256 bytes including "value " and '\n'. */
	private static final int MAX_FILTER_VALUE = 256 - "value ".length() - 1;

	private record ScanCost(Duration duration, int rows) {
	}

	private final String devicePath;
	private final String tagName;
	private final Supplier<List<String>> eventFacts;
	private final Consumer<String> onBroken;

	private final Object lock = new Object();
	private DeviceFile file; // under lock
	private byte[] buffer = new byte[64 * 1024]; // under lock
	private volatile ScanCost lastScan = new ScanCost(Duration.ZERO, 0);

	DeviceReader(String devicePath, String tagName, Supplier<List<String>> eventFacts, Consumer<String> onBroken) {
		this.devicePath = devicePath;
		this.tagName = tagName;
		this.eventFacts = eventFacts;
		this.onBroken = onBroken;
	}

	@Override
	public ProcessSnapshot scan(ScanScope scope) {
		long started = System.nanoTime();
		Instant wallClock = Instant.now();
		DeviceSnapshot snapshot;
		try {
			synchronized (lock) {
				if (file == null) {
					file = DeviceFile.open(devicePath, false);
				}
				file.command(command(scope));
				int[] length = new int[1];
				buffer = file.readSnapshot(buffer, length);
				snapshot = DeviceProtocol.parseSnapshot(buffer, length[0]);
			}
		} catch (IOException | ProtocolException | RuntimeException e) {
			// Never let a broken device fail a consumer's scan: report "incomplete" (truncated, nothing
			// listed, so no consumer concludes that processes exited) and have the watcher stand the
			// reader down, which hands over to /proc.
			closeFile();
			onBroken.accept("scan failed: " + e.getMessage());
			return new ProcessSnapshot("device", tagName, scope, started, wallClock, List.of(), true);
		}
		List<TaskSnapshot> tasks = new ArrayList<>(snapshot.tasks().size());
		for (TaskSnapshot t : snapshot.tasks()) {
			if (scope.admits(t.tagValue())) {
				tasks.add(inTicks(t));
			}
		}
		long finished = System.nanoTime();
		lastScan = new ScanCost(Duration.ofNanos(finished - started), snapshot.tasks().size());
		return new ProcessSnapshot("device", tagName, scope, started + (finished - started) / 2, wallClock, tasks,
				snapshot.truncated());
	}

	/** The kernel-side filter for a scope; a value the module cannot take is filtered here instead. */
	static String command(ScanScope scope) {
		return switch (scope.kind()) {
			case TAGGED -> "all-tagged";
			case EVERYTHING -> "all";
			case MODULE -> {
				byte[] v = scope.module().getBytes(StandardCharsets.UTF_8);
				boolean sendable = v.length <= MAX_FILTER_VALUE && !scope.module().contains("\0")
						&& !scope.module().endsWith("\n");
				yield sendable ? "value " + scope.module() : "all-tagged";
			}
		};
	}

	static TaskSnapshot inTicks(TaskSnapshot t) {
		long start = t.startTimeNanos() / NANOS_PER_TICK * NANOS_PER_TICK;
		return new TaskSnapshot(t.pid(), t.ppid(), t.tgid(), t.threads(), t.state(), t.uid(), t.comm(), start,
				t.cpuTimeNanos(), t.rssBytes(), t.tagValue(), t.membership());
	}

	@Override
	public String tagName() {
		return tagName;
	}

	@Override
	public ReaderDescription describe() {
		ScanCost cost = lastScan;
		List<String> lines = new ArrayList<>();
		lines.add("reads " + devicePath + " (protocol " + DeviceProtocol.VERSION + "); filters run in the kernel");
		lines.add("scan scopes: tagged, module, everything");
		lines.addAll(eventFacts.get());
		lines.add("to unload the module, first set enabled=false in etc/pidwatcher.device.cfg (an open fd pins it)");
		return new ReaderDescription("device", tagName, lines, cost.duration(), cost.rows(), 0);
	}

	void closeFile() {
		synchronized (lock) {
			if (file != null) {
				file.close();
				file = null;
			}
		}
	}
}
