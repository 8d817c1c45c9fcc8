package io.pidwatcher.reader.procfs.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.pidwatcher.api.reader.ProcessSnapshot;
import io.pidwatcher.api.reader.ScanScope;
import io.pidwatcher.api.reader.TaskSnapshot;
import io.pidwatcher.testing.TestPrograms;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The procfs scanner against procps, on live processes: {@code ps} says what /proc holds, and
 * {@code top} gives CPU time to the tick, which {@code ps} does not.
 */
class ProcfsScannerAgainstPsTest {

	private static final String TAG = "PIDWATCHER_MODULE";
	private static final String MODULE = TestPrograms.uniqueModule("ps");
	private static final List<Process> started = new ArrayList<>();
	private static Process sleeper, untagged, threaded, spinner;
	private static int daemonPid;

	@TempDir
	static Path tmp;

	private final ProcfsScanner scanner = new ProcfsScanner(Path.of("/proc"));

	@BeforeAll
	static void startProcesses() throws Exception {
		sleeper = start(MODULE, "sleep", "120");
		untagged = start(null, "sleep", "120");
		threaded = start(MODULE, "threads", "4", "120");
		spinner = start(MODULE, "spin", "120");
		Path pidFile = tmp.resolve("daemon.pid");
		start(MODULE, "daemon", pidFile.toString(), "120").waitFor();
		await().atMost(Duration.ofSeconds(10)).until(() -> Files.size(pidFile) > 0);
		daemonPid = Integer.parseInt(Files.readString(pidFile).trim());
		for (Process p : List.of(sleeper, untagged, threaded, spinner)) {
			await().atMost(Duration.ofSeconds(10)).until(() -> comm(p.pid()).equals("pwtest"));
		}
		await().atMost(Duration.ofSeconds(10)).until(() -> threadCount(threaded.pid()) == 5);
	}

	@AfterAll
	static void stopProcesses() {
		TestPrograms.killTagged(TAG, MODULE);
		started.forEach(Process::destroyForcibly);
	}

	private static Process start(String module, String... args) {
		Process p = TestPrograms.start(TAG, module, args);
		started.add(p);
		return p;
	}

	@Test
	void listsExactlyTheTaggedProcessesPsSees() throws Exception {
		Set<Integer> ours = pids(scanner.scan(TAG, ScanScope.module(MODULE)).tasks());
		Set<Integer> psTagged = psPidsWithEnvironment(TAG + "=" + MODULE);
		assertThat(ours).isEqualTo(psTagged)
				.contains((int) sleeper.pid(), (int) threaded.pid(), (int) spinner.pid(), daemonPid)
				.doesNotContain((int) untagged.pid());
	}

	@Test
	void pidPpidStateCommAndThreadsMatchPs() throws Exception {
		List<TaskSnapshot> tasks = scanner.scan(TAG, ScanScope.module(MODULE)).tasks();
		Map<Integer, String[]> ps = psTable();
		assertThat(tasks).isNotEmpty();
		for (TaskSnapshot task : tasks) {
			String[] row = ps.get(task.pid());
			assertThat(row).as("ps has pid %d", task.pid()).isNotNull();
			assertThat(task.ppid()).as("ppid of %d", task.pid()).isEqualTo(Integer.parseInt(row[1]));
			assertThat(task.threads()).as("threads of %d", task.pid()).isEqualTo(Integer.parseInt(row[3]));
			assertThat(task.comm()).isEqualTo(row[4]);
			assertThat(task.tgid()).isEqualTo(task.pid());
			if (task.pid() != spinner.pid()) {
				assertThat(String.valueOf(task.state())).as("state of %d", task.pid()).isEqualTo(row[2].substring(0, 1));
			}
		}
		TaskSnapshot threadedTask = find(tasks, threaded.pid());
		assertThat(threadedTask.threads()).isEqualTo(5);
		TaskSnapshot daemon = find(tasks, daemonPid);
		assertThat(daemon.ppid()).as("the setsid daemon was re-parented").isNotEqualTo((int) ProcessHandle.current().pid());
		assertThat(daemon.tagValue()).isEqualTo(MODULE);
		assertThat(find(tasks, sleeper.pid()).rssBytes()).isPositive();
		assertThat(find(tasks, sleeper.pid()).uid()).isEqualTo(Integer.parseInt(ps.get((int) sleeper.pid())[5]));
	}

