package io.pidwatcher.watchdog.internal;

import io.pidwatcher.api.reader.ProcessSnapshot;

import java.util.function.Supplier;

/**
 * Scans of every process, shared by the callers that want one at the same time. A whole-tree
 * stop scans everything several times; readers run one scan at a time, so k stops at once queued
 * k times as many scans one behind the other (on 5,000 processes, 200 ms each, the queue made
 * scans wait 10 s and more). Here every caller still gets a snapshot whose scan began after it
 * asked, so nothing it did before (a signal sent) can be missing from it; callers that arrive
 * while a scan runs wait for it to end and share the next one.
 */
final class SharedScan {

	private final Supplier<ProcessSnapshot> scan;
	/** Scans begun so far; the running scan, if any, is number {@code begun}. */
	private long begun;
	/** The number of the last scan that completed, and its snapshot. */
	private long completed;
	private ProcessSnapshot last;
	private boolean running;

	SharedScan(Supplier<ProcessSnapshot> scan) {
		this.scan = scan;
	}

	ProcessSnapshot get() {
		long mine;
		synchronized (this) {
			// a running scan began before this call: only the next one (or any later) will do
			long wanted = begun + 1;
			while (true) {
				if (completed >= wanted) {
					return last;
				}
				if (!running) {
					running = true;
					mine = ++begun;
					break;
				}
				try {
					wait();
				} catch (InterruptedException e) {
					Thread.currentThread().interrupt();
					throw new IllegalStateException("interrupted while waiting for a scan", e);
				}
			}
		}
		ProcessSnapshot snapshot = null;
		try {
			snapshot = scan.get();
			return snapshot;
		} finally {
			synchronized (this) {
				running = false;
				if (snapshot != null) {
					completed = mine;
					last = snapshot;
				}
				notifyAll();
			}
		}
	}
}
