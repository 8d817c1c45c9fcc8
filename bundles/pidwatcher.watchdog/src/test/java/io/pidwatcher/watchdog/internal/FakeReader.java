package io.pidwatcher.watchdog.internal;

import io.pidwatcher.api.reader.ProcessReader;
import io.pidwatcher.api.reader.ProcessSnapshot;
import io.pidwatcher.api.reader.ReaderDescription;
import io.pidwatcher.api.reader.ScanScope;
import io.pidwatcher.api.reader.TaskSnapshot;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Consumer;
import java.util.function.LongSupplier;

/**
 * A process table the test builds: snapshots of the tasks it put there, at the fake clock's time.
 * Its pids are above the kernel's largest pid_max (2^22), so a signal the engine sends to one of
 * them (a whole-tree stop) reaches no real process.
 */
final class FakeReader implements ProcessReader {

	static final int FIRST_PID = 5_000_000;

	private final LongSupplier clock;
	private final Map<Integer, TaskSnapshot> tasks = new TreeMap<>();
	/** Called before each scan of everything (what whole-tree stops scan): the test's programs react there. */
	private volatile Consumer<ScanScope> beforeScan = scope -> {
	};

	FakeReader(LongSupplier clock) {
		this.clock = clock;
	}

	synchronized void add(TaskSnapshot t) {
		if (t.pid() < FIRST_PID) {
			throw new IllegalArgumentException("pid " + t.pid() + " could be a real process; use pids from " + FIRST_PID);
		}
		tasks.put(t.pid(), t);
	}

	synchronized void remove(int pid) {
		tasks.remove(pid);
	}

	synchronized List<TaskSnapshot> tagged(String module) {
		return tasks.values().stream().filter(t -> module.equals(t.tagValue())).toList();
	}

	void beforeScan(Consumer<ScanScope> hook) {
		beforeScan = hook;
	}

	@Override
	public ProcessSnapshot scan(ScanScope scope) {
		beforeScan.accept(scope);
		List<TaskSnapshot> seen = new ArrayList<>();
		synchronized (this) {
			for (TaskSnapshot t : tasks.values()) {
				if (scope.admits(t.tagValue())) {
					seen.add(t);
				}
			}
		}
		return new ProcessSnapshot("fake", tagName(), scope, clock.getAsLong(), Instant.now(), seen, false);
	}

	@Override
	public String tagName() {
		return DEFAULT_TAG_NAME;
	}

	@Override
	public ReaderDescription describe() {
		return new ReaderDescription("fake", tagName(), List.of(), Duration.ZERO, 0, 0);
	}
}