	@Test
	void cpuTimeMatchesTopWithinOneTick() throws Exception {
		ProcessSnapshot before = snapshot(ScanScope.module(MODULE));
		Map<Integer, Long> top = topCpuTimeNanos(List.of(sleeper.pid(), threaded.pid(), spinner.pid()));
		ProcessSnapshot after = snapshot(ScanScope.module(MODULE));
		long tick = ProcfsScanner.NANOS_PER_TICK;
		for (long pid : List.of(sleeper.pid(), threaded.pid(), spinner.pid())) {
			long low = find(before.tasks(), pid).cpuTimeNanos();
			long high = find(after.tasks(), pid).cpuTimeNanos();
			assertThat(top.get((int) pid)).as("top's CPU time of %d", pid).isBetween(low - tick, high + tick);
		}
		assertThat(find(after.tasks(), spinner.pid()).cpuTimeNanos()).isPositive();
	}

	@Test
	void cpuUtilisationFromTwoSnapshots() throws Exception {
		ProcessSnapshot first = snapshot(ScanScope.module(MODULE));
		Thread.sleep(1000);
		ProcessSnapshot second = snapshot(ScanScope.module(MODULE));
		Map<io.pidwatcher.api.reader.TaskId, Double> percent = second.cpuPercentSince(first);
		TaskSnapshot spinBefore = find(first.tasks(), spinner.pid());
		TaskSnapshot spinAfter = find(second.tasks(), spinner.pid());
		double expected = 100.0 * (spinAfter.cpuTimeNanos() - spinBefore.cpuTimeNanos())
				/ (second.monotonicNanos() - first.monotonicNanos());
		// Exactly CPU time over wall time; the spinner's share itself depends on how busy the machine is.
		assertThat(percent.get(spinAfter.id())).isCloseTo(expected, org.assertj.core.data.Offset.offset(0.001))
				.isBetween(15.0, 105.0);
		assertThat(percent.get(find(second.tasks(), sleeper.pid()).id())).isLessThan(5.0);
	}

	@Test
	void untaggedProcessesOnlyInTheEverythingScope() {
		List<TaskSnapshot> everything = scanner.scan(TAG, ScanScope.everything()).tasks();
		TaskSnapshot plain = find(everything, untagged.pid());
		assertThat(plain.tagValue()).isNull();
		assertThat(pids(scanner.scan(TAG, ScanScope.tagged()).tasks())).doesNotContain((int) untagged.pid());
		assertThat(pids(scanner.scan(TAG, ScanScope.module("no-such-module")).tasks())).isEmpty();
	}

	@Test
	void kernelThreadsAreListedByTheEverythingScopeAndNotCountedAsVanished() throws Exception {
		// Newer kernels answer ESRCH, not an empty file, for a kernel thread's environ.
		Map<Integer, String[]> ps = psTable();
		Set<Integer> kernelThreads = ps.values().stream()
				.filter(row -> row[0].equals("2") || row[1].equals("2"))
				.map(row -> Integer.parseInt(row[0])).collect(Collectors.toCollection(TreeSet::new));
		ProcfsScanner.Result result = scanner.scan(TAG, ScanScope.everything());
		assertThat(kernelThreads).isNotEmpty();
		assertThat(pids(result.tasks())).containsAll(kernelThreads);
		assertThat(result.vanished()).as("processes really gone mid-scan").isLessThan(kernelThreads.size());
	}

	@Test
	void processesExitingDuringScansNeverFailAScan() throws Exception {
		String churn = TestPrograms.uniqueModule("churn");
		Process forker = start(churn, "forker", "2", "10");
		try {
			for (int i = 0; i < 40; i++) {
				Process quick = start(churn, "crash", "0", "3");
				ProcfsScanner.Result result = scanner.scan(TAG, ScanScope.module(churn));
				assertThat(result.tasks()).allSatisfy(t -> assertThat(t.tagValue()).isEqualTo(churn));
				quick.waitFor();
			}
		} finally {
			forker.destroyForcibly();
			TestPrograms.killTagged(TAG, churn);
		}
	}

	@Test
	void tagPositionsSpacesAndHugeEnvironmentsThroughTheRealKernel() throws Exception {
		String module = TestPrograms.uniqueModule("env");
		String spaced = module + " with spaces";
		// One string may hold at most 128 KiB (MAX_ARG_STRLEN), so 1 MiB takes eleven of them.
		List<String> huge = new ArrayList<>();
		for (int i = 0; i < 11; i++) {
			huge.add("BIG" + i + "=" + "y".repeat(100_000));
		}
		huge.add(TAG + "=" + module + "-last");
		Process first = envStart(List.of(TAG + "=" + module + "-first", "A=1"));
		Process last = envStart(huge);
		Process withSpaces = envStart(List.of("A=1", TAG + "=" + spaced, "B=2"));
		Process none = envStart(List.of("A=1", "B=2"));
		try {
			for (Process p : List.of(first, last, withSpaces, none)) {
				await().atMost(Duration.ofSeconds(10)).until(() -> comm(p.pid()).equals("pwtest"));
			}
			List<TaskSnapshot> everything = scanner.scan(TAG, ScanScope.everything()).tasks();
			assertThat(find(everything, first.pid()).tagValue()).isEqualTo(module + "-first");
			assertThat(find(everything, last.pid()).tagValue()).isEqualTo(module + "-last");
			assertThat(find(everything, withSpaces.pid()).tagValue()).isEqualTo(spaced);
			assertThat(find(everything, none.pid()).tagValue()).isNull();
		} finally {
			for (Process p : List.of(first, last, withSpaces, none)) {
				p.destroyForcibly();
			}
		}
	}

