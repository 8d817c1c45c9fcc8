package io.pidwatcher.reader.procfs.internal;

import io.pidwatcher.api.reader.ExitEvent;
import io.pidwatcher.api.reader.Membership;
import io.pidwatcher.api.reader.ScanScope;
import io.pidwatcher.api.reader.TagName;
import io.pidwatcher.api.reader.TaskId;
import io.pidwatcher.api.reader.TaskSnapshot;

import com.sun.jna.LastErrorException;

import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Deque;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.OptionalInt;
import java.util.OptionalLong;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Consumer;
import java.util.function.Supplier;

/**
 * Keeps the {@link Lineage} from the kernel's process events, on one thread: a process forked by
 * a member is a member from its first instant, whatever it later does to its environment; a
 * process that execs with the tag becomes one; a member's exit is delivered from the same socket,
 * with its wait status. Scans of tagged processes then read only the members' stat files instead
 * of every process's environment.
 *
 * <p>The order is: subscribe, then scan /proc in full, then handle what queued meanwhile, so no
 * fork falls between the scan and the events. When records are lost (the socket's queue
 * overflowed, or a CPU's sequence numbers jump) it scans in full again; a member that scan does
 * not find is reported as exited only then, once /proc has confirmed it gone.
 *
 * <p>About 570 lines: the record handlers, the rescan and the member scan share one invariant
 * (this thread is the lineage's only writer of members; scans only drop the exited members they
 * find reaped or orphaned), so they stay together; the parser, the socket, the
 * sequence check and the table are classes of their own. The pw:source facts could move out next.
 */
final class ConnectorEvents implements Runnable {

	/** Default kernel queue for the socket: about 10,000 records, a fork storm's worth. */
	static final int DEFAULT_RECEIVE_BUFFER = 8 << 20;
	private static final int IDLE_POLL_MILLIS = 1000;
	private static final int NICE = -10;

	/** What pw:source shows about the last exit or loss. */
	private record Last(String what, Instant at) {
	}

	private final Supplier<TagName> tagName;
	private final Consumer<ExitEvent> sink;
	private final Consumer<String> debug;
	private final ConnectorSocket socket;
	private final ProcfsScanner own;
	private final long pageSize;
	private final Lineage lineage = new Lineage();
	private final CpuSequences sequences = new CpuSequences();
	private final WakeUpFd wake = new WakeUpFd(); // without eventfd, stop() waits for the idle poll to time out
	private final Thread thread;
	private volatile boolean running = true;
	/** The tag name the lineage was built for; null until the first full scan is done. */
	private volatile TagName lineageTag;
	private volatile boolean rebuildRequested;
	private volatile long forks, execs, exits, delivered, losses, rescans, skipped, catchUpTimeouts;
	/** How long a module's scan waits for the records queued before it (see awaitCaughtUp). */
	static final long CATCH_UP_MILLIS = 100;
	private static final long CATCH_UP_PAUSE_NANOS = 50_000;
	/** The newest timestamp of the records handled so far (see caughtUpWith). */
	private volatile long handledThrough = Long.MIN_VALUE;
	/**
	 * Whether the calling thread's last scan saw every record queued before it. Per thread: module
	 * scans (the stops') run beside the loop's scans, each reading its own answer right after.
	 */
	private final ThreadLocal<Boolean> lastScanCaughtUp = ThreadLocal.withInitial(() -> Boolean.FALSE);
	/** Where this connector's generations start (see {@link #generation}). */
	private final long firstGeneration = System.nanoTime();
	private volatile Last lastExit, lastLoss;
	/** The connector thread's nice value, or why it could not be raised. */
	private volatile String priority = "nice 0";

	/**
	 * Ghosts: children of members that were gone (or zombies) before their fork record was
	 * handled, such as the middle process of a double fork. Not members (nothing of theirs can be
	 * listed), but what they forked is: their records still come, in order, before their exit's.
	 */
	private final Map<Integer, Lineage.Member> ghosts = bounded();
	/**
	 * Processes that exec'd (or were forked by such a process) and were gone before their
	 * environment could be read: a program that forks and exits within microseconds, as a
	 * daemonizing launcher does. Their children inherited that environment at fork, so a child's
	 * environ, read when its fork record is handled, answers for them.
	 */
	private final Map<Integer, Boolean> unresolved = bounded();

