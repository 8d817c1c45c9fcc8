package io.pidwatcher.cli.tests;

import static org.assertj.core.api.Assertions.assertThat;

import io.pidwatcher.testing.ExportedRuntime;
import io.pidwatcher.testing.Proc;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The README's promises about how a module's program runs ("Supervising modules"), each checked
 * against the exported runtime jar with /proc, the program's own output or the files it writes as
 * the oracle: the stop signal, env.* and directory, the session and stdin, the module log, config
 * changes applied at once (interval, policies*, stop.*), log retention, names with dashes (issue 16).
 */
class ModulePromisesTest {

	private static RuntimeHome rt;

	@BeforeAll
	static void startRuntime() throws Exception {
		rt = new RuntimeHome("pw-promise");
		rt.start(); // assigned first: a start that times out is still cleaned up
	}

	@AfterAll
	static void stopRuntime() throws Exception {
		if (rt != null) {
			rt.close();
		}
	}

	/** A program that writes "got USR1" into FILE when it gets SIGUSR1 and exits 0; SIGTERM kills it. */
	private static String usr1Recorder(Path file) {
		return "command=sh -c 'trap \"echo got USR1 > " + file + "; exit 0\" USR1; while :; do sleep 0.2; done'\n";
	}

	/** stop.signal is the signal the tree gets: a program that only reacts to USR1 records it. */
	@Test
	void theStopSignalIsSent() throws Exception {
		String name = rt.name("sig");
		Path got = rt.home.resolve(name + ".signal");
		rt.define(name, usr1Recorder(got) + "stop.signal=USR1\nstop.timeout=20s\ninterval=200ms\n");
		Proc.Task main = rt.awaitMain(name);
		ExportedRuntime.Result stop = rt.request("stop", name);
		assertThat(stop.status()).as(stop.out()).isZero();
		assertThat(Files.exists(got) ? Files.readString(got) : "").as("what the program recorded").contains("got USR1");
		assertThat(stop.out()).contains("0 of them with SIGKILL");
		assertThat(Proc.alive(main)).isFalse();
		assertThat(Proc.tree(name)).isEmpty();
	}

	/** env.* reaches the program's environment and directory its working directory, read from /proc. */
	@Test
	void envAndDirectoryReachTheProgram() throws Exception {
		String name = rt.name("env");
		Path dir = Files.createDirectories(rt.home.resolve("workdir-" + name));
		rt.define(name, "command=PWTEST sleep 600\nenv.PW_PROMISE=value with spaces=and equals\nenv.LC_ALL=C\ndirectory=" + dir
				+ "\ninterval=200ms\n");
		Proc.Task main = rt.awaitMain(name);
		List<String> env = environ(main.pid());
		assertThat(env).contains("PW_PROMISE=value with spaces=and equals", "LC_ALL=C", "PIDWATCHER_MODULE=" + name);
		assertThat(Files.readSymbolicLink(Path.of("/proc", Integer.toString(main.pid()), "cwd"))).isEqualTo(dir);
	}

	/** The program leads its own session (setsid) and reads /dev/null; stdout and stderr go to its log. */
	@Test
	void theProgramRunsInItsOwnSessionWithStdinFromDevNull() throws Exception {
		String name = rt.name("sess");
		rt.define(name, "command=PWTEST sleep 600\ninterval=200ms\n");
		Proc.Task main = rt.awaitMain(name);
		String stat = Files.readString(Path.of("/proc", Integer.toString(main.pid()), "stat"));
		String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
		assertThat(Integer.parseInt(f[3])).as("session id (setsid: the program's own pid)").isEqualTo(main.pid());
		assertThat(Integer.parseInt(f[2])).as("process group").isEqualTo(main.pid());
		Path fd = Path.of("/proc", Integer.toString(main.pid()), "fd");
		assertThat(Files.readSymbolicLink(fd.resolve("0"))).isEqualTo(Path.of("/dev/null"));
		Path log = rt.home.resolve("var/log/" + name + ".log");
		assertThat(Files.readSymbolicLink(fd.resolve("1"))).isEqualTo(log);
		assertThat(Files.readSymbolicLink(fd.resolve("2"))).isEqualTo(log);
	}

	/** Standard error goes to var/log/NAME.log, appended across restarts: every run's line is kept. */
	@Test
	void stderrGoesToTheModuleLogAppendedAcrossRestarts() throws Exception {
		String name = rt.name("err");
		rt.define(name, "command=sh -c 'echo \"stderr of run $$\" >&2; sleep 0.3; exit 3'\nstrategy=fixed\nstrategy.delay=100ms\ninterval=200ms\n");
		Path log = rt.home.resolve("var/log/" + name + ".log");
		Pattern line = Pattern.compile("stderr of run ([0-9]+)");
		ExportedRuntime.until(RuntimeHome.WAIT, "three runs' stderr in " + log, () -> runs(log, line) >= 3);
		String first = firstRun(log, line);
		ExportedRuntime.until(RuntimeHome.WAIT, "two more runs", () -> runs(log, line) >= 5);
		assertThat(firstRun(log, line)).as("the first run's line is still there").isEqualTo(first);
	}

