package io.pidwatcher.cli.tests;

import static org.assertj.core.api.Assertions.assertThat;

import io.pidwatcher.testing.ExportedRuntime;
import io.pidwatcher.testing.Proc;
import io.pidwatcher.testing.TestPrograms;

import java.io.File;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Service mode of the exported runtime: without a terminal it runs until SIGTERM (no Gogo reading
 * end of input and stopping the framework), SIGTERM stops the framework cleanly and leaves the
 * modules for the next runtime, {@code --exit-modules=stop} leaves nothing, {@code exit} at a
 * real prompt (a pty from util-linux's script) ends the session, and bin/pidwatcherd refuses bad
 * input before starting anything.
 */
class ServiceModeTest {

	private static final Duration WAIT = Duration.ofSeconds(60);

	private Path home;
	private ExportedRuntime client;
	private final List<Process> jvms = new ArrayList<>();
	private final List<String> modules = new ArrayList<>();

	@BeforeEach
	void setUp() throws Exception {
		home = Files.createTempDirectory("pw-service"); // in /tmp: a socket path stays under 108 bytes
		client = new ExportedRuntime(home);
	}

	@AfterEach
	void tearDown() throws Exception {
		for (Process jvm : jvms) {
			jvm.destroyForcibly();
			jvm.waitFor(30, TimeUnit.SECONDS);
		}
		for (String m : modules) {
			TestPrograms.killTagged("PIDWATCHER_MODULE", m);
		}
		client.delete();
	}

	private String module(String prefix, String... command) throws IOException {
		String name = TestPrograms.uniqueModule(prefix);
		modules.add(name);
		Files.createDirectories(home.resolve("etc"));
		Files.writeString(home.resolve("etc/pidwatcher.module-" + name + ".cfg"),
				"command=" + TestPrograms.pwtest() + " " + String.join(" ", command) + "\ninterval=200ms\nstop.timeout=2s\n");
		return name;
	}

	/** java -jar, standard input /dev/null, no gosh.args: what nohup, a unit or a container does. */
	private Process plainJar() throws IOException {
		return started(new ProcessBuilder("java", "-Dpidwatcher.home=" + home, "-jar", ExportedRuntime.JAR.toString()));
	}

	private Process pidwatcherd(String... args) throws IOException {
		List<String> command = new ArrayList<>(List.of(ExportedRuntime.BIN.resolve("pidwatcherd").toString(), "--home",
				home.toString(), "--jar", ExportedRuntime.JAR.toString()));
		command.addAll(List.of(args));
		return started(new ProcessBuilder(command));
	}

	private Process started(ProcessBuilder builder) throws IOException {
		builder.environment().remove("PIDWATCHER_EXIT_MODULES");
		Process jvm = builder.directory(home.toFile()).redirectErrorStream(true)
				.redirectOutput(ProcessBuilder.Redirect.appendTo(home.resolve("runtime.out").toFile()))
				.redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null"))).start();
		jvms.add(jvm);
		return jvm;
	}

	private void untilRunning(String module) throws InterruptedException {
		ExportedRuntime.until(WAIT, module + " running", () -> client.state(module).equals("running"));
	}

	private String output() throws IOException {
		Path out = home.resolve("runtime.out");
		return Files.exists(out) ? Files.readString(out) : "";
	}

	private static List<String> ids(List<Proc.Task> tasks) {
		return tasks.stream().map(t -> t.pid() + "@" + t.start()).toList();
	}

	/** SIGTERM (what Process.destroy sends) and the JVM's exit within the deadline. */
	private static int sigterm(Process jvm) throws InterruptedException {
		jvm.destroy();
		assertThat(jvm.waitFor(60, TimeUnit.SECONDS)).as("the runtime ends after SIGTERM").isTrue();
		return jvm.exitValue();
	}

	@Test
	void withoutATerminalTheRuntimeRunsUntilSigtermWhichLeavesTheModulesForTheNextRuntimeToAdopt() throws Exception {
		String name = module("svc", "sleep", "600");
		Process first = plainJar();
		untilRunning(name);
		List<String> before = ids(Proc.tagged(name));
		assertThat(before).hasSize(1);
		// Gogo used to read end of input here and stop the framework within a second.
		Thread.sleep(3000);
		assertThat(first.isAlive()).as("still running with standard input at end of file").isTrue();
		assertThat(client.answers()).isTrue();
		assertThat(output()).doesNotContain("Welcome to Apache Felix Gogo").doesNotContain("g! ");
		assertThat(Files.readString(home.resolve("var/log/pidwatcher.log"))).contains("running as a service");

		assertThat(sigterm(first)).as("the JVM's status after SIGTERM").isEqualTo(143);
		// A clean stop deactivates the shell bundle, which removes its socket (a kill -9 leaves it).
		assertThat(home.resolve("var/run/pidwatcher.sock")).doesNotExist();
		assertThat(ids(Proc.tagged(name))).as("the module survives its runtime's SIGTERM").isEqualTo(before);

		Process second = pidwatcherd();
		untilRunning(name);
		Thread.sleep(1000); // a few intervals: nothing may be started twice, late either
		assertThat(ids(Proc.tagged(name))).as("adopted: the same process").isEqualTo(before);
		assertThat(client.journal().stream().filter(l -> l.contains("\"module\":\"" + name + "\"")
				&& l.contains("\"to\":\"starting\"")).count()).as("started once in both runtimes").isEqualTo(1);
		assertThat(String.join("\n", client.journal())).contains("adopted the running tree");
		sigterm(second);
		assertThat(ids(Proc.tagged(name))).isEqualTo(before);
	}

	@Test
	void withExitModulesStopSigtermLeavesNoProcessAndTheNextRuntimeStartsThoseModulesAgain() throws Exception {
		Path pidFile = home.resolve("daemon.pid");
		String daemon = module("svcd", "daemon", pidFile.toString(), "600");
		String kept = module("svck", "sleep", "600");
		Process first = pidwatcherd("--exit-modules=stop");
		untilRunning(daemon);
		untilRunning(kept);
		ExportedRuntime.until(WAIT, "the daemon", () -> Files.exists(pidFile) && Proc.tagged(daemon).size() == 1);
		// stopped by request before the exit: must stay stopped afterwards
		assertThat(client.request("stop", kept).status()).isZero();

		sigterm(first);
		assertThat(Proc.tagged(daemon)).as("every process of the module is gone").isEmpty();
		assertThat(Proc.tagged(kept)).isEmpty();
		assertThat(Files.readString(home.resolve("var/log/pidwatcher.log"))).contains("stopping 1 modules because the runtime ends");

		Process second = pidwatcherd();
		untilRunning(daemon);
		ExportedRuntime.until(WAIT, "the marker consumed", () -> !Files.exists(home.resolve("var/home/stopped-at-exit")));
		assertThat(client.state(kept)).as("a module stopped by request stays stopped").isEqualTo("stopped");
		sigterm(second);
		assertThat(Proc.tagged(daemon)).as("the default leaves the modules running").hasSize(1);
	}

	@Test
	void aFreshHomeStartsWithoutAFileInstallComplaintAndBadInputStartsNothing() throws Exception {
		Process jvm = pidwatcherd();
		ExportedRuntime.until(WAIT, "the runtime answers", () -> {
			try {
				return client.request("status").status() == 0; // no modules: answers() needs one
			} catch (IOException e) {
				return false;
			}
		});
		Thread.sleep(1500); // FileInstall's first scans
		assertThat(output()).doesNotContain("does not exist").doesNotContain("Root path");
		sigterm(jvm);

		Path empty = Files.createTempDirectory(home, "bad");
		for (String[] bad : List.of(new String[] { "--bogus" }, new String[] { "--exit-modules=kill" },
				new String[] { "--home", empty.resolve("missing").toString() })) {
			List<String> command = new ArrayList<>(List.of(ExportedRuntime.BIN.resolve("pidwatcherd").toString(),
					"--home", empty.toString()));
			command.addAll(List.of(bad));
			Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
			String said = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
			assertThat(p.waitFor(30, TimeUnit.SECONDS)).isTrue();
			assertThat(p.exitValue()).as("%s: usage", List.of(bad)).isEqualTo(2);
			assertThat(said).as("%s names the problem", List.of(bad)).containsAnyOf("unknown argument '--bogus'",
					"is 'kill'; expected leave or stop", "is not a directory");
			try (var files = Files.list(empty)) {
				assertThat(files.toList()).as("nothing started, nothing created").isEmpty();
			}
		}
	}

	@Test
	void exitAtARealPromptEndsTheSessionAndTheRuntime() throws Exception {
		Files.createDirectories(home.resolve("etc"));
		Path out = home.resolve("console.out");
		// script(1) runs the runtime on a pseudo-terminal, so it gets its prompt as under make run.
		Process console = new ProcessBuilder("script", "-q", "-e", "-c",
				"java -Dpidwatcher.home=" + home + " -jar " + ExportedRuntime.JAR, "/dev/null")
				.directory(home.toFile()).redirectErrorStream(true).redirectOutput(out.toFile()).start();
		jvms.add(console);
		OutputStream keyboard = console.getOutputStream();
		ExportedRuntime.until(WAIT, "the prompt", () -> read(out).contains("g! "));
		// the first line typed reaches the prompt (a shell started twice used to eat it)
		keyboard.write("pw:modules\n".getBytes(StandardCharsets.UTF_8));
		keyboard.flush();
		ExportedRuntime.until(WAIT, "pw:modules answered", () -> read(out).contains("no modules configured"));
		keyboard.write("exit\n".getBytes(StandardCharsets.UTF_8));
		keyboard.flush();
		assertThat(console.waitFor(60, TimeUnit.SECONDS)).as("exit ends the runtime").isTrue();
		assertThat(read(out)).doesNotContain("Cannot coerce").contains("gosh: stopping shell and framework");
		assertThat(read(out).split("Welcome to Apache Felix Gogo", -1)).as("one shell, started once").hasSize(2);
	}

	private static String read(Path file) {
		try {
			return Files.exists(file) ? Files.readString(file, StandardCharsets.ISO_8859_1) : "";
		} catch (IOException e) {
			return "";
		}
	}
}
