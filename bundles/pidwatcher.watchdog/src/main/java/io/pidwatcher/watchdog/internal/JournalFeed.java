package io.pidwatcher.watchdog.internal;

import io.pidwatcher.api.supervisor.JournalEntry;
import io.pidwatcher.api.supervisor.JournalListener;

import java.util.ArrayDeque;
import java.util.Deque;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.BiConsumer;

/**
 * Delivers every journal entry to every {@link JournalListener}, in journal order, each listener on
 * a delivery thread of its own with a bounded queue: the supervision loop only appends to queues,
 * so a slow or hung listener delays nothing but itself. On overflow the oldest undelivered entries
 * go, and the listener hears how many through {@code missed(count)} before its next entry.
 */
final class JournalFeed {

	static final int QUEUE_CAPACITY = 1000;

	private final Map<Object, Delivery> deliveries = new ConcurrentHashMap<>();
	private final BiConsumer<JournalListener, RuntimeException> failed;
	private final int capacity;

	/** @param failed told (once per listener) when a listener throws; delivery goes on */
	JournalFeed(int capacity, BiConsumer<JournalListener, RuntimeException> failed) {
		this.capacity = capacity;
		this.failed = failed;
	}

	void add(Object key, JournalListener listener) {
		Delivery d = new Delivery(listener);
		Delivery old = deliveries.put(key, d);
		if (old != null) {
			old.close();
		}
		d.thread.start();
	}

	void remove(Object key) {
		Delivery d = deliveries.remove(key);
		if (d != null) {
			d.close();
		}
	}

	/** Queues the entry for every listener; never blocks beyond a queue's own short lock. */
	void publish(JournalEntry entry) {
		for (Delivery d : deliveries.values()) {
			d.offer(entry);
		}
	}

	void close() {
		deliveries.values().forEach(Delivery::close);
		deliveries.clear();
	}

	private final class Delivery implements Runnable {

		private final JournalListener listener;
		private final Deque<JournalEntry> queue = new ArrayDeque<>();
		private final Thread thread;
		private int dropped;
		private boolean closed;
		private boolean complained;

		Delivery(JournalListener listener) {
			this.listener = listener;
			this.thread = new Thread(this, "pidwatcher-journal-" + listener.getClass().getSimpleName());
			this.thread.setDaemon(true);
		}

		synchronized void offer(JournalEntry e) {
			if (closed) {
				return;
			}
			if (queue.size() >= capacity) {
				queue.removeFirst();
				dropped++;
			}
			queue.addLast(e);
			notifyAll();
		}

		synchronized void close() {
			closed = true;
			queue.clear();
			notifyAll();
			thread.interrupt();
		}

		@Override
		public void run() {
			while (true) {
				JournalEntry next;
				int missed;
				synchronized (this) {
					while (queue.isEmpty() && !closed) {
						try {
							wait();
						} catch (InterruptedException e) {
							if (closed) {
								return;
							}
						}
					}
					if (closed) {
						return;
					}
					next = queue.removeFirst();
					missed = dropped;
					dropped = 0;
				}
				try {
					if (missed > 0) {
						listener.missed(missed);
					}
					listener.entry(next);
				} catch (RuntimeException e) {
					if (!complained) {
						complained = true;
						failed.accept(listener, e);
					}
				}
			}
		}
	}
}
