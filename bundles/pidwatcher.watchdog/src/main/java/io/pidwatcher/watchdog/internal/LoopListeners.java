package io.pidwatcher.watchdog.internal;

import io.pidwatcher.api.supervisor.LoopListener;

import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.BiConsumer;

/**
 * The {@link LoopListener}s, told at the end of every pass of the supervision loop. They are
 * called on the loop's thread, as their contract says, and must return at once; one that throws is
 * reported once and called again at the next pass.
 */
final class LoopListeners {

	private final Map<Object, LoopListener> listeners = new ConcurrentHashMap<>();
	private final Set<LoopListener> complainedAbout = ConcurrentHashMap.newKeySet();
	private final BiConsumer<LoopListener, RuntimeException> failed;

	LoopListeners(BiConsumer<LoopListener, RuntimeException> failed) {
		this.failed = failed;
	}

	void add(Object key, LoopListener listener) {
		listeners.put(key, listener);
	}

	void remove(Object key) {
		LoopListener l = listeners.remove(key);
		if (l != null) {
			complainedAbout.remove(l);
		}
	}

	void passed(long monotonicNanos) {
		for (LoopListener l : listeners.values()) {
			try {
				l.loopPassed(monotonicNanos);
			} catch (RuntimeException e) {
				if (complainedAbout.add(l)) {
					failed.accept(l, e);
				}
			}
		}
	}
}
