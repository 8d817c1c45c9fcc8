package io.pidwatcher.reader.procfs.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.pidwatcher.api.reader.ExitEvent;
import io.pidwatcher.api.reader.Membership;
import io.pidwatcher.api.reader.ScanScope;
import io.pidwatcher.api.reader.TagName;
import io.pidwatcher.api.reader.TaskSnapshot;
import io.pidwatcher.testing.Proc;
import io.pidwatcher.testing.Ps;
import io.pidwatcher.testing.TestPrograms;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The process events connector against the real kernel (CI and this machine run as root):
 * membership at fork through a wiped environment, exits with their status, a fork storm, and
 * events lost on purpose (a tiny socket queue) recovered by a rescan. The oracle is /proc read
 * directly and {@code ps}.
 */
class ConnectorEventsTest {

	private static final String TAG = "PIDWATCHER_MODULE";

	@TempDir
	Path tmp;

	private final LinkedBlockingQueue<ExitEvent> exits = new LinkedBlockingQueue<>();
	private final ConcurrentLinkedQueue<String> debug = new ConcurrentLinkedQueue<>();
	private final List<Process> started = new ArrayList<>();
	private final List<Integer> daemons = new ArrayList<>();
	private final ProcfsScanner scanner = new ProcfsScanner(Path.of("/proc"));
	private ConnectorEvents connector;

	@AfterEach
	void cleanUp() {
		if (connector != null) {
			connector.stop();
		}
		for (int pid : daemons) {
			// the daemons' trees: everything whose parent is the daemon, then the daemon itself
			ProcessHandle.of(pid).ifPresent(h -> {
				h.descendants().forEach(ProcessHandle::destroyForcibly);
				h.destroyForcibly();
			});
		}
		started.forEach(p -> {
			p.descendants().forEach(ProcessHandle::destroyForcibly);
			p.destroyForcibly();
		});
	}

	private ConnectorEvents startConnector(int receiveBuffer) throws Exception {
		connector = ConnectorEvents.start(Path.of("/proc"), TagName::defaultName, exits::add, debug::add, receiveBuffer);
		await().atMost(Duration.ofSeconds(20)).until(connector::ready);
		return connector;
	}

	private List<TaskSnapshot> module(String module) {
		return connector.scan(scanner, TAG, ScanScope.module(module)).tasks();
	}

	private static Set<Integer> pids(List<TaskSnapshot> tasks) {
		return tasks.stream().map(TaskSnapshot::pid).collect(Collectors.toCollection(TreeSet::new));
	}

	private static boolean environHasTag(int pid, String module) {
		try {
			return new String(Files.readAllBytes(Path.of("/proc", Integer.toString(pid), "environ")), StandardCharsets.UTF_8)
					.contains(TAG + "=" + module);
		} catch (IOException e) {
			return false;
		}
	}

	@Test
	void aDaemonThatDoubleForksAndWipesItsEnvironmentStaysAMemberWithItsWorkers() throws Exception {
		startConnector(ConnectorEvents.DEFAULT_RECEIVE_BUFFER);
		String module = TestPrograms.uniqueModule("wiped");
		Path pidFile = tmp.resolve("daemon.pid");
		Process launcher = TestPrograms.start(TAG, module, "wipedaemon", pidFile.toString(), "3", "120");
		started.add(launcher);
		assertThat(launcher.waitFor(10, TimeUnit.SECONDS)).isTrue();
		await().atMost(Duration.ofSeconds(10)).until(() -> Files.exists(pidFile) && Files.size(pidFile) > 0);
		int master = Integer.parseInt(Files.readString(pidFile).trim());
		daemons.add(master);
		Set<Integer> tree = new TreeSet<>(Ps.pids("--pid", Integer.toString(master), "--ppid", Integer.toString(master)));
		assertThat(tree).as("ps: the master and its 3 workers").hasSize(4);
		assertThat(Proc.task(master).ppid()).as("the master's parent has exited").isEqualTo(1);
		for (int pid : tree) {
			assertThat(environHasTag(pid, module)).as("pid %d's environment still names the module", pid).isFalse();
		}
		await().atMost(Duration.ofSeconds(5)).untilAsserted(() -> assertThat(pids(module(module)))
				.as("launcher %d; debug: %s", launcher.pid(), debug).isEqualTo(tree));
		for (int pid : tree) {
			assertThat(connector.how(Proc.task(pid) == null ? null : id(pid))).as("pid %d", pid).isEqualTo(Membership.FORK);
		}
		assertThat(module(module)).extracting(TaskSnapshot::membership).containsOnly(Membership.FORK);
		// The plain /proc walk (the scanning mode) cannot find any of them.
		assertThat(scanner.scan(TAG, ScanScope.module(module)).tasks()).isEmpty();
		// Everything lists them with the module's value too.
		assertThat(connector.scan(scanner, TAG, ScanScope.everything()).tasks().stream()
				.filter(t -> module.equals(t.tagValue())).map(TaskSnapshot::pid).collect(Collectors.toSet())).isEqualTo(tree);
	}

