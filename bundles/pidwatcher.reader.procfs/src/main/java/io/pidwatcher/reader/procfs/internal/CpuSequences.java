package io.pidwatcher.reader.procfs.internal;

import java.util.HashMap;
import java.util.Map;

/**
 * Notices lost connector records. The kernel numbers the process events of each CPU
 * consecutively (one counter per CPU, 32 bits, shared by all listeners), so a record whose number
 * is not the last one from its CPU plus one means records in between never reached this socket.
 *
 * <p>A preempted sender can also deliver two records of one CPU out of order; that reads as a gap
 * too. A false alarm costs one rescan, never a wrong answer, so it is not told apart.
 */
final class CpuSequences {

	private final Map<Integer, Long> last = new HashMap<>();

	/** Records {@code sequence} from {@code cpu}; true when records before it are missing. */
	boolean gapBefore(int cpu, long sequence) {
		Long previous = last.put(cpu, sequence);
		return previous != null && ((previous + 1) & 0xffffffffL) != sequence;
	}

	/** Forgets every CPU's position: after a rescan, the next record of each starts afresh. */
	void reset() {
		last.clear();
	}
}
