package io.pidwatcher.watchdog.internal;

import io.pidwatcher.api.reader.ExitEvent;
import io.pidwatcher.api.reader.ProcessReader;
import io.pidwatcher.api.reader.ProcessSnapshot;
import io.pidwatcher.api.reader.ScanScope;
import io.pidwatcher.api.reader.TaskId;

import java.util.List;
import java.util.Set;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * The supervision loop: one scan of the process table per pass serves every module that is due,
 * each module is judged by the lifecycle, and the next pass is scheduled for the earliest module
 * due. An exit (a reader's event, or our own child's) kicks the modules it concerns to a pass at
 * once. Launches prepared during a pass are forked after it, without the lock.
 */
final class ScanLoop {

	private static final long NO_READER_RETRY_NANOS = TimeUnit.SECONDS.toNanos(1);
	/** How often a tick scans every process (not only tagged ones) to find descendants that dropped the tag. */
	static final long DISCOVERY_NANOS = TimeUnit.SECONDS.toNanos(2);
	/** How long tagged scans may look for a started child under a trusted lineage (see mainUnseenTooLong). */
	static final long UNSEEN_MAIN_GRACE_MILLIS = 100;
	/** A module due this soon is checked with the current scan rather than costing one of its own. */
	private static final long ALIGN_SLACK_NANOS = TimeUnit.MILLISECONDS.toNanos(20);
	/** issue 13 (sysguest): the longest wait between passes, whatever the intervals: LoopListeners (WATCHDOG=1, the hardware watchdog) take a loop silent for half their timeout for hung. */
	static final long MAX_PASS_GAP_NANOS = TimeUnit.SECONDS.toNanos(1);

	private final Engine e;
	/** Guarded by the engine's lock. */
	private ScheduledFuture<?> pendingTick;
	private long pendingTickAt;
	private final long epochNanos;
	/** Read and written by passes only, which run one at a time on the scheduler thread. */
	private long lastEverythingNanos;
	/** Whether the reader's lineage can stand in for scans of everything (see LineageTrust). */
	private final LineageTrust lineageTrust = new LineageTrust();
	/** Whether the last pass's scan came from a trusted lineage; passes only, as lastEverythingNanos. */
	private boolean lastScanTrusted;
	/** Stops running at once share their scans of everything (see SharedScan). */
	private final SharedScan everything = new SharedScan(this::scanEverythingNow);

	ScanLoop(Engine e) {
		this.e = e;
		this.epochNanos = e.nanos();
		this.lastEverythingNanos = epochNanos - DISCOVERY_NANOS;
	}

	/** Makes a pass due within delayNanos (an earlier one already due stays); the lock is held. */
	void scheduleTick(long delayNanos) {
		if (!e.active) {
			return;
		}
		long at = e.nanos() + delayNanos;
		if (pendingTick != null && !pendingTick.isDone() && pendingTickAt - at <= 0) {
			return;
		}
		if (pendingTick != null) {
			pendingTick.cancel(false);
		}
		pendingTickAt = at;
		pendingTick = e.scheduler.schedule(this::tick, Math.max(0, delayNanos), TimeUnit.NANOSECONDS);
	}

	void kickAll() {
		synchronized (e) {
			for (Module m : e.modules.values()) {
				m.forced = true;
			}
			scheduleTick(0);
		}
	}

	void kick(Module m) {
		synchronized (e) {
			m.forced = true;
			scheduleTick(0);
		}
	}

	void exited(ExitEvent event) {
		synchronized (e) {
			for (Module m : e.modules.values()) {
				if (m.name.equals(event.tagValue()) || m.tree.tracked.contains(event.task())) {
					if (event.task().equals(m.run.main)) {
						m.run.mainWaitStatus = event.waitStatus(); // how a main that is not our child died
					}
					kick(m);
				}
			}
		}
	}

	private void tick() {
		try {
			pass();
		} finally {
			e.loopListeners.passed(e.nanos());
		}
	}

