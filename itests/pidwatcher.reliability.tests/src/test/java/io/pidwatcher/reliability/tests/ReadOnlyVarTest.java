package io.pidwatcher.reliability.tests;

import static org.assertj.core.api.Assertions.assertThat;

import io.pidwatcher.testing.ExportedRuntime;
import io.pidwatcher.testing.Proc;
import io.pidwatcher.testing.TestPrograms;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashSet;
import java.util.Set;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The README: "A full (or read-only) var/ does not stop supervision." var/ (a tmpfs) is made
 * read-only by a read-only bind mount over it, as a file system remounted read-only would be for
 * every file opened from then on: while the runtime runs (files it holds open stay writable, a
 * kernel limit: a tmpfs with open files cannot be remounted read-only), and before it starts. A
 * crashing module goes on being restarted and a steady one is untouched (both read from /proc),
 * the runtime says that it cannot write, and once var/ is writable again it writes again. Needs
 * root (mount): as root a failed mount fails the test, without root it is a counted skip.
 */
class ReadOnlyVarTest {

	private static final Duration WAIT = Duration.ofSeconds(60);
	private static final Duration READ_ONLY_PHASE = Duration.ofSeconds(6);

	private Path home;
	private Path var;
	private TmpfsVar tmpfs;
	private ExportedRuntime runtime;
	private String steady;
	private String crashy;

	@BeforeEach
	void setUp() throws Exception {
		home = Files.createTempDirectory("pw-rel-rovar");
		Files.createDirectories(home.resolve("etc"));
		tmpfs = TmpfsVar.mount(home, "4m");
		var = tmpfs.var;
		runtime = new ExportedRuntime(home);
	}

	@AfterEach
	void tearDown() throws Exception {
		if (runtime != null) {
			runtime.kill9();
		}
		for (String m : new String[] { steady, crashy }) {
			if (m != null) {
				TestPrograms.killTagged("PIDWATCHER_MODULE", m);
			}
		}
		if (tmpfs != null) {
			tmpfs.close();
		}
		if (runtime != null) {
			runtime.delete();
		}
	}

	private void modules() throws IOException {
		steady = "rosteady" + Long.toString(System.nanoTime() % 46656, 36);
		crashy = "rocrashy" + Long.toString(System.nanoTime() % 46656, 36);
		String pwtest = TestPrograms.pwtest().toString();
		Files.writeString(home.resolve("etc/pidwatcher.module-" + steady + ".cfg"), "command=" + pwtest + " sleep 600\ninterval=200ms\n");
		Files.writeString(home.resolve("etc/pidwatcher.module-" + crashy + ".cfg"),
				"command=" + pwtest + " crash 400 3\nstrategy=fixed\nstrategy.delay=200ms\ninterval=200ms\n");
	}

	/** New runs of crashy seen in /proc over {@code phase}, while steady's main task must stay alive. */
	private Set<Proc.Task> crashyRunsOver(Duration phase, Set<Proc.Task> seenBefore, Proc.Task steadyMain) throws InterruptedException {
		Set<Proc.Task> runs = new HashSet<>();
		long end = System.nanoTime() + phase.toNanos();
		while (System.nanoTime() < end) {
			Proc.tagged(crashy).stream().filter(t -> !seenBefore.contains(t)).forEach(runs::add);
			if (steadyMain != null) {
				assertThat(Proc.alive(steadyMain)).as("the steady module untouched while var/ is read-only").isTrue();
			}
			Thread.sleep(50);
		}
		return runs;
	}

	/**
	 * var/ turning read-only stops no supervision: crashy is still restarted (its output discarded,
	 * which the runtime says once), steady is untouched, and the runtime says when it writes again.
	 * Failed before the fix: not one restart in 6 s, the open of var/log/NAME.log failed the start.
	 */
	@Test
	void varTurningReadOnlyStopsNoSupervisionIsReportedAndOutlived() throws Exception {
		modules();
		runtime.start();
		ExportedRuntime.until(WAIT, steady + " running", () -> Proc.tagged(steady).size() == 1 && runtime.state(steady).equals("running"));
		Proc.Task steadyMain = Proc.tagged(steady).get(0);
		Set<Proc.Task> crashyRuns = new HashSet<>();
		ExportedRuntime.until(WAIT, crashy + " restarted once", () -> {
			crashyRuns.addAll(Proc.tagged(crashy));
			return crashyRuns.size() >= 2;
		});

		tmpfs.readOnly();
		Set<Proc.Task> runsWhileReadOnly = crashyRunsOver(READ_ONLY_PHASE, crashyRuns, steadyMain);
		String console = Files.readString(home.resolve("runtime.out"));

		tmpfs.writable();
		ExportedRuntime.until(WAIT, "the runtime saying it writes again", () -> {
			try {
				return Files.readString(var.resolve("log/pidwatcher.log")).contains("is written again");
			} catch (IOException e) {
				return false;
			}
		});

		assertThat(runsWhileReadOnly).as("new runs of %s in /proc while var/ was read-only", crashy).hasSizeGreaterThanOrEqualTo(2);
		assertThat(console).as("the runtime's standard error while var/ was read-only").contains("cannot write")
				.contains("Read-only file system");
		assertThat(Proc.alive(steadyMain)).isTrue();
	}

	/**
	 * var/ read-only when the runtime starts (its folders there from an earlier run): the modules
	 * start and crashy is restarted, and the runtime says once each that it cannot write the log
	 * file, the journal, the adoption state and crashy's log, however often crashy restarts. Failed
	 * before the fix: nothing at all on standard error (the log writer's activation opened
	 * var/log/pidwatcher.log, failed, and took the console with it).
	 */
	@Test
	void aRuntimeStartedOnAReadOnlyVarSupervisesAndSaysItCannotWrite() throws Exception {
		modules();
		for (String dir : new String[] { "log", "watchdog", "run" }) {
			Files.createDirectories(var.resolve(dir));
		}
		tmpfs.readOnly();
		runtime.start();
		Set<Proc.Task> runs = new HashSet<>();
		ExportedRuntime.until(WAIT, crashy + " started and restarted on a read-only var/", () -> {
			runs.addAll(Proc.tagged(crashy));
			return runs.size() >= 2 && Proc.tagged(steady).size() == 1;
		});
		String[] said = { "cannot write the log file", "cannot write the journal", "cannot write the adoption state",
				"cannot write " + var.resolve("log/" + crashy + ".log") };
		ExportedRuntime.until(WAIT, "the runtime saying it cannot write " + String.join(", ", said), () -> {
			String console = console();
			return java.util.Arrays.stream(said).allMatch(console::contains);
		});
		// said once, not once per write: crashy restarts (and writes the journal) a few more times
		int before = runs.size();
		ExportedRuntime.until(WAIT, crashy + " restarted three more times", () -> {
			runs.addAll(Proc.tagged(crashy));
			return runs.size() >= before + 3;
		});
		String console = console();
		for (String s : said) {
			assertThat(console.split(java.util.regex.Pattern.quote(s), -1).length - 1).as("times '%s' said in:%n%s", s, console)
					.isEqualTo(1);
		}
		assertThat(console).contains("Read-only file system");
	}

	private String console() {
		try {
			return Files.readString(home.resolve("runtime.out"));
		} catch (IOException e) {
			return "";
		}
	}
}
