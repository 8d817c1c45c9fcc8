package io.pidwatcher.watchdog.internal;

import io.pidwatcher.api.reader.ProcessSnapshot;
import io.pidwatcher.api.supervisor.StopReport;
import io.pidwatcher.api.reader.TaskId;
import io.pidwatcher.api.reader.TaskSnapshot;

import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.function.Supplier;

/**
 * Stops a module's whole tree, escaped daemons and untagged descendants included:
 * <ol>
 * <li>freeze every task with SIGSTOP, scanning again until a scan finds nothing new and every
 * task stopped, so a task forking in a loop cannot outrun the stop;</li>
 * <li>send the stop signal to all, then SIGCONT, so each wakes up to the signal;</li>
 * <li>wait up to the timeout, signalling late-comers too;</li>
 * <li>SIGKILL whatever is left, scanning again until nothing of the tree remains.</li>
 * </ol>
 * Zombies count as gone: they are dead and only wait for a parent outside our control to reap
 * them.
 */
final class TreeStopper {

	private static final int FREEZE_ROUNDS = 200;
	private static final long POLL_MILLIS = 20;
	private static final Duration KILL_LIMIT = Duration.ofSeconds(10);

	private final String module;
	private final Set<TaskId> tracked;
	private final Supplier<ProcessSnapshot> scanEverything;
	/** Tasks released from the module (pw:release): never stopped with it. */
	private final Set<TaskId> released;

	private final Set<TaskId> seen = new HashSet<>();

	/** {@code tracked} is updated in place: it is the module's tracking set. */
	TreeStopper(String module, Set<TaskId> tracked, Supplier<ProcessSnapshot> scanEverything) {
		this(module, tracked, scanEverything, new HashSet<>());
	}

	/** {@code released} is grown in place with the descendants of released tasks. */
	TreeStopper(String module, Set<TaskId> tracked, Supplier<ProcessSnapshot> scanEverything, Set<TaskId> released) {
		this.module = module;
		this.tracked = tracked;
		this.scanEverything = scanEverything;
		this.released = released;
	}

	StopReport stop(int signal, Duration timeout) throws InterruptedException {
		long started = System.nanoTime();
		// 1. Freeze.
		Set<TaskId> frozen = new HashSet<>();
		List<TaskSnapshot> alive = scan();
		for (int round = 0; round < FREEZE_ROUNDS && !alive.isEmpty(); round++) {
			boolean fresh = false;
			boolean allStopped = true;
			for (TaskSnapshot t : alive) {
				if (frozen.add(t.id())) {
					Signals.send(t.pid(), Signals.SIGSTOP);
					fresh = true;
				}
				allStopped &= t.state() == 'T' || t.state() == 't';
			}
			if (!fresh && allStopped) {
				break;
			}
			alive = scan();
		}
		// 2. Stop signal, then wake them so they see it.
		Set<TaskId> signalled = new HashSet<>();
		for (TaskSnapshot t : alive) {
			Signals.send(t.pid(), signal);
			signalled.add(t.id());
		}
		for (TaskSnapshot t : alive) {
			Signals.send(t.pid(), Signals.SIGCONT);
		}
		// 3. Wait for the timeout.
		long deadline = System.nanoTime() + timeout.toNanos();
		alive = scan();
		while (!alive.isEmpty() && System.nanoTime() < deadline) {
			for (TaskSnapshot t : alive) {
				if (signalled.add(t.id())) {
					Signals.send(t.pid(), signal);
					Signals.send(t.pid(), Signals.SIGCONT);
				}
			}
			Thread.sleep(POLL_MILLIS);
			alive = scan();
		}
		// 4. and 5. SIGKILL until nothing remains.
		Set<TaskId> killed = new HashSet<>();
		long killDeadline = System.nanoTime() + KILL_LIMIT.toNanos();
		while (!alive.isEmpty() && System.nanoTime() < killDeadline) {
			for (TaskSnapshot t : alive) {
				if (Signals.send(t.pid(), Signals.SIGKILL)) {
					killed.add(t.id());
				}
			}
			Thread.sleep(5);
			alive = scan();
		}
		int remaining = alive.size();
		return new StopReport(module, seen.size() - remaining, killed.size(), remaining,
				Duration.ofNanos(System.nanoTime() - started));
	}

	private List<TaskSnapshot> scan() {
		List<TaskSnapshot> tree = TreeTracker.members(module, scanEverything.get(), tracked, released);
		tree.forEach(t -> tracked.add(t.id()));
		List<TaskSnapshot> alive = tree.stream().filter(TreeTracker::alive).toList();
		alive.forEach(t -> seen.add(t.id()));
		return alive;
	}
}
