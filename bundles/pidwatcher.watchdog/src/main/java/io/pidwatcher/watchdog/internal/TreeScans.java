package io.pidwatcher.watchdog.internal;

import io.pidwatcher.api.reader.ProcessSnapshot;
import io.pidwatcher.api.reader.ScanScope;
import io.pidwatcher.api.reader.TaskId;
import io.pidwatcher.api.reader.TaskSnapshot;
import java.util.HashSet;
import java.util.Set;
import java.util.function.Function;
import java.util.function.Predicate;
import java.util.function.Supplier;
import java.util.stream.Collectors;

/**
 * The scans one tree stop needs. Where the reader's lineage is trusted ({@link LineageTrust}),
 * a scan of the module alone lists its whole tree, so a stop costs what the tree costs, not what
 * the machine's process count costs (5,000 processes made every stop and restart take a scan of
 * 150 ms or more per round). A task the engine tracks but the module scan lacks may have escaped
 * the lineage (adopted from the state file, say), or be dead (the main process just killed, whose
 * exit made the lineage drop it). A dead one is told by its own /proc/PID/stat (ProcStat); a live
 * one costs one scan of everything, which settles it; a task that scan does not find either is
 * dead for good (a pid and start time never return), so it costs no further scan of everything.
 */
final class TreeScans implements Supplier<ProcessSnapshot> {

	private final String module;
	private final Set<TaskId> tracked;
	private final Function<ScanScope, ProcessSnapshot> reader;
	private final Supplier<ProcessSnapshot> everything;
	private final LineageTrust trust;
	private final Predicate<TaskId> mayLive;
	private final Set<TaskId> gone = new HashSet<>();

	/** {@code tracked} is read live: it is the module's tracking set, which the stop updates. */
	TreeScans(String module, Set<TaskId> tracked, Function<ScanScope, ProcessSnapshot> reader,
			Supplier<ProcessSnapshot> everything, LineageTrust trust) {
		this(module, tracked, reader, everything, trust, id -> ProcStat.alive(id.pid(), id.startTimeNanos()));
	}

	/** {@code mayLive}: false only on evidence that the task is dead (tests give their own). */
	TreeScans(String module, Set<TaskId> tracked, Function<ScanScope, ProcessSnapshot> reader,
			Supplier<ProcessSnapshot> everything, LineageTrust trust, Predicate<TaskId> mayLive) {
		this.mayLive = mayLive;
		this.module = module;
		this.tracked = tracked;
		this.reader = reader;
		this.everything = everything;
		this.trust = trust;
	}

	@Override
	public ProcessSnapshot get() {
		if (!trust.lineageSeen()) {
			// a reader without lineage: its module scan walks /proc as a scan of everything does,
			// so asking for both would read the machine twice per round
			return everything.get();
		}
		ProcessSnapshot own = reader.apply(ScanScope.module(module));
		if (trust.trusted(own)) {
			Set<TaskId> listed = own.tasks().stream().map(TaskSnapshot::id).collect(Collectors.toSet());
			Set<TaskId> unexplained = new HashSet<>(tracked);
			unexplained.removeAll(listed);
			unexplained.removeAll(gone);
			unexplained.removeIf(id -> !mayLive.test(id) && gone.add(id));
			if (unexplained.isEmpty()) {
				return own;
			}
			ProcessSnapshot all = everything.get();
			Set<TaskId> found = all.tasks().stream().map(TaskSnapshot::id).collect(Collectors.toSet());
			unexplained.stream().filter(id -> !found.contains(id)).forEach(gone::add);
			return all;
		}
		return everything.get();
	}
}
