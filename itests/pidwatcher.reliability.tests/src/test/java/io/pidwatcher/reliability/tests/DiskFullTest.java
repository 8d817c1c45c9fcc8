package io.pidwatcher.reliability.tests;

import static org.assertj.core.api.Assertions.assertThat;

import io.pidwatcher.testing.ExportedRuntime;
import io.pidwatcher.testing.Proc;
import io.pidwatcher.testing.TestPrograms;

import java.io.IOException;
import java.io.OutputStream;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * var/ (journal, adoption state, logs, control socket) on a small tmpfs that the test fills to the
 * last byte while modules run and crash: supervision must go on, the runtime must say that it
 * cannot write, the adoption state must stay whole, a runtime killed and started again on the full
 * disk must still adopt, and once space is back the journal and the state are written again.
 * Needs root (mount): as root a failed mount fails the test; without root it is a counted skip.
 */
class DiskFullTest {

	private static final Duration WAIT = Duration.ofSeconds(60);
	private static final Duration FULL_PHASE = Duration.ofSeconds(8);

	private Path home;
	private Path var;
	private TmpfsVar tmpfs;
	private ExportedRuntime runtime;
	private final List<String> modules = new ArrayList<>();

	@BeforeEach
	void setUp() throws Exception {
		home = Files.createTempDirectory("pw-rel-diskfull");
		Files.createDirectories(home.resolve("etc"));
		tmpfs = TmpfsVar.mount(home, "1m");
		var = tmpfs.var;
		runtime = new ExportedRuntime(home);
	}

	@AfterEach
	void tearDown() throws Exception {
		if (runtime != null) {
			runtime.kill9();
		}
		for (String m : modules) {
			TestPrograms.killTagged("PIDWATCHER_MODULE", m);
		}
		if (tmpfs != null) {
			tmpfs.close();
		}
		if (runtime != null) {
			runtime.delete();
		}
	}

	private String module(String prefix, String config) throws Exception {
		String name = prefix + Long.toString(System.nanoTime() % 46656, 36);
		modules.add(name);
		Files.writeString(home.resolve("etc/pidwatcher.module-" + name + ".cfg"), "interval=200ms\nstop.timeout=2s\n"
				+ config.replace("PWTEST", TestPrograms.pwtest().toString()).replace("HOME", home.toString()));
		return name;
	}

