package io.pidwatcher.cli.tests;

import static org.assertj.core.api.Assertions.assertThat;

import io.pidwatcher.testing.TestPrograms;
import io.pidwatcher.testing.ExportedRuntime;
import io.pidwatcher.testing.Proc;

import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Acceptance 9: kill -9 of the runtime, then a new runtime adopts the three running modules with
 * zero duplicate starts. And bin/pidwatcher, bin/startmodule, bin/stopmodule against the real
 * runtime jar.
 */
class ReadoptionTest {

	private static final Duration WAIT = Duration.ofSeconds(60);

	private Path home;
	private ExportedRuntime runtime;
	private final List<String> modules = new ArrayList<>();

	@BeforeEach
	void setUp() throws Exception {
		// in /tmp: a Unix socket path must stay under 108 bytes
		home = Files.createTempDirectory("pw-readopt");
		Files.createDirectories(home.resolve("etc"));
		runtime = new ExportedRuntime(home);
	}

	@AfterEach
	void tearDown() throws Exception {
		try {
			runtime.kill9();
		} catch (RuntimeException | InterruptedException e) {
			// not started
		}
		for (String m : modules) {
			TestPrograms.killTagged("PIDWATCHER_MODULE", m);
		}
		if (untagged != null && Proc.alive(untagged)) {
			ProcessHandle.of(untagged.pid()).ifPresent(ProcessHandle::destroyForcibly);
		}
		try (var files = Files.walk(home)) {
			files.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
		}
	}

	private Proc.Task untagged;

	private String module(String prefix, String... command) throws Exception {
		String name = prefix + UUID.randomUUID().toString().substring(0, 6);
		modules.add(name);
		Files.writeString(home.resolve("etc/pidwatcher.module-" + name + ".cfg"),
				"command=" + TestPrograms.pwtest() + " " + String.join(" ", command) + "\ninterval=200ms\nstop.timeout=2s\n");
		return name;
	}

	private long starts(String module) throws Exception {
		Path journal = home.resolve("var/watchdog/journal.jsonl");
		return Files.readAllLines(journal).stream()
				.filter(l -> l.contains("\"module\":\"" + module + "\"") && l.contains("\"to\":\"starting\"")
						&& !l.contains("\"from\":\"starting\"")) // a note while starting (main=daemon's hand-over) is no start
				.count();
	}