	/** For the two maps above: only the connector's thread uses them; at most 4,096, oldest out first. */
	private static <V> Map<Integer, V> bounded() {
		return new java.util.LinkedHashMap<>(64, 0.75f, false) {
			private static final long serialVersionUID = 1L;

			@Override
			protected boolean removeEldestEntry(Map.Entry<Integer, V> eldest) {
				return size() > 4096;
			}
		};
	}

	private ConnectorEvents(Path procRoot, Supplier<TagName> tagName, Consumer<ExitEvent> sink, Consumer<String> debug,
			ConnectorSocket socket) {
		this.tagName = tagName;
		this.sink = sink;
		this.debug = debug;
		this.socket = socket;
		this.own = new ProcfsScanner(procRoot);
		this.pageSize = LinuxCalls.INSTANCE.getpagesize();
		this.thread = new Thread(this, "pidwatcher-procfs-connector");
		thread.setDaemon(true);
	}

	/**
	 * Subscribes and starts the thread, which scans /proc in full before it handles any event.
	 * Until that first scan is done, {@link #scan} walks /proc as the scanning mode does.
	 */
	static ConnectorEvents start(Path procRoot, Supplier<TagName> tagName, Consumer<ExitEvent> sink,
			Consumer<String> debug, int receiveBufferBytes) throws ConnectorSocket.UnavailableException {
		ConnectorSocket socket = ConnectorSocket.open(receiveBufferBytes, debug);
		ConnectorEvents events;
		try {
			events = new ConnectorEvents(procRoot, tagName, sink, debug, socket);
		} catch (RuntimeException | UnsatisfiedLinkError e) {
			socket.close();
			throw new ConnectorSocket.UnavailableException("cannot set up the connector's thread: " + e);
		}
		events.thread.start();
		return events;
	}

	void stop() {
		running = false;
		wake.signal();
		try {
			thread.join(5000);
		} catch (InterruptedException e) {
			Thread.currentThread().interrupt();
		}
		socket.close();
		wake.close();
	}

	/** The tag variable changed: the lineage is rebuilt from a full scan under the new name. */
	void tagChanged() {
		rebuildRequested = true;
		wake.signal();
	}

	@Override
	public void run() {
		byte[] buffer = new byte[64 * 1024];
		raisePriority();
		try {
			rescan("initial scan");
			while (running) {
				if (rebuildRequested) {
					rebuildRequested = false;
					lineage.clear();
					rescan("tag variable changed");
				}
				switch (socket.receive(buffer, IDLE_POLL_MILLIS, wake.fd())) {
					case NOTHING -> wake.drain();
					case LOST -> lost("the socket's receive queue overflowed (ENOBUFS)");
					case DATA -> {
						ProcEventParser.Parsed parsed = ProcEventParser.parse(buffer, socket.length(), this::skipped);
						handle(parsed);
						if (parsed.newestNanos() != Long.MIN_VALUE) {
							handledThrough = parsed.newestNanos();
						}
					}
				}
			}
		} catch (RuntimeException e) {
			// Never expected; reported by pw:source rather than killing the thread silently.
			lastLoss = new Last("connector thread failed: " + e, Instant.now());
			debug.accept("connector thread failed: " + e);
			lineageTag = null; // scans walk /proc again
		}
	}

	/**
	 * A process that execs with the tag, forks and exits within a millisecond (a daemonizing
	 * launcher) is found only if its records are handled while /proc still shows it or its
	 * children: on a loaded machine the thread that reads them must not wait behind every build.
	 * Nice -10 for this one thread (root only; otherwise it stays at 0 and says so).
	 */
	private void raisePriority() {
		try {
			int tid = (int) LinuxCalls.INSTANCE.syscall(LinuxCalls.SYS_GETTID, 0, 0);
			LinuxCalls.INSTANCE.setpriority(LinuxCalls.PRIO_PROCESS, tid, NICE);
			priority = "nice " + NICE;
		} catch (LastErrorException | UnsatisfiedLinkError e) {
			priority = "nice 0 (could not raise: " + e.getMessage() + ")";
		}
	}