	@Test
	void aFullDiskUnderVarStopsNeitherSupervisionNorAdoptionAndIsReportedAndOutlived() throws Exception {
		String steady = module("steady", "command=PWTEST sleep 600\n");
		String crashy = module("crashy", "command=PWTEST crash 400 3\nstrategy=backoff\nstrategy.initial=300ms\nstrategy.max=300ms\n");
		String daemon = module("daemon", "command=PWTEST daemon HOME/daemon.pid 600\n");
		Process jvm = runtime.start();
		ExportedRuntime.until(WAIT, "steady and daemon running, crashy restarted twice", () -> runtime.state(steady).equals("running")
				&& runtime.state(daemon).equals("running") && restarts(crashy) >= 2);
		Proc.Task steadyMain = Proc.tagged(steady).get(0);
		List<Proc.Task> daemonTasks = Proc.tagged(daemon);
		assertThat(daemonTasks).hasSize(1);

		// The runtime's CPU with the disk not full yet, to compare (a young JVM still compiles).
		long cpuBefore = cpuTicks(jvm.pid());
		Thread.sleep(FULL_PHASE.toMillis() / 2);
		double cpuPercentBefore = 100.0 * (cpuTicks(jvm.pid()) - cpuBefore) / 100 / (FULL_PHASE.toSeconds() / 2.0);

		// Fill var/ to the last byte. What is left in the last page of an open file still takes a few bytes.
		Path journal = var.resolve("watchdog/journal.jsonl");
		Path log = var.resolve("log/pidwatcher.log");
		int journalLinesAtFill = lines(journal);
		Path filler = var.resolve("filler");
		long filled = fill(filler);
		assertThat(Files.getFileStore(var).getUsableSpace()).as("free bytes on the tmpfs").isZero();

		// The full phase: supervision goes on, the state file is never seen cut, no duplicates.
		int crashyRestartsAtFill = restarts(crashy);
		long cpuAtFill = cpuTicks(jvm.pid());
		int fdsAtFill = fds(jvm.pid());
		List<String> fdTargets = new ArrayList<>();
		int maxCopies = 0;
		int stateSamples = 0;
		List<String> badStates = new ArrayList<>();
		long end = System.nanoTime() + FULL_PHASE.toNanos();
		while (System.nanoTime() < end) {
			maxCopies = Math.max(maxCopies, MainProcesses.count(modules).values().stream().max(Integer::compare).orElse(0));
			// crashy's main task may be unknown in the last state written (written as it started)
			String problem = stateProblem(var.resolve("watchdog/state.properties"), List.of(steady, crashy, daemon),
					List.of(steady));
			stateSamples++;
			if (problem != null) {
				badStates.add(problem);
			}
			Thread.sleep(100);
		}
		int crashyRestartsFull = restarts(crashy) - crashyRestartsAtFill;
		double cpuPercent = 100.0 * (cpuTicks(jvm.pid()) - cpuAtFill) / 100 / FULL_PHASE.toSeconds();
		int fdGrowth = fds(jvm.pid()) - fdsAtFill;
		try (var s = Files.list(Path.of("/proc", Long.toString(jvm.pid()), "fd"))) {
			for (Path fd : s.toList()) {
				try {
					String target = Files.readSymbolicLink(fd).toString();
					if (target.startsWith(var.toString())) {
						fdTargets.add(target.substring(var.toString().length()));
					}
				} catch (IOException e) {
					// closed meanwhile
				}
			}
		}
		int journalLinesFull = lines(journal);
		String console = Files.readString(home.resolve("runtime.out"));
		boolean journalFailureReported = console.contains("cannot write the journal") && console.contains("No space left");
		boolean stateFailureReported = console.contains("cannot write the adoption state") && console.contains("No space left");
		int consoleLinesFull = (int) console.lines().count();
		long logWriterComplaints = console.lines().filter(l -> l.contains("cannot write the log file")).count();

		// kill -9 on the full disk, and a new runtime on the full disk: it adopts what runs.
		runtime.kill9();
		jvm = runtime.start();
		ExportedRuntime.until(WAIT, "the new runtime answers on the full disk with steady running",
				() -> runtime.state(steady).equals("running") && runtime.state(daemon).equals("running"));
		ExportedRuntime.until(WAIT, "crashy cycling under the new runtime", () -> Proc.tagged(crashy).size() == 1);
		String events = runtime.request("events").out();
		long adoptionEvents = events.lines().filter(l -> l.contains("adopted the running tree")).count();
		boolean steadySame = Proc.alive(steadyMain) && Proc.tagged(steady).equals(List.of(Proc.task(steadyMain.pid())));
		boolean daemonSame = daemonTasks.stream().allMatch(Proc::alive) && Proc.tagged(daemon).size() == 1;
		for (int i = 0; i < 20; i++) {
			maxCopies = Math.max(maxCopies, MainProcesses.count(modules).values().stream().max(Integer::compare).orElse(0));
			Thread.sleep(100);
		}

		// A stop by request while the disk is full: the state file cannot say it yet.
		assertThat(runtime.request("stop", crashy).status()).isZero();

		// Space comes back: the journal, the state and the log are written again.
		Files.delete(filler);
		int journalLinesFreed = lines(journal);
		long logBytesFreed = Files.size(log);
		// Nothing changes any more (crashy stopped, the others steady), yet what could not be written
		// while the disk was full must reach it now: the journal's entries and the stop in the state.
		boolean stopWritten = eventually(Duration.ofSeconds(10),
				() -> readState(var.resolve("watchdog/state.properties")).getProperty(crashy + ".stopped", "").equals("true"));
		boolean journalResumed = eventually(Duration.ofSeconds(10), () -> lines(journal) > journalLinesFreed);
		int journalLinesLate = lines(journal) - journalLinesFreed;
		boolean logResumed = eventually(Duration.ofSeconds(10), () -> size(log) > logBytesFreed);
		String logText = logResumed ? Files.readString(log) : "";
		boolean recoveryReported = logText.contains("the journal is written again")
				&& logText.contains("the adoption state is written again");

		// The proof that it matters: a kill now, and the next runtime keeps crashy stopped.
		runtime.kill9();
		runtime.start();
		ExportedRuntime.until(WAIT, "the third runtime adopts steady", () -> runtime.state(steady).equals("running"));
		Thread.sleep(1000);
		String crashyAfterSecondKill = runtime.state(crashy);
		int crashyTasksAfterSecondKill = Proc.tagged(crashy).size();

		for (String m : modules) {
			assertThat(runtime.request("stop", m).status()).as("stop %s", m).isZero();
		}
		int orphans = modules.stream().mapToInt(m -> Proc.tagged(m).size()).sum();
		System.out.printf("RELIABILITY disk-full filled=%d bytes full-for=%ds crashy-restarts-while-full=%d duplicates=%d "
				+ "state-samples=%d state-cut=%d runtime-cpu before=%.1f%% while-full=%.1f%% fds-on-var growth=%d open=%s journal-lines at-fill=%d while-full=%d "
				+ "console-lines=%d of-which-log-file-failures=%d journal-failure-reported=%s state-failure-reported=%s kill9-on-full-disk: control-socket-answers=true adoption-events=%d "
				+ "steady-same=%s daemon-same=%s; freed: journal-resumed=%s journal-lines-written-late=%d log-resumed=%s "
				+ "stop-while-full-written=%s, after a second kill crashy %s with %d tasks; recovery-reported=%s orphans=%d%n",
				filled,
				FULL_PHASE.toSeconds(), crashyRestartsFull, Math.max(0, maxCopies - 1), stateSamples, badStates.size(),
				cpuPercentBefore, cpuPercent, fdGrowth, fdTargets, journalLinesAtFill, journalLinesFull, consoleLinesFull, logWriterComplaints, journalFailureReported,
				stateFailureReported, adoptionEvents, steadySame, daemonSame, journalResumed, journalLinesLate, logResumed, stopWritten, crashyAfterSecondKill,
				crashyTasksAfterSecondKill, recoveryReported, orphans);
		assertThat(crashyRestartsFull).as("crashes detected and restarted while the disk is full").isGreaterThanOrEqualTo(2);
		assertThat(maxCopies).as("copies of one module").isLessThanOrEqualTo(1);
		assertThat(badStates).as("the adoption state as read while the disk is full").isEmpty();
		assertThat(cpuPercent).as("the runtime's CPU while the disk is full (no spinning), before: %.1f%%", cpuPercentBefore)
				.isLessThan(cpuPercentBefore + 40);
		assertThat(fdGrowth).as("descriptors on var/ the runtime gained while the disk is full: %s", fdTargets).isLessThan(3);
		assertThat(logWriterComplaints).as("console lines about the log file while the disk is full (once is enough)")
				.isLessThanOrEqualTo(1);
		assertThat(journalFailureReported).as("the console says the journal cannot be written:\n%s", console).isTrue();
		assertThat(stateFailureReported).as("the console says the adoption state cannot be written").isTrue();
		assertThat(adoptionEvents).as("adoptions after kill -9 on the full disk:\n%s", events).isGreaterThanOrEqualTo(2);
		assertThat(steadySame).as("steady is the same process after the kill on the full disk").isTrue();
		assertThat(daemonSame).as("the daemonized tree is the same after the kill on the full disk").isTrue();
		assertThat(journalResumed).as("the journal is written again once space is back").isTrue();
		assertThat(logResumed).as("the log is written again once space is back").isTrue();
		assertThat(stopWritten).as("the stop made while the disk was full reaches the state file once space is back").isTrue();
		assertThat(crashyAfterSecondKill).as("crashy, stopped by request, after a later kill -9").isEqualTo("stopped");
		assertThat(crashyTasksAfterSecondKill).isZero();
		assertThat(recoveryReported).as("the log says the journal and the state are written again").isTrue();
		assertThat(orphans).as("tagged processes left after stopping every module").isZero();
	}