	private static long runs(Path log, Pattern line) {
		try {
			Matcher m = line.matcher(Files.exists(log) ? Files.readString(log) : "");
			return m.results().map(r -> r.group(1)).distinct().count();
		} catch (java.io.IOException e) {
			return 0;
		}
	}

	private static String firstRun(Path log, Pattern line) throws java.io.IOException {
		Matcher m = line.matcher(Files.readString(log));
		assertThat(m.find()).isTrue();
		return m.group(1);
	}

	/**
	 * stop.* applies at once to a running module: a stop.signal set while it runs is the one sent.
	 * Failed before 53c7d12: a stop used the config the run started with.
	 */
	@Test
	void aStopSignalEditAppliesAtOnce() throws Exception {
		String name = rt.name("edit");
		Path got = rt.home.resolve(name + ".signal");
		String base = usr1Recorder(got) + "interval=200ms\nstop.timeout=20s\n";
		rt.define(name, base);
		Proc.Task first = rt.awaitMain(name);
		// the same edit changes the command, which waits for the next start and says so: the sign
		// that the runtime has read the edit
		rt.define(name, base.replace("sleep 0.2", "sleep 0.25") + "stop.signal=USR1\n");
		ExportedRuntime.until(RuntimeHome.WAIT, "the edit read (status: next restart)",
				() -> status(name).contains("next restart"));
		assertThat(Proc.alive(first)).as("the edit of stop.signal restarted nothing").isTrue();
		ExportedRuntime.Result stop = rt.request("stop", name);
		assertThat(Files.exists(got) ? Files.readString(got) : "").as("the signal sent after the edit").contains("got USR1");
		assertThat(stop.out()).contains("0 of them with SIGKILL");
	}

	/** policies* apply at once: a tasks limit the running tree already breaks fails it (a new main task in /proc). */
	@Test
	void aPoliciesEditAppliesAtOnce() throws Exception {
		String policy = rt.name("pol");
		rt.define(policy, "command=PWTEST tree 1 2 600\ninterval=200ms\nstop.timeout=2s\n");
		ExportedRuntime.until(RuntimeHome.WAIT, policy + ": 3 tasks in /proc", () -> Proc.tagged(policy).size() == 3);
		Proc.Task before = rt.main(policy).orElseThrow();
		rt.define(policy, "command=PWTEST tree 1 2 600\ninterval=200ms\nstop.timeout=2s\npolicies=tasks\npolicy.tasks.max=1\n");
		ExportedRuntime.until(RuntimeHome.WAIT, policy + ": the tree that breaks the new limit stopped", () -> !Proc.alive(before));
		assertThat(String.join("\n", rt.journal(policy))).as("the new policy's verdict journaled").contains("tasks (max 1)");
	}

	/**
	 * A tree of sh and one sleep that grows by two sleeps on SIGUSR1 and never loses a task: no exit
	 * kicks an evaluation, so only the interval's timer lets the tasks policy see the growth.
	 */
	private static String growsOnUsr1(String interval) {
		return "command=sh -c 'trap \"sleep 600 & sleep 600 &\" USR1; sleep 600 & while :; do wait; done'\n"
				+ "interval=" + interval + "\npolicies=tasks\npolicy.tasks.max=3\nstop.timeout=2s\n";
	}