	private void handle(ProcEventParser.Parsed parsed) {
		if (parsed.overrun()) {
			lost("the kernel reported an overrun");
		}
		for (ProcEvent e : parsed.events()) {
			if (!(e instanceof ProcEvent.Ack) && sequences.gapBefore(e.cpu(), e.sequence())) {
				lost("a gap in cpu " + e.cpu() + "'s sequence numbers (at " + e.sequence() + ")");
			}
			// Acks (ours came before the thread started; others' are none of ours) and other kinds: nothing to do.
			if (e instanceof ProcEvent.Fork f) {
				forked(f);
			} else if (e instanceof ProcEvent.Exec x) {
				execed(x);
			} else if (e instanceof ProcEvent.Exit x) {
				exited(x);
			} else if (e instanceof ProcEvent.UidChange u) {
				uidChanged(u);
			}
		}
	}

	private void forked(ProcEvent.Fork f) {
		forks++;
		if (f.childPid() != f.childTgid() || f.childPid() <= 0) {
			return; // a thread: part of its process, not a new member
		}
		Lineage.Member parent = lineage.get(f.parentTgid());
		if (parent == null) {
			parent = ghosts.get(f.parentTgid());
		}
		if (parent == null) {
			if (unresolved.containsKey(f.parentTgid())) {
				resolve(f.childPid(), "forked by " + f.parentTgid());
			}
			return;
		}
		// A zombie already (a child that exits at once) is a member: its exit record comes next, and
		// until its parent reaps it, it is in its module's tree.
		TaskSnapshot child = own.readKnownOrZombie(f.childPid(), parent.value(), Membership.FORK, parent.uid(), pageSize);
		if (child == null) {
			// Gone already (a double fork's middle process, reaped): its own forks still belong.
			ghosts.put(f.childPid(), new Lineage.Member(new TaskId(f.childPid(), -1), parent.value(), Membership.FORK,
					parent.uid(), System.nanoTime()));
			return;
		}
		Lineage.Member old = lineage.get(child.pid());
		if (old != null) {
			if (old.id().equals(child.id())) {
				return; // the rescan that a loss triggered found it already
			}
			confirmedGone(old); // the pid is in new hands: the member we knew is gone
		}
		lineage.put(new Lineage.Member(child.id(), parent.value(), Membership.FORK, parent.uid(), System.nanoTime()));
	}

	private void execed(ProcEvent.Exec x) {
		execs++;
		TagName tag = lineageTag;
		if (tag == null || x.tgid() <= 0 || lineage.get(x.tgid()) != null) {
			return; // a member stays one, whatever its new program's environment says
		}
		// A program started with the tag (how the watchdog's modules begin): read its environ.
		resolve(x.tgid(), "exec'd");
	}

	/** Reads a new process's tag; makes it a member, or remembers that it could not be read. */
	private void resolve(int pid, String how) {
		unresolved.remove(pid);
		ProcfsScanner.Tag tag = own.readTag(pid, lineageTag.value());
		TaskSnapshot t = tag.value() == null ? null : own.readOne(pid, lineageTag.value());
		if (tag.gone() || tag.value() != null && (t == null || t.state() == 'Z' || t.state() == 'X')) {
			unresolved.put(pid, Boolean.TRUE);
			debug.accept("pid " + pid + " (" + how + ") was gone before its environment could be read");
		} else if (t != null && t.isTagged()) {
			lineage.put(new Lineage.Member(t.id(), t.tagValue(), Membership.TAG, t.uid(), System.nanoTime()));
		}
	}

	private void exited(ProcEvent.Exit x) {
		exits++;
		if (x.pid() != x.tgid()) {
			return; // a thread ended, not its process
		}
		unresolved.remove(x.pid());
		ghosts.remove(x.pid());
		Lineage.Member m = lineage.get(x.pid());
		if (m != null && lineage.exited(m)) { // kept as a zombie until a scan finds it reaped
			deliver(m, OptionalInt.of(x.exitCode()));
		}
	}