	private static io.pidwatcher.api.reader.TaskId id(int pid) {
		Proc.Task t = Proc.task(pid);
		return new io.pidwatcher.api.reader.TaskId(pid, t.start() * ProcfsScanner.NANOS_PER_TICK);
	}

	@Test
	void anExitArrivesWithItsWaitStatusAndOnlyOnce() throws Exception {
		startConnector(ConnectorEvents.DEFAULT_RECEIVE_BUFFER);
		String module = TestPrograms.uniqueModule("code");
		Process p = TestPrograms.start(TAG, module, "crash", "400", "7");
		started.add(p);
		await().atMost(Duration.ofSeconds(5)).until(() -> pids(module(module)).contains((int) p.pid()));
		assertThat(connector.how(id((int) p.pid()))).as("became a member at exec, by its tag").isEqualTo(Membership.TAG);
		assertThat(module(module)).extracting(TaskSnapshot::membership).containsExactly(Membership.TAG);
		ExitEvent e = awaitExit((int) p.pid(), module, Duration.ofSeconds(5));
		assertThat(e.waitStatus()).hasValue(7 << 8);
		assertThat(e.source()).isEqualTo("procfs");
		assertThat(p.waitFor(5, TimeUnit.SECONDS)).isTrue();
		assertThat(p.exitValue()).isEqualTo(7);
		Thread.sleep(300);
		assertThat(exits.stream().filter(x -> x.task().pid() == p.pid() && module.equals(x.tagValue()))).isEmpty();
		assertThat(module(module)).isEmpty();
	}