	/**
	 * interval applies at once: a module edited from 1h to 200ms, with the same pids, sees a tree
	 * that grows after the edit, well before the old interval's next check. A control module left at
	 * 1h grows the same way and stays untouched, so nothing but the interval's timer finds it.
	 */
	@Test
	void anIntervalEditAppliesAtOnce() throws Exception {
		String edited = rt.name("ivl");
		String control = rt.name("ivlctl");
		rt.define(edited, growsOnUsr1("1h"));
		rt.define(control, growsOnUsr1("1h"));
		for (String m : List.of(edited, control)) {
			ExportedRuntime.until(RuntimeHome.WAIT, m + ": sh and its sleep in /proc (the trap is set)", () -> Proc.tree(m).size() == 2);
		}
		List<Proc.Task> before = Proc.tree(edited);
		Proc.Task main = rt.main(edited).orElseThrow();
		Proc.Task controlMain = rt.main(control).orElseThrow();

		rt.define(edited, growsOnUsr1("200ms"));
		ExportedRuntime.until(RuntimeHome.WAIT, edited + ": the edit read (journal: config changed)",
				() -> journal(edited).contains("config changed"));
		assertThat(Proc.tree(edited)).as("the edit of interval restarted nothing").isEqualTo(before);

		signal("USR1", main);
		signal("USR1", controlMain);
		ExportedRuntime.until(RuntimeHome.WAIT, control + ": grown past the limit in /proc", () -> Proc.tree(control).size() > 3);
		// WAIT is far below the old interval (1h): only the new one can find the growth this soon
		ExportedRuntime.until(RuntimeHome.WAIT, edited + ": the tree grown past the limit stopped", () -> !Proc.alive(main));
		assertThat(journal(edited)).as("the verdict journaled").contains("tasks (max 3)");
		long end = System.nanoTime() + java.util.concurrent.TimeUnit.SECONDS.toNanos(3);
		while (System.nanoTime() < end) {
			assertThat(Proc.alive(controlMain)).as("%s (interval 1h) not evaluated since it grew", control).isTrue();
			Thread.sleep(100);
		}
		assertThat(journal(control)).doesNotContain("tasks (max 3)");
	}

	private static String journal(String name) {
		try {
			return String.join("\n", rt.journal(name));
		} catch (java.io.IOException e) {
			return "";
		}
	}

	private static void signal(String signal, Proc.Task task) throws Exception {
		assertThat(Proc.alive(task)).as("pid %d alive to get SIG%s", task.pid(), signal).isTrue();
		Process kill = new ProcessBuilder("kill", "-" + signal, Integer.toString(task.pid())).redirectErrorStream(true).start();
		assertThat(kill.waitFor(10, java.util.concurrent.TimeUnit.SECONDS) && kill.exitValue() == 0).as("kill -%s %d", signal, task.pid())
				.isTrue();
	}

	private static String status(String name) {
		try {
			return rt.request("status", name).out();
		} catch (java.io.IOException e) {
			return "";
		}
	}

	/** log.files rotated logs are kept (NAME.log.1 ... NAME.log.N), never one more, through further rotations. */
	@Test
	void logFilesBoundsTheRotatedLogsKept() throws Exception {
		String name = rt.name("logs");
		rt.define(name, "command=sh -c 'while :; do echo \"a line of output to fill the log quickly\"; sleep 0.005; done'\n"
				+ "log.size=1k\nlog.files=2\ninterval=200ms\n");
		Path dir = rt.home.resolve("var/log");
		Path first = dir.resolve(name + ".log.1");
		ExportedRuntime.until(RuntimeHome.WAIT, name + ".log.2", () -> Files.exists(dir.resolve(name + ".log.2")));
		// each rotation puts a new file in place as NAME.log.1: watch three of them happen
		java.util.Set<Object> rotations = new java.util.HashSet<>();
		long deadline = System.nanoTime() + RuntimeHome.WAIT.toNanos();
		while (rotations.size() < 4) {
			assertThat(System.nanoTime()).as("three more rotations within %s", RuntimeHome.WAIT).isLessThan(deadline);
			try {
				// the copy's modification time: inode numbers are reused, these times are not
				rotations.add(Files.getLastModifiedTime(first));
			} catch (java.io.IOException e) {
				// between two renames
			}
			try (var files = Files.list(dir)) {
				List<String> kept = files.map(p -> p.getFileName().toString()).filter(n -> n.startsWith(name + ".log")).sorted().toList();
				assertThat(kept).as("logs of %s", name).isSubsetOf(name + ".log", name + ".log.1", name + ".log.2", name + ".log.1.partial"); // .partial: a rotation in flight
			}
			Thread.sleep(20);
		}
	}

	/** A module name may contain dashes (FileInstall splits the file name at the first one). */
	@Test
	void aModuleNameMayContainDashes() throws Exception {
		String name = rt.name("my-web-app-");
		rt.define(name, "command=PWTEST sleep 600\ninterval=200ms\n");
		Proc.Task main = rt.awaitMain(name);
		assertThat(environ(main.pid())).contains("PIDWATCHER_MODULE=" + name);
		rt.awaitState(name, "running");
		ExportedRuntime.Result status = rt.request("status", name);
		assertThat(status.status()).as(status.out()).isZero();
		assertThat(status.out()).contains(name);
	}

	private static List<String> environ(int pid) throws java.io.IOException {
		byte[] raw = Files.readAllBytes(Path.of("/proc", Integer.toString(pid), "environ"));
		return Arrays.asList(new String(raw, StandardCharsets.UTF_8).split("\0"));
	}
}