	@Test
	void aKilledRuntimeIsReplacedByOneThatAdoptsEveryRunningModuleWithoutStartingAnyAgain() throws Exception {
		Path pidFile = home.resolve("daemon.pid");
		String plain = module("plain", "sleep", "600");
		String daemon = module("daemon", "daemon", pidFile.toString(), "600");
		String clear = module("clear", "clearenv", "600");
		runtime.start();
		ExportedRuntime.until(WAIT, "all three running", () -> {
			try {
				ExportedRuntime.Result r = runtime.cli("pidwatcher", "status");
				return r.status() == 0 && r.out().lines().filter(l -> l.contains(" running ")).count() == 3;
			} catch (Exception e) {
				return false;
			}
		});
		ExportedRuntime.until(WAIT, "the daemon and the untagged child", () -> Files.exists(pidFile)
				&& Proc.tagged(daemon).size() == 1 && untaggedChild(clear) != null);
		Map<String, List<Proc.Task>> before = new HashMap<>();
		for (String m : modules) {
			before.put(m, Proc.tagged(m));
			assertThat(before.get(m)).as(m).hasSize(1);
		}
		Proc.Task child = untaggedChild(clear);
		untagged = child;
		// the state file knows the untagged child, so the next runtime can adopt it although its
		// parent might be gone by then
		ExportedRuntime.until(WAIT, "untagged child persisted", () -> {
			try {
				return Files.readString(home.resolve("var/watchdog/state.properties")).contains(child.pid() + "@");
			} catch (Exception e) {
				return false;
			}
		});

		runtime.kill9();
		Thread.sleep(500);
		for (String m : modules) {
			assertThat(before.get(m)).as("%s survives the runtime's death", m).allMatch(Proc::alive);
		}
		assertThat(Proc.alive(child)).isTrue();
		assertThat(runtime.cli("pidwatcher", "status").status()).as("no runtime: exit 3").isEqualTo(3);

		runtime.start();
		ExportedRuntime.until(WAIT, "all three adopted", () -> {
			try {
				ExportedRuntime.Result r = runtime.cli("pidwatcher", "status");
				return r.status() == 0 && r.out().lines().filter(l -> l.contains(" running ")).count() == 3;
			} catch (Exception e) {
				return false;
			}
		});
		Thread.sleep(1000); // a few intervals: nothing may be started twice, late either
		for (String m : modules) {
			assertThat(ids(Proc.tagged(m))).as("%s: the same processes, no second copy", m).isEqualTo(ids(before.get(m)));
			assertThat(starts(m)).as("%s started once in both runtimes together", m).isEqualTo(1);
		}
		String journal = Files.readString(home.resolve("var/watchdog/journal.jsonl"));
		assertThat(journal).contains("adopted the running tree");
		ExportedRuntime.Result status = runtime.cli("pidwatcher", "status", clear);
		assertThat(status.out()).contains("the same run as before").contains(child.pid() + " ")
				.containsAnyOf("tag lost, tracked by ancestry", "tag lost, member by lineage: inherited at fork");

		// the command line: unknown names, stop and start by the wrappers
		ExportedRuntime.Result unknown = runtime.cli("pidwatcher", "status", "nosuchmodule");
		assertThat(unknown.status()).isEqualTo(1);
		assertThat(unknown.err()).contains("no module named 'nosuchmodule'");
		ExportedRuntime.Result stopped = runtime.cli("stopmodule", clear);
		assertThat(stopped.status()).isZero();
		assertThat(stopped.out()).contains("stopped " + clear + ": 2 tasks stopped");
		assertThat(Proc.alive(child)).as("the adopted untagged child is stopped with its module").isFalse();
		ExportedRuntime.Result started = runtime.cli("startmodule", clear);
		assertThat(started.status()).isZero();
		assertThat(started.out()).contains(clear + ": starting");
		assertThat(runtime.cli("pidwatcher", "ps", plain).out()).contains("module " + plain + ": running, 1 tasks");
		assertThat(runtime.cli("pidwatcher", "events", clear).out()).contains("stopping -> stopped");
		assertThat(runtime.cli("pidwatcher", "bogus").status()).isEqualTo(2);
		ExportedRuntime.Result source = runtime.cli("pidwatcher", "source");
		assertThat(source.status()).isZero();
		assertThat(source.out()).as("the text of pw:source").contains("reader     procfs (service ranking 0)")
				.containsPattern("last scan  [0-9.]+ ms, [0-9]+ processes examined");
		Path socket = home.resolve("var/run/pidwatcher.sock");
		assertThat(Files.getPosixFilePermissions(socket)).containsExactlyInAnyOrder(
				java.nio.file.attribute.PosixFilePermission.OWNER_READ, java.nio.file.attribute.PosixFilePermission.OWNER_WRITE);
		for (String m : modules) {
			runtime.cli("stopmodule", m);
		}
	}

	/** pid@start of each: the parent pid changes when the runtime dies, the identity does not. */
	private static List<String> ids(List<Proc.Task> tasks) {
		return tasks.stream().map(t -> t.pid() + "@" + t.start()).toList();
	}

	/** The clearenv module's child: a child of its tagged process that carries no tag. */
	private static Proc.Task untaggedChild(String module) {
		List<Proc.Task> tagged = Proc.tagged(module);
		if (tagged.size() != 1) {
			return null;
		}
		try (DirectoryStream<Path> dirs = Files.newDirectoryStream(Path.of("/proc"), "[0-9]*")) {
			for (Path dir : dirs) {
				Proc.Task t = Proc.task(Integer.parseInt(dir.getFileName().toString()));
				if (t != null && t.ppid() == tagged.get(0).pid()) {
					return t;
				}
			}
		} catch (Exception e) {
			return null;
		}
		return null;
	}
}