	@Test
	void zombiesStayMembersWhileTheirParentLivesAndLeaveWhenItDies() throws Exception {
		startConnector(ConnectorEvents.DEFAULT_RECEIVE_BUFFER);
		String module = TestPrograms.uniqueModule("zomb");
		Process p = TestPrograms.start(TAG, module, "zombies", "5", "60");
		started.add(p);
		String parent = Long.toString(p.pid());
		await().atMost(Duration.ofSeconds(10)).until(() -> Ps.zombies("--ppid", parent).size() == 5);
		Set<Integer> oracle = new TreeSet<>(Ps.zombies("--ppid", parent));
		oracle.add((int) p.pid());
		// the exits were delivered, and still the zombies are listed, in state Z, by both scopes
		Set<Integer> exited = new TreeSet<>(oracle);
		exited.remove((int) p.pid());
		long deadline = System.nanoTime() + Duration.ofSeconds(5).toNanos();
		while (!exited.isEmpty()) {
			ExitEvent x = exits.poll(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
			assertThat(x).as("exit events of zombies %s", exited).isNotNull();
			if (module.equals(x.tagValue())) {
				exited.remove(x.task().pid());
			}
		}
		List<TaskSnapshot> listed = module(module);
		assertThat(pids(listed)).as("module scan vs ps").isEqualTo(oracle);
		assertThat(listed).filteredOn(t -> t.state() == 'Z').hasSize(5);
		assertThat(connector.scan(scanner, TAG, ScanScope.tagged()).tasks().stream()
				.filter(t -> module.equals(t.tagValue())).map(TaskSnapshot::pid).collect(Collectors.toSet())).isEqualTo(oracle);
		assertThat(connector.scan(scanner, TAG, ScanScope.everything()).tasks().stream()
				.filter(t -> module.equals(t.tagValue())).map(TaskSnapshot::pid).collect(Collectors.toSet())).isEqualTo(oracle);
		assertThat(connector.facts()).anyMatch(l -> l.contains("5 exited, not reaped yet"));
		// the parent dies: its zombies go to init, which may never reap them here; not the module's
		p.destroyForcibly();
		assertThat(p.waitFor(5, TimeUnit.SECONDS)).isTrue();
		await().atMost(Duration.ofSeconds(5)).untilAsserted(() -> assertThat(module(module)).isEmpty());
		assertThat(connector.scan(scanner, TAG, ScanScope.everything()).tasks().stream()
				.filter(t -> module.equals(t.tagValue()))).isEmpty();
		assertThat(connector.facts()).noneMatch(l -> l.contains("5 exited, not reaped yet"));
	}

	@Test
	void threadsAreNotMembersOfTheirOwn() throws Exception {
		startConnector(ConnectorEvents.DEFAULT_RECEIVE_BUFFER);
		String module = TestPrograms.uniqueModule("thr");
		Process p = TestPrograms.start(TAG, module, "threads", "4", "60");
		started.add(p);
		await().atMost(Duration.ofSeconds(5))
				.untilAsserted(() -> assertThat(module(module)).singleElement().satisfies(t -> assertThat(t.threads()).isEqualTo(5)));
	}

	@Test
	void aForkStormIsFollowedChildByChild() throws Exception {
		startConnector(ConnectorEvents.DEFAULT_RECEIVE_BUFFER);
		String module = TestPrograms.uniqueModule("storm");
		Process p = TestPrograms.start(TAG, module, "wipestorm", "400", "60");
		started.add(p);
		String parent = Long.toString(p.pid());
		await().atMost(Duration.ofSeconds(20)).until(() -> Ps.pids("--ppid", parent).size() == 400);
		Set<Integer> oracle = new TreeSet<>(Ps.pids("--ppid", parent));
		oracle.add((int) p.pid());
		await().atMost(Duration.ofSeconds(5)).untilAsserted(() -> assertThat(pids(module(module))).isEqualTo(oracle));
		assertThat(connector.losses()).as("losses with an 8 MiB queue; debug: %s", debug).isZero();
		p.descendants().forEach(ProcessHandle::destroyForcibly);
		p.destroyForcibly();
		await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertThat(module(module)).isEmpty());
		assertThat(exits.stream().filter(x -> module.equals(x.tagValue())).map(x -> x.task().pid())
				.collect(Collectors.toSet())).as("one exit event per process").isEqualTo(oracle);
	}

	/**
	 * A stop relies on a module's scan to list the child forked a moment ago: the shell prints
	 * each child's pid after fork() returned in it, and the module's scan taken right then must
	 * list that child (it waits for the records queued before it), or, when it stopped waiting,
	 * not claim the lineage. To make the connector thread lag as it can on a loaded machine, it
	 * runs at nice 10 against busy threads; without the wait, children are then missing from the
	 * scans.
	 */
	@Test
	void aModuleScanListsEveryChildWhoseForkHasReturned() throws Exception {
		startConnector(8 << 20);
		for (int tid : threadsNamed("pidwatcher-proc")) { // comm keeps 15 characters
			new ProcessBuilder("renice", "-n", "10", "-p", Integer.toString(tid)).start().waitFor(10, TimeUnit.SECONDS);
		}
		java.util.concurrent.atomic.AtomicBoolean spin = new java.util.concurrent.atomic.AtomicBoolean(true);
		List<Thread> spinners = new ArrayList<>();
		for (int i = 0; i < 3; i++) {
			Thread t = new Thread(() -> {
				while (spin.get()) {
					Thread.onSpinWait();
				}
			});
			t.setDaemon(true);
			t.start();
			spinners.add(t);
		}
		try {
			checkEveryChildIsListedRightAfterItsFork();
		} finally {
			spin.set(false);
		}
	}