	/** Starts pwtest through env -i so the environment is exactly these entries, in this order. */
	private static Process envStart(List<String> environment) throws IOException {
		List<String> command = new ArrayList<>(List.of("env", "-i"));
		command.addAll(environment);
		command.addAll(List.of(TestPrograms.pwtest().toString(), "sleep", "60"));
		Process p = new ProcessBuilder(command).redirectOutput(ProcessBuilder.Redirect.DISCARD)
				.redirectErrorStream(true).start();
		started.add(p);
		return p;
	}

	private ProcessSnapshot snapshot(ScanScope scope) {
		long t = System.nanoTime();
		return new ProcessSnapshot("procfs", TAG, scope, t, Instant.now(), scanner.scan(TAG, scope).tasks(), false);
	}

	private static TaskSnapshot find(List<TaskSnapshot> tasks, long pid) {
		return tasks.stream().filter(t -> t.pid() == pid).findFirst()
				.orElseThrow(() -> new AssertionError("pid " + pid + " not in scan"));
	}

	private static Set<Integer> pids(List<TaskSnapshot> tasks) {
		return tasks.stream().map(TaskSnapshot::pid).collect(Collectors.toCollection(TreeSet::new));
	}

	private static String comm(long pid) throws IOException {
		try {
			return Files.readString(Path.of("/proc", Long.toString(pid), "comm")).trim();
		} catch (IOException e) {
			return "";
		}
	}

	private static int threadCount(long pid) throws IOException {
		try (var s = Files.list(Path.of("/proc", Long.toString(pid), "task"))) {
			return (int) s.count();
		}
	}

	private static List<String> run(String... command) throws Exception {
		ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true);
		builder.environment().put("HOME", tmp.toString()); // no ~/.toprc changes top's columns
		Process p = builder.start();
		String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
		assertThat(p.waitFor()).as("%s exit status; output:%n%s", String.join(" ", command), out).isZero();
		return out.lines().toList();
	}

	/** pid -> [pid, ppid, stat, nlwp, comm, ruid] */
	private static Map<Integer, String[]> psTable() throws Exception {
		Map<Integer, String[]> table = new HashMap<>();
		for (String line : run("ps", "-e", "-o", "pid=,ppid=,stat=,nlwp=,ruid=,comm=")) {
			String[] f = line.trim().split("\\s+", 6);
			if (f.length == 6) {
				table.put(Integer.parseInt(f[0]), new String[] { f[0], f[1], f[2], f[3], f[5], f[4] });
			}
		}
		return table;
	}

	private static Set<Integer> psPidsWithEnvironment(String entry) throws Exception {
		Set<Integer> pids = new TreeSet<>();
		for (String line : run("ps", "-e", "-ww", "e", "-o", "pid=,args=")) {
			String[] f = line.trim().split("\\s+");
			if (List.of(f).contains(entry)) {
				pids.add(Integer.parseInt(f[0]));
			}
		}
		return pids;
	}

	/** top -b prints TIME+ as minutes:seconds.hundredths, one tick's resolution. */
	private static Map<Integer, Long> topCpuTimeNanos(List<Long> pids) throws Exception {
		String list = pids.stream().map(String::valueOf).collect(Collectors.joining(","));
		Map<Integer, Long> times = new HashMap<>();
		boolean table = false;
		for (String line : run("top", "-b", "-n", "1", "-w", "512", "-p", list)) {
			String[] f = line.trim().split("\\s+");
			if (f.length > 0 && f[0].equals("PID")) {
				table = true;
				continue;
			}
			if (table && f.length >= 12) {
				String[] minSec = f[10].split(":");
				double seconds = Long.parseLong(minSec[0]) * 60 + Double.parseDouble(minSec[1]);
				times.put(Integer.parseInt(f[0]), Math.round(seconds * 100) * ProcfsScanner.NANOS_PER_TICK);
			}
		}
		return times;
	}
}