	private void uidChanged(ProcEvent.UidChange u) {
		Lineage.Member m = lineage.get(u.tgid());
		if (m != null) {
			int uid = own.realUid(m.pid());
			if (uid >= 0) {
				lineage.withUid(m, uid);
			}
		}
	}

	private void lost(String why) {
		losses++;
		lastLoss = new Last(why, Instant.now());
		debug.accept("process events lost: " + why + "; scanning /proc in full");
		sequences.reset(); // the rescan is the new starting point of every CPU's numbering
		rescan(why);
	}

	/**
	 * Rebuilds the lineage from /proc: members that are gone are reported (confirmed by /proc,
	 * without a wait status), tagged processes are added, and descendants of members found by
	 * ancestry (their parent is a member) are added as forked. A member forked while events were
	 * lost and whose parent has exited since cannot be found this way; its tag, if it kept it, still
	 * finds it.
	 */
	private void rescan(String why) {
		rescans++;
		TagName tag = tagName.get();
		List<TaskSnapshot> all = own.scan(tag.value(), ScanScope.everything()).tasks();
		Map<Integer, TaskSnapshot> live = new HashMap<>();
		Map<Integer, TaskSnapshot> dead = new HashMap<>();
		Map<Integer, List<TaskSnapshot>> children = new HashMap<>();
		for (TaskSnapshot t : all) {
			if (t.state() != 'Z' && t.state() != 'X') {
				live.put(t.pid(), t);
				children.computeIfAbsent(t.ppid(), p -> new ArrayList<>()).add(t);
			} else {
				dead.put(t.pid(), t);
			}
		}
		for (Lineage.Member m : lineage.members(ScanScope.everything())) {
			TaskSnapshot t = live.get(m.pid());
			if (t == null || t.startTimeNanos() != m.id().startTimeNanos()) {
				TaskSnapshot zombie = dead.get(m.pid());
				if (zombie != null && zombie.startTimeNanos() == m.id().startTimeNanos() && lineage.exited(m)) {
					deliver(m, OptionalInt.empty()); // its exit record was lost; its zombie stays a member
				} else {
					confirmedGone(m);
				}
			}
		}
		for (Lineage.Member m : lineage.exitedMembers(ScanScope.everything())) {
			TaskSnapshot zombie = dead.get(m.pid());
			if (zombie == null || zombie.startTimeNanos() != m.id().startTimeNanos()) {
				lineage.reaped(m);
			}
		}
		long now = System.nanoTime();
		for (TaskSnapshot t : live.values()) {
			if (t.isTagged() && lineage.get(t.pid()) == null) {
				lineage.put(new Lineage.Member(t.id(), t.tagValue(), Membership.TAG, t.uid(), now));
			}
		}
		Deque<Lineage.Member> parents = new ArrayDeque<>(lineage.members(ScanScope.everything()));
		while (!parents.isEmpty()) {
			Lineage.Member parent = parents.pop();
			for (TaskSnapshot c : children.getOrDefault(parent.pid(), List.of())) {
				if (lineage.get(c.pid()) == null) {
					Lineage.Member child = new Lineage.Member(c.id(), parent.value(), Membership.FORK, c.uid(), now);
					lineage.put(child);
					parents.push(child);
				}
			}
		}
		lineageTag = tag;
		debug.accept("lineage rebuilt from /proc (" + why + "): " + lineage.size() + " members");
	}

	private void confirmedGone(Lineage.Member m) {
		if (lineage.remove(m)) {
			deliver(m, OptionalInt.empty());
		}
	}

	private void deliver(Lineage.Member m, OptionalInt waitStatus) {
		delivered++;
		lastExit = new Last("pid " + m.pid() + " module " + m.value(), Instant.now());
		sink.accept(new ExitEvent(m.id(), m.value(), waitStatus, System.nanoTime(), "procfs"));
	}

	private void skipped(String why) {
		skipped++;
		debug.accept("connector record skipped: " + why);
	}