	/** One pass of the supervision loop: scan, evaluate the modules that are due, schedule the next. */
	private void pass() {
		synchronized (e) {
			pendingTick = null;
		}
		try {
			ProcessReader reader = e.readers.first();
			if (reader == null) {
				synchronized (e) {
					scheduleTick(NO_READER_RETRY_NANOS);
				}
				return;
			}
			long started = e.nanos();
			// Discovery of descendants that dropped the tag needs no scan of everything while the
			// reader's lineage lists them (issue 12 part 3): idle cost and latency then follow the
			// modules' trees, not the machine's process count.
			boolean discoveryDue = !lastScanTrusted && started - lastEverythingNanos >= DISCOVERY_NANOS;
			boolean everything = discoveryDue || needsEverything();
			ProcessSnapshot snapshot = reader.scan(everything ? ScanScope.everything() : ScanScope.tagged());
			if (everything) {
				lastEverythingNanos = started;
				lineageTrust.scannedEverything(snapshot);
			}
			lastScanTrusted = lineageTrust.trusted(snapshot);
			TreeTracker.Index index = new TreeTracker.Index(snapshot);
			// What a full disk kept from var/ is written as soon as there is room again.
			e.journal.retry();
			e.stateFile.retry();
			long now = e.nanos();
			synchronized (e) {
				long next = Long.MAX_VALUE;
				for (Module m : List.copyOf(e.modules.values())) {
					if (m.spec == null) {
						continue;
					}
					if (m.forced || now - m.nextCheckNanos >= -ALIGN_SLACK_NANOS) {
						m.forced = false;
						m.nextCheckNanos = nextOnGrid(now, m.spec.interval().toNanos());
						try {
							e.lifecycle.evaluate(m, snapshot, index, now, started);
						} catch (RuntimeException x) {
							e.logger.error("module {}: evaluation failed", m.name, x);
						}
						e.status.publish(m);
					}
					long due = m.forced ? now : m.nextCheckNanos;
					next = Math.min(next, due - now);
				}
				scheduleTick(Math.min(MAX_PASS_GAP_NANOS, Math.max(0, next))); // issue 13 (sysguest): at most MAX_PASS_GAP_NANOS
			}
			e.launcher.runLaunches();
		} catch (RuntimeException x) {
			e.logger.error("watchdog scan failed; trying again in a second", x);
			synchronized (e) {
				scheduleTick(NO_READER_RETRY_NANOS);
			}
		}
	}

	/**
	 * Our started child not found yet: without a trusted lineage only a scan of everything can
	 * find it (it may carry no tag). With one, the reader lists it as soon as its exec is handled,
	 * so the tagged scans get {@value #UNSEEN_MAIN_GRACE_MILLIS} ms first: a scan of everything
	 * after every start cost each restart on a machine of 5,000 processes the 700 ms of the
	 * previous restart's scan, waited behind on the scheduler thread. The grace stays well below
	 * the wait for an exit status (Lifecycle), so an unseen child is never taken for exited.
	 */
	private boolean mainUnseenTooLong(Module m) {
		return ModuleTrees.startedMainUnseen(m)
				&& (!lastScanTrusted || e.nanos() - m.run.startedNanos > TimeUnit.MILLISECONDS.toNanos(UNSEEN_MAIN_GRACE_MILLIS));
	}

	/**
	 * Whether this tick must see untagged processes too: a module tracks tasks that lost the tag
	 * (only a scan of every process shows them), or it has not had its first scan (adoption looks
	 * for remembered untagged tasks). Otherwise a scan of the tagged processes suffices, which on
	 * /proc costs about half: stat and status are read only for tagged processes. Descendants that
	 * drop the tag are discovered by the scan of everything every {@link #DISCOVERY_NANOS}, or,
	 * where the reader keeps a trusted lineage, listed by the tagged scans themselves.
	 */
	private boolean needsEverything() {
		synchronized (e) {
			for (Module m : e.modules.values()) {
				if (!m.firstScanDone || mainUnseenTooLong(m) || Lifecycle.inDaemonGrace(m)) {
					return true;
				}
				long tagged = m.tree.tasks.stream().filter(t -> m.name.equals(t.tagValue())).count();
				if (m.tree.tracked.size() > tagged) {
					return true;
				}
			}
			return false;
		}
	}

	/**
	 * The next multiple of the interval (counted from the engine's start) after now. Modules with
	 * the same interval fall due at the same instants, so one scan of the process table serves them
	 * all, however their definitions were spread in time: 50 modules at 1s cost one scan a second,
	 * not 50.
	 */
	private long nextOnGrid(long now, long interval) {
		return epochNanos + ((now - epochNanos) / interval + 1) * interval;
	}

	/** A scan of every process, shared with whoever asks at the same time (stops, starts by request). */
	ProcessSnapshot scanEverything() {
		return everything.get();
	}

	private ProcessSnapshot scanEverythingNow() {
		ProcessSnapshot all = scan(ScanScope.everything());
		lineageTrust.scannedEverything(all);
		return all;
	}

	/** One scan of the active reader, in any scope. */
	ProcessSnapshot scan(ScanScope scope) {
		ProcessReader reader = e.readers.first();
		if (reader == null) {
			throw new IllegalStateException("no process reader is available");
		}
		return reader.scan(scope);
	}

	/**
	 * The scans one tree stop takes: the module's own lineage where it is trusted, everything
	 * where the tree may have escaped it (see TreeScans).
	 */
	TreeScans treeScans(String module, Set<TaskId> tracked) {
		return new TreeScans(module, tracked, this::scan, this::scanEverything, lineageTrust);
	}
}