	private void checkEveryChildIsListedRightAfterItsFork() throws Exception {
		String module = TestPrograms.uniqueModule("fresh");
		ProcessBuilder builder = new ProcessBuilder("sh", "-c",
				"for i in $(seq 100); do sleep 120 & echo $!; done; exec sleep 120");
		builder.environment().put(TAG, module);
		builder.redirectErrorStream(true);
		Process shell = builder.start();
		started.add(shell);
		List<Integer> missed = new ArrayList<>();
		int claimed = 0;
		try (var out = new java.io.BufferedReader(
				new java.io.InputStreamReader(shell.getInputStream(), StandardCharsets.UTF_8))) {
			for (int i = 0; i < 100; i++) {
				String line = out.readLine();
				assertThat(line).as("child %d's pid from the shell", i).isNotNull();
				int child = Integer.parseInt(line.strip());
				List<TaskSnapshot> scan = module(module);
				// a scan that stopped waiting for the starved thread must say so, and not claim lineage
				if (connector.lineageOfLastScan(TAG).isPresent()) {
					claimed++;
					if (!pids(scan).contains(child)) {
						missed.add(child);
					}
				}
			}
		}
		assertThat(missed).as("children missing from the module's scan right after their fork; facts: %s",
				connector.facts()).isEmpty();
		assertThat(claimed).as("scans that waited for the starved thread rather than giving up; facts: %s",
				connector.facts()).isPositive();
	}

	@Test
	void eventsLostToATinyQueueAreRecoveredByARescanWithNothingLost() throws Exception {
		startConnector(256); // the kernel's minimum: a few records
		long firstGeneration = connector.generation(TAG).orElseThrow();
		assertThat(connector.generation("OTHER_TAG")).as("no lineage under another tag name").isEmpty();
		String module = TestPrograms.uniqueModule("lost");
		Process p = TestPrograms.start(TAG, module, "wipestorm", "300", "60");
		started.add(p);
		String parent = Long.toString(p.pid());
		await().atMost(Duration.ofSeconds(20)).until(() -> Ps.pids("--ppid", parent).size() == 300);
		Set<Integer> oracle = new TreeSet<>(Ps.pids("--ppid", parent));
		oracle.add((int) p.pid());
		await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
			assertThat(connector.losses()).as("losses").isPositive();
			assertThat(pids(module(module))).isEqualTo(oracle);
		});
		assertThat(connector.rescans()).as("full scans: the first, and at least one after a loss").isGreaterThan(1);
		// a consumer sees that the lineage was rebuilt, and so that a member may have been missed
		assertThat(connector.generation(TAG).orElseThrow()).as("generation after the loss").isGreaterThan(firstGeneration);
		assertThat(connector.facts()).anyMatch(l -> l.startsWith("connector losses: ") && !l.startsWith("connector losses: 0"));
		// Nothing of ours was taken for dead, and every exit reported anywhere is a real one.
		assertThat(exits.stream().filter(x -> module.equals(x.tagValue()))).isEmpty();
		for (ExitEvent x : exits) {
			Proc.Task now = Proc.task(x.task().pid());
			assertThat(now == null || now.start() * ProcfsScanner.NANOS_PER_TICK != x.task().startTimeNanos())
					.as("reported exited but alive: %s", x).isTrue();
		}
	}

	private static List<Integer> threadsNamed(String comm) throws IOException {
		List<Integer> tids = new ArrayList<>();
		try (var tasks = Files.list(Path.of("/proc/self/task"))) {
			for (Path task : tasks.toList()) {
				try {
					if (Files.readString(task.resolve("comm")).strip().equals(comm)) {
						tids.add(Integer.parseInt(task.getFileName().toString()));
					}
				} catch (IOException e) {
					// that thread ended
				}
			}
		}
		assertThat(tids).as("threads named %s", comm).isNotEmpty();
		return tids;
	}

	private ExitEvent awaitExit(int pid, String module, Duration timeout) throws InterruptedException {
		long deadline = System.nanoTime() + timeout.toNanos();
		for (long left; (left = deadline - System.nanoTime()) > 0;) {
			ExitEvent e = exits.poll(left, TimeUnit.NANOSECONDS);
			if (e != null && e.task().pid() == pid && module.equals(e.tagValue())) {
				return e;
			}
		}
		throw new AssertionError("no exit event for pid " + pid + " within " + timeout);
	}
}