	/**
	 * A scan through the lineage. Tagged and module scopes read each member's stat file and
	 * nothing else; everything walks /proc and gives members their module's value, whatever their
	 * environment says. Before the first full scan (or under another tag name) it walks /proc
	 * plainly. The caller serialises calls on {@code scanner}.
	 */
	ProcfsScanner.Result scan(ProcfsScanner scanner, String tag, ScanScope scope) {
		TagName built = lineageTag;
		if (built == null || !built.value().equals(tag)) {
			return scanner.scan(tag, scope);
		}
		if (scope.kind() == ScanScope.Kind.EVERYTHING) {
			lastScanCaughtUp.set(Boolean.TRUE);
			List<Lineage.Member> exitedBefore = lineage.exitedMembers(scope);
			ProcfsScanner.Result r = scanner.scan(tag, scope);
			List<TaskSnapshot> tasks = new ArrayList<>(r.tasks().size());
			Set<TaskId> listed = new HashSet<>();
			for (TaskSnapshot t : r.tasks()) {
				Lineage.Member m = lineage.known(t.pid());
				boolean member = m != null && m.id().equals(t.id()) && (!lineage.isExited(m) || zombieStillOurs(t));
				tasks.add(member ? asMember(t, m) : t);
				if (member) {
					listed.add(t.id());
				}
			}
			// exited before the walk began and not in it as ours: reaped, or orphaned
			exitedBefore.stream().filter(m -> !listed.contains(m.id())).forEach(lineage::reaped);
			return new ProcfsScanner.Result(tasks, r.examined(), r.vanished(), r.unreadable());
		}
		lastScanCaughtUp.set(scope.kind() != ScanScope.Kind.MODULE || awaitCaughtUp());
		List<Lineage.Member> members = lineage.members(scope);
		List<Lineage.Member> zombies = lineage.exitedMembers(scope);
		List<TaskSnapshot> tasks = new ArrayList<>(members.size() + zombies.size());
		Set<Integer> listed = new HashSet<>();
		int vanished = 0;
		for (Lineage.Member m : members) {
			TaskSnapshot t = scanner.readKnown(m.pid(), m.value(), m.how(), m.uid(), pageSize);
			if (t != null && t.startTimeNanos() == m.id().startTimeNanos()) {
				tasks.add(t);
				listed.add(t.pid());
			} else {
				vanished++; // its exit record is on its way (or lost: the loss brings a rescan)
			}
		}
		for (Lineage.Member m : zombies) {
			if (listed.contains(m.pid())) {
				continue; // exited between the two lists: listed already
			}
			TaskSnapshot t = scanner.readKnownOrZombie(m.pid(), m.value(), m.how(), m.uid(), pageSize);
			if (t != null && t.startTimeNanos() == m.id().startTimeNanos() && zombieStillOurs(t)) {
				tasks.add(t); // a zombie: still its module's, until its parent reaps it
			} else {
				lineage.reaped(m);
			}
		}
		tasks.sort(Comparator.comparingInt(TaskSnapshot::pid));
		return new ProcfsScanner.Result(tasks, members.size() + zombies.size(), vanished, 0);
	}

	/**
	 * A module's scan is what a stop relies on to find every member, the one forked a moment ago
	 * included: it waits until every record queued so far is handled, for at most {@value
	 * #CATCH_UP_MILLIS} ms (a fork storm elsewhere can keep the queue from ever emptying, and a
	 * starved thread can lag). A scan that stopped waiting says so: its snapshot carries no
	 * lineage ({@link #lineageOfLastScan}), so the consumer scans everything instead of trusting
	 * it. The tick's tagged scans do not wait: what they miss now, the next one lists.
	 */
	private boolean awaitCaughtUp() {
		long asked = System.nanoTime();
		long deadline = asked + TimeUnit.MILLISECONDS.toNanos(CATCH_UP_MILLIS);
		boolean woken = false;
		while (!caughtUpWith(asked)) {
			if (!woken) {
				wake.signal(); // an idle thread looks at the queue again, and finds it empty after `asked`
				woken = true;
			}
			if (System.nanoTime() - deadline > 0) {
				catchUpTimeouts++;
				return false;
			}
			LockSupport.parkNanos(CATCH_UP_PAUSE_NANOS);
		}
		return true;
	}