	/** Whether the condition became true within the timeout (a finding to count, not a precondition). */
	static boolean eventually(Duration timeout, java.util.function.BooleanSupplier condition) throws InterruptedException {
		long deadline = System.nanoTime() + timeout.toNanos();
		while (!condition.getAsBoolean()) {
			if (System.nanoTime() > deadline) {
				return false;
			}
			Thread.sleep(100);
		}
		return true;
	}

	/** Writes until the file system refuses a single byte more; returns how many bytes went in. */
	private static long fill(Path filler) throws IOException {
		long written = 0;
		try (OutputStream out = Files.newOutputStream(filler)) {
			for (int chunk : new int[] { 64 << 10, 4 << 10, 1 }) {
				byte[] bytes = new byte[chunk];
				try {
					while (true) {
						out.write(bytes);
						written += chunk;
					}
				} catch (IOException full) {
					// next, smaller chunk
				}
			}
		} catch (IOException closing) {
			// close cannot flush anything more: an unbuffered stream
		}
		return written;
	}

	/** Why the state file as read now could not serve an adoption, or null when it could. */
	private static String stateProblem(Path file, List<String> modules, List<String> withMain) {
		try {
			String text = Files.readString(file);
			if (text.isEmpty()) {
				return "empty";
			}
			Properties p = readState(file);
			for (String m : modules) {
				if (!p.getProperty(m + ".instance", "").startsWith(m + ".")) {
					return "no instance of " + m + " in:\n" + text;
				}
			}
			for (String m : withMain) {
				if (!p.getProperty(m + ".main", "").matches("\\d+@\\d+")) {
					return "no main task for " + m + " in:\n" + text;
				}
			}
			return null;
		} catch (NoSuchFileException e) {
			return "missing";
		} catch (IOException | RuntimeException e) {
			return e.toString();
		}
	}

