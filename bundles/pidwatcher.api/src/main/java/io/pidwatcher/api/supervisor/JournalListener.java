package io.pidwatcher.api.supervisor;

import org.osgi.annotation.versioning.ConsumerType;

/**
 * Whiteboard service: register one to be told of every journal entry (every state change of every
 * module, with its reason), e.g. to publish them over HTTP or MQTT.
 *
 * <p>The watchdog delivers entries to each listener in journal order, on a delivery thread of that
 * listener's own, never on the supervision loop: a slow listener delays only itself. Each listener
 * has a bounded queue; when it overflows, the oldest undelivered entries are dropped and the
 * listener is told how many through {@link #missed(int)} before the next entry it receives.
 */
@ConsumerType
public interface JournalListener {

	/** One new journal entry. Called in journal order, never concurrently for one listener. */
	void entry(JournalEntry entry);

	/**
	 * {@code count} entries were dropped because this listener fell behind; the next
	 * {@link #entry(JournalEntry)} follows the gap. The default does nothing.
	 */
	default void missed(int count) {
	}
}