	/**
	 * Whether every record queued before {@code asked} is handled. The kernel queues a fork's
	 * record before fork() returns in the parent, and stamps it before it queues it, so either
	 * the thread found the queue empty after {@code asked}, or it handled a record stamped after
	 * {@code asked}, and then every record queued before {@code asked} came before that one.
	 */
	private boolean caughtUpWith(long asked) {
		return handledThrough - asked >= 0 && handledThrough != Long.MIN_VALUE || socket.drainedAt() - asked >= 0
				&& socket.drainedAt() != Long.MIN_VALUE;
	}

	/**
	 * A zombie is its module's while its parent is a live member: that parent's failure to reap
	 * is what the zombies policy looks for. Once the parent is gone it belongs to init or a
	 * subreaper, which may never reap it (a container's pid 1 often does not): not the
	 * module's fault, and it must not count against the module's next run.
	 */
	private boolean zombieStillOurs(TaskSnapshot zombie) {
		return lineage.get(zombie.ppid()) != null;
	}

	private static TaskSnapshot asMember(TaskSnapshot t, Lineage.Member m) {
		return new TaskSnapshot(t.pid(), t.ppid(), t.tgid(), t.threads(), t.state(), t.uid(), t.comm(),
				t.startTimeNanos(), t.cpuTimeNanos(), t.rssBytes(), m.value(), m.how());
	}

	/** How a member is known, or null for a process that is not one. */
	Membership how(TaskId id) {
		Lineage.Member m = lineage.known(id.pid());
		return m != null && m.id().equals(id) ? m.how() : null;
	}

	/** When a process became a member ({@link System#nanoTime()}), or -1; for the benchmark. */
	long memberSince(int pid) {
		Lineage.Member m = lineage.get(pid);
		return m == null ? -1 : m.sinceNanos();
	}

	boolean ready() {
		return lineageTag != null;
	}

	/**
	 * The lineage's generation for scans under this tag name: this connector's start plus the
	 * number of full rebuilds so far, so it changes after every loss of events and every change
	 * of tag, and a restarted reader never repeats an earlier one's. Empty before the first
	 * rebuild or under another tag name, when scans walk /proc plainly.
	 */
	OptionalLong generation(String tag) {
		TagName built = lineageTag;
		return built != null && built.value().equals(tag) ? OptionalLong.of(firstGeneration + rescans)
				: OptionalLong.empty();
	}

	/**
	 * The lineage the calling thread's last {@link #scan} may claim: its generation, or empty when
	 * that scan walked /proc plainly or stopped waiting for queued records.
	 */
	OptionalLong lineageOfLastScan(String tag) {
		return lastScanCaughtUp.get() ? generation(tag) : OptionalLong.empty();
	}

	long losses() {
		return losses;
	}

	long rescans() {
		return rescans;
	}

	List<String> facts() {
		Last exit = lastExit, loss = lastLoss;
		return List.of(
				"event mode: process events connector (netlink; forks, execs and exits from the kernel, membership kept at fork)",
				String.format("connector: %d members (%d by tag, %d by fork; %d exited, not reaped yet); records: %d forks, "
						+ "%d execs, %d exits; exit events delivered: %d%s", lineage.size(), lineage.count(Membership.TAG),
						lineage.count(Membership.FORK), lineage.exitedCount(), forks, execs, exits, delivered,
						// the same words as the pidfd tracker's and the device's: tools read the time from them
						exit == null ? "" : "; last: " + exit.what() + ", at " + (exit.at().getEpochSecond() * 1_000_000L
								+ exit.at().getNano() / 1000) + " us since the epoch"),
				String.format("connector losses: %d%s; full scans: %d (the first included); records skipped: %d; "
						+ "module scans that stopped waiting for queued records: %d; receive queue %d KiB; thread %s", losses,
						loss == null ? "" : " (last: " + loss.what() + " at " + loss.at() + ")",
						rescans, skipped, catchUpTimeouts, socket.receiveBufferBytes() / 1024, priority));
	}
}