	private static Properties readState(Path file) {
		Properties p = new Properties();
		try (Reader r = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
			p.load(r);
		} catch (IOException e) {
			// empty
		}
		return p;
	}

	private int restarts(String module) {
		try {
			return runtime.request("status", module).out().lines().filter(l -> l.startsWith("restarts"))
					.map(l -> Integer.parseInt(l.substring("restarts".length()).trim())).findFirst().orElse(-1);
		} catch (IOException | RuntimeException e) {
			return -1;
		}
	}

	private static int lines(Path file) {
		try {
			return Files.exists(file) ? Files.readAllLines(file).size() : 0;
		} catch (IOException e) {
			return 0;
		}
	}

	private static long size(Path file) {
		try {
			return Files.size(file);
		} catch (IOException e) {
			return 0;
		}
	}

	/** utime + stime of a process in clock ticks (100 a second on Linux). */
	private static long cpuTicks(long pid) throws IOException {
		String stat = Files.readString(Path.of("/proc", Long.toString(pid), "stat"));
		String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
		return Long.parseLong(f[11]) + Long.parseLong(f[12]);
	}

	/**
	 * Open descriptors of a process on files under var/. Only those: the runtime also holds a pidfd
	 * per tagged process on the machine, and other tests' fork storms make that count swing by
	 * thousands.
	 */
	private int fds(long pid) throws IOException {
		int n = 0;
		try (var s = Files.list(Path.of("/proc", Long.toString(pid), "fd"))) {
			for (Path fd : s.toList()) {
				try {
					if (Files.readSymbolicLink(fd).toString().startsWith(var.toString())) {
						n++;
					}
				} catch (IOException e) {
					// closed meanwhile
				}
			}
		}
		return n;
	}

	/** Uid 0, from /proc/self/status (the real uid: mount checks it, and user.name may lie). */
	/** Tagged processes of a module whose parent is not tagged by it: one per running instance. */
	static int mainProcesses(String module) {
		List<Proc.Task> tagged = Proc.tagged(module);
		return (int) tagged.stream().filter(t -> tagged.stream().noneMatch(p -> p.pid() == t.ppid())).count();
	}
}
